"""Writes for accounts: sign-up, profile, API tokens; and the sign-in rules both entry points share
(case-insensitive usernames, the rate-limit policy for logins and registrations)."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from accounts.models import User
from giftshop.errors import InvalidInput, clean_or_raise
from giftshop.ratelimits import seconds_limited
from giftshop.sms import phone_normalized

USERNAME_TAKEN = gettext_lazy("This username is taken.")
# Hashing cost grows with the length; nobody types more than this.
MAX_PASSWORD_LENGTH = 1024


def _text(name, value):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("Enter text."), field=name)
    return value


def _messages(exc: ValidationError) -> dict:
    return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", display_name: str = "") -> User:
    username = _text("username", username).strip()
    password = _text("password", password)
    email = User.objects.normalize_email(_text("email", email).strip())
    display_name = _text("display_name", display_name).strip()

    user = User(username=username, email=email, display_name=display_name)
    errors = {}
    try:
        # Username rules (required, 150 chars, letters, digits and @.+-_), email, display name length.
        # Uniqueness (the case-insensitive constraint too) is checked below, with its own message.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(_messages(exc))
    if not password:
        errors["password"] = [_("This field is required.")]
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = [_("Use at most %(max)d characters.") % {"max": MAX_PASSWORD_LENGTH}]
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = [str(m) for m in exc.messages]
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [str(USERNAME_TAKEN)]
    if errors:
        raise InvalidInput(fields=errors)

    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent sign-up took the same name
        raise InvalidInput(fields={"username": [str(USERNAME_TAKEN)]}) from None
    return user


@transaction.atomic
def user_update_profile(*, user: User, display_name: str) -> User:
    user.display_name = _text("display_name", display_name).strip()
    clean_or_raise(user, exclude=[f.name for f in User._meta.fields if f.name != "display_name"])
    user.save(update_fields=["display_name"])
    return user


def user_set_email_notices(*, user: User, enabled: bool) -> User:
    """Notices by email on or off (the profile page, or the one-click link in every notice email)."""
    User.objects.filter(pk=user.pk).update(email_notices=bool(enabled))
    user.email_notices = bool(enabled)
    return user


def user_remember_language(*, user: User, language: str) -> None:
    """The language the user last used the shop in: their emails are written in it. One UPDATE,
    and only when it changed."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


@dataclass(frozen=True)
class Contact:
    """How to reach someone who has no password: an email address or a mobile number."""

    EMAIL = "email"
    PHONE = "phone"

    kind: str
    value: str


def contact_parsed(value) -> Contact:
    """"Fay@Example.com" -> an email; "+86 139 1234 5678" -> a phone; anything else is refused."""
    text = _text("contact", value).strip()
    if "@" in text:
        email = User.objects.normalize_email(text)
        try:
            EmailValidator()(email)
        except ValidationError:
            raise InvalidInput(_("Enter a valid email address or mobile number."), field="contact") from None
        if len(email) > 254:
            raise InvalidInput(_("Enter a valid email address or mobile number."), field="contact")
        return Contact(Contact.EMAIL, email)
    try:
        return Contact(Contact.PHONE, phone_normalized(text))
    except ValueError:
        raise InvalidInput(_("Enter a valid email address or mobile number."), field="contact") from None


GUEST_USERNAME_PREFIX = "guest-"


def light_account_create(*, contact: str, display_name: str = "", language: str = "") -> User:
    """A light account for someone who accepted a gift without signing up: no password (a sign-in
    link, or "set a password" later), a generated username, the email or phone they gave. Always a
    new account, even when another one uses the same address: an unauthenticated visitor never adds
    anything to an existing account, and the answer never tells whether one exists."""
    parsed = contact_parsed(contact)
    user = User(
        username=GUEST_USERNAME_PREFIX + secrets.token_hex(6),
        display_name=_text("display_name", display_name).strip(),
        email=parsed.value if parsed.kind == Contact.EMAIL else "",
        phone=parsed.value if parsed.kind == Contact.PHONE else "",
        language=language if language in {code for code, _name in settings.LANGUAGES} else "",
    )
    user.set_unusable_password()
    clean_or_raise(user, exclude=["password", "username", "language", "phone"])
    user.save()
    return user


def user_authenticate(*, request, username, password) -> User | None:
    """Check a username and password. Usernames are unique case-insensitively, so "Alice" may sign
    in as "alice": the stored spelling is looked up first."""
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return None
    stored = User.objects.filter(username__iexact=username.strip()).values_list("username", flat=True)[:2]
    stored = list(stored)
    if len(stored) == 1:
        username = stored[0]
    # Django's own request under DRF's: the log-in lockout (accounts/lockout.py) marks it.
    return authenticate(getattr(request, "_request", request), username=username, password=password)


def auth_token_for(*, user: User) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


# --- rate-limit policy (django-ratelimit callables; settings are read per request) ------------
# The login page and the token endpoint share their counters, and so do the two ways to register:
# switching between page and API gives no extra attempts.
LOGIN_GROUP = "accounts.login.ip"
LOGIN_USERNAME_GROUP = "accounts.login.username"
REGISTER_GROUP = "accounts.register.ip"


def login_rate(group, request):
    return settings.RATELIMIT_LOGIN


def register_rate(group, request):
    return settings.RATELIMIT_REGISTER


def username_key(group, request):
    """The submitted username, case-folded: the second key of the login limit (the first is the IP).
    Works for form posts and for DRF requests with a JSON body."""
    data = getattr(request, "data", None)
    if data is None or not isinstance(data, Mapping):
        data = request.POST
    return rate_key_text(data.get("username", ""), limit=200)


def rate_key_text(value, *, limit: int) -> str:
    """A submitted value as a rate-limit key: case-folded, bounded, and encodable. The limiter hashes
    its key as UTF-8, which a lone surrogate ("\\ud800", possible from a non-JSON client) would make
    a 500; it becomes U+FFFD here, so the request is still counted."""
    return str(value).strip().casefold()[:limit].encode("utf-8", "replace").decode()


GUEST_GROUP = "accounts.guest.ip"
SIGNIN_LINK_GROUP = "accounts.signin_link.ip"
SIGNIN_LINK_CONTACT_GROUP = "accounts.signin_link.contact"


def light_accounts_limited(*, request) -> int:
    """A guest's accept makes an account: it counts against the sign-up limit (RATELIMIT_REGISTER,
    shared with the sign-up page and API) and against RATELIMIT_GUEST_ACCEPT, per address. 0, or the
    seconds until both allow another (for giftshop.ratelimits.Throttled)."""
    register = seconds_limited(request, group=REGISTER_GROUP, key="ip", rate=register_rate, method="POST")
    guest = seconds_limited(request, group=GUEST_GROUP, key="ip", rate=settings.RATELIMIT_GUEST_ACCEPT,
                            method="POST")
    return max(register, guest)


def signin_links_limited(*, request, contact: str) -> int:
    """RATELIMIT_SIGNIN_LINKS per address, and RATELIMIT_SIGNIN_LINKS_PER_CONTACT per email or phone
    asked for (so nobody floods one inbox from many addresses)."""
    by_ip = seconds_limited(request, group=SIGNIN_LINK_GROUP, key="ip", rate=settings.RATELIMIT_SIGNIN_LINKS,
                            method="POST")
    folded = rate_key_text(contact, limit=254)
    by_contact = seconds_limited(request, group=SIGNIN_LINK_CONTACT_GROUP, key=lambda _g, _r: folded,
                                 rate=settings.RATELIMIT_SIGNIN_LINKS_PER_CONTACT, method="POST")
    return max(by_ip, by_contact)
