"""Outbox consumers of the accounts app (autodiscovered by giftshop.apps)."""

from django.core.cache import cache
from django.core.mail import send_mail

from accounts.mail import notice_email_send
from accounts.notices import TOPIC_EMAIL
from accounts.signin_links import TOPIC_SIGNIN_LINK, signin_link_send
from giftshop.outbox import PermanentError, consumer

SENT_MARK_SECONDS = 7 * 24 * 3600


@consumer("accounts.email")
def send_account_email(payload, *, key):
    """Send one account email (a password reset, ...). A message that is relayed again after it was
    sent (the relay died before marking it delivered) is not sent twice: the key is remembered."""
    recipients = payload.get("to") or []
    if not recipients or not isinstance(recipients, list):
        raise PermanentError("an account email needs recipients")
    mark = f"outbox:sent:{key}"
    if cache.get(mark):
        return
    send_mail(
        payload.get("subject", ""),
        payload.get("body", ""),
        payload.get("from") or None,
        recipients,
        fail_silently=False,
    )
    cache.set(mark, True, SENT_MARK_SECONDS)


@consumer(TOPIC_EMAIL)
def email_a_notice(payload, *, key):
    notice_email_send(notice_id=payload["notice_id"], key=key)


@consumer(TOPIC_SIGNIN_LINK)
def send_a_signin_link(payload, *, key):
    signin_link_send(user_id=payload["user_id"], via=payload.get("via", "email"), next_path=payload.get("next", ""),
                     key=key)
