"""Notices by email: the same sentence as the in-app notice (templates/accounts/_notice.html), in
the reader's language, with a link to the page it is about and a one-click unsubscribe
(`List-Unsubscribe` and `List-Unsubscribe-Post`, RFC 8058) that needs no login.

The outbox consumer calls `notice_email_send` after the commit; it re-reads the notice and the
user, so someone who switched email off meanwhile gets nothing. A message relayed twice is sent
once (the cache remembers its key, as for the other account mails)."""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Notice, User

UNSUBSCRIBE_SALT = "accounts.unsubscribe"
SENT_MARK_SECONDS = 7 * 24 * 3600
SUBJECT_LENGTH = 78


def unsubscribe_token(user: User) -> str:
    """A token naming the user, signed with the shop's key: no login, no expiry, one purpose."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user(token: str) -> User | None:
    """The user a token names, or None for a forged or broken one."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None


def unsubscribe_url(user: User) -> str:
    return settings.SITE_URL + reverse("accounts:unsubscribe", kwargs={"token": unsubscribe_token(user)})


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1].rstrip() + "…"


def notice_email_send(*, notice_id: int, key: str) -> str:
    notice = Notice.objects.select_related("user").filter(id=notice_id).first()
    if notice is None:
        return "gone"
    user = notice.user
    if not user.email or not user.email_notices or not user.is_active:
        return "not wanted"
    mark = f"outbox:sent:{key}"
    if cache.get(mark):
        return "already sent"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = render_to_string("accounts/_notice.html", {"notice": notice, "plain": True}).strip()
        context = {
            "text": text,
            "link": settings.SITE_URL + notice.link if notice.link else "",
            "unsubscribe": unsubscribe_url(user),
            "site": settings.SITE_URL,
        }
        message = EmailMultiAlternatives(
            subject=_subject(text),
            body=render_to_string("accounts/email/notice.txt", context),
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string("accounts/email/notice.html", context), "text/html")
    message.send()
    cache.set(mark, True, SENT_MARK_SECONDS)
    return "sent"
