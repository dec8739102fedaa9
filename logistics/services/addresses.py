"""Writes for the address book. Page views and API views call these only.

Every write locks the owner's user row first: that serialises one user's address writes, so
"the first address is the default" and "exactly one default" hold under concurrent requests (the
partial unique constraint `address_one_default_per_user` is the last net).
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from giftshop.errors import InvalidInput, NotFound
from logistics.countries import is_country_code
from logistics.models import Address

ADDRESS_FIELDS = ("recipient_name", "phone", "country", "region", "city", "district", "street", "postal_code")
PHONE_RE = re.compile(r"[0-9 +\-]{5,24}")


def _lock_owner(user_id) -> None:
    # On SQLite select_for_update is a no-op, but its IMMEDIATE transactions already hold the write
    # lock from BEGIN; on PostgreSQL this row lock is what orders concurrent writes of one user.
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def _reload(address: Address) -> None:
    """Read the row again under the owner's lock; gone meanwhile (a concurrent delete) is a 404."""
    try:
        address.refresh_from_db()
    except Address.DoesNotExist:
        raise NotFound() from None


def _as_text(name, value):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("Enter text."), field=name)
    return value.strip()


def phone_problem(phone: str) -> str | None:
    """Why this phone number is refused, or None. Forms call it too, to show it beside the field."""
    if not (PHONE_RE.fullmatch(phone) and any(c.isdigit() for c in phone)):
        return _("Use 5 to 24 digits, spaces, + or -.")
    return None


def country_problem(country: str) -> str | None:
    if not is_country_code(country):
        return _("Enter a two-letter ISO country code, such as CN or US.")
    return None


def _validate(address: Address) -> None:
    """Model validation (lengths, required fields) plus the phone and country rules, all at once."""
    errors = {}
    try:
        address.full_clean(exclude=["user", "is_default"])
    except ValidationError as exc:
        errors = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    for name, problem in (("phone", phone_problem), ("country", country_problem)):
        value = getattr(address, name)
        message = problem(value) if value and name not in errors else None
        if message:
            errors[name] = [message]
    if errors:
        raise InvalidInput(fields=errors)


def _assign(address: Address, fields: dict) -> None:
    for name, value in fields.items():
        value = _as_text(name, value)
        if name == "country":
            value = value.upper()
        setattr(address, name, value)


@transaction.atomic
def address_create(
    *,
    user,
    recipient_name: str,
    phone: str,
    country: str,
    region: str,
    city: str,
    street: str,
    district: str = "",
    postal_code: str = "",
    is_default: bool = False,
) -> Address:
    address = Address(user=user)
    _assign(
        address,
        {
            "recipient_name": recipient_name,
            "phone": phone,
            "country": country,
            "region": region,
            "city": city,
            "district": district,
            "street": street,
            "postal_code": postal_code,
        },
    )
    _validate(address)
    _lock_owner(user.pk)
    has_addresses = Address.objects.filter(user=user).exists()
    if is_default and has_addresses:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    address.is_default = bool(is_default) or not has_addresses
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, **fields) -> Address:
    unknown = set(fields) - set(ADDRESS_FIELDS) - {"is_default"}
    if unknown:
        raise InvalidInput(fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    make_default = fields.pop("is_default", None)
    _lock_owner(address.user_id)
    _reload(address)
    _assign(address, fields)
    _validate(address)
    if make_default is False and address.is_default:
        raise InvalidInput(_("Choose another address as the default instead."), field="is_default")
    if make_default and not address.is_default:
        Address.objects.filter(user_id=address.user_id, is_default=True).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def address_set_default(*, address: Address) -> Address:
    _lock_owner(address.user_id)
    _reload(address)
    if not address.is_default:
        Address.objects.filter(user_id=address.user_id, is_default=True).update(is_default=False)
        Address.objects.filter(id=address.id).update(is_default=True)
        address.is_default = True
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    _lock_owner(address.user_id)
    was_default = Address.objects.filter(id=address.id, is_default=True).exists()
    Address.objects.filter(id=address.id).delete()
    if was_default:
        oldest = Address.objects.filter(user_id=address.user_id).order_by("created_at", "id").first()
        if oldest is not None:
            Address.objects.filter(id=oldest.id).update(is_default=True)
