"""Sign-in links: a signed, single-use link that signs a person in without a password, sent by
email (through the outbox) or by text message (giftshop.sms). A guest who accepted a gift on its
card gets one to follow the parcel later; anyone can ask for one on the card or the login page.

- The token names the user and where to go next, and carries a fingerprint of the account's
  password hash and last login: signing in (with this link or any other way) or setting a password
  makes every earlier link stale. It expires after SIGNIN_LINK_HOURS.
- The database never keeps a token: the outbox holds the user and the next page, and the link is
  made when the message is sent.
- Asking for a link answers the same whether or not an account uses the address: nobody learns
  from it who has an account here.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import Contact, contact_parsed
from giftshop.outbox import outbox_put
from giftshop.sms import sms_send

SALT = "accounts.signin-link"
TOPIC_SIGNIN_LINK = "accounts.signin_link"
SENT_MARK_SECONDS = 7 * 24 * 3600
# One address may be shared by a few accounts (a light one made on a card, a full one): each gets its
# link. Past this many, the rest get none (no address needs more).
MAX_ACCOUNTS_PER_CONTACT = 5


@dataclass(frozen=True)
class SigninLink:
    user: User
    next_path: str


def _fingerprint(user: User) -> str:
    last_login = "" if user.last_login is None else user.last_login.isoformat()
    value = f"{user.pk}:{user.password}:{last_login}"
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def safe_next_path(path) -> str:
    """A path on this site ("/g/…/", "/me/"), else "" (no scheme, no host, no "//evil")."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 500:
        return ""
    return path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else ""


def signin_token(user: User, next_path: str = "") -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user), "n": safe_next_path(next_path)}, salt=SALT,
                         compress=True)


def signin_link_url(user: User, next_path: str = "") -> str:
    return settings.SITE_URL + reverse("accounts:signin_link", kwargs={"token": signin_token(user, next_path)})


def signin_link_check(token: str) -> SigninLink | None:
    """The account and next page a link signs into, or None for a forged, expired or used link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.SIGNIN_LINK_HOURS * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(_fingerprint(user), data["f"]):
        return None
    return SigninLink(user=user, next_path=safe_next_path(data.get("n")))


def signin_link_queue(*, user: User, via: str, next_path: str = "") -> None:
    """Queue one link for this user, in the caller's transaction (sent after the commit)."""
    outbox_put(
        topic=TOPIC_SIGNIN_LINK,
        key=f"signin-link:{user.pk}:{uuid.uuid4().hex}",
        payload={"user_id": user.pk, "via": via, "next": safe_next_path(next_path)},
    )


def _accounts_using(contact: Contact):
    users = User.objects.filter(is_active=True)
    if contact.kind == Contact.EMAIL:
        users = users.filter(email__iexact=contact.value)
    else:
        users = users.filter(phone=contact.value)
    return list(users.order_by("id")[:MAX_ACCOUNTS_PER_CONTACT])


@transaction.atomic
def signin_links_request(*, contact: str, next_path: str = "") -> None:
    """Send a sign-in link to each account that uses this email address or mobile number. Raises
    InvalidInput only for something that is neither; otherwise returns nothing either way."""
    parsed = contact_parsed(contact)
    for user in _accounts_using(parsed):
        signin_link_queue(user=user, via=parsed.kind, next_path=next_path)


def signin_link_send(*, user_id: int, via: str, next_path: str, key: str) -> str:
    """The outbox consumer's work: make the link now and send it, once per key."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "gone"
    mark = f"outbox:sent:{key}"
    if cache.get(mark):
        return "already sent"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"url": signin_link_url(user, next_path), "hours": settings.SIGNIN_LINK_HOURS,
                   "name": user.public_name, "site": settings.SITE_URL}
        if via == Contact.PHONE:
            if not user.phone:
                return "no phone"
            sms_send(to=user.phone, text=_(
                "Your giftshop sign-in link (it works once, for %(hours)s hours): %(url)s") % context)
        else:
            if not user.email:
                return "no email"
            send_mail(_("Your giftshop sign-in link"), render_to_string("accounts/email/signin_link.txt", context),
                      None, [user.email], fail_silently=False)
    cache.set(mark, True, SENT_MARK_SECONDS)
    return "sent"
