"""Reads for the address book, and the one way a view gets an address: access_address_by_id."""

import re

from django.db.models import QuerySet

from giftshop.errors import NotFound
from logistics.models import Address

# Ids are positive 64-bit integers; anything else (letters, other scripts' digits, 30-digit numbers
# that overflow the database integer) is simply not an address of yours.
_ID_RE = re.compile(r"[0-9]{1,18}")


def address_list(*, user) -> QuerySet[Address]:
    """The user's addresses, the default first, then oldest first."""
    if not user.is_authenticated:
        return Address.objects.none()
    return Address.objects.filter(user=user).order_by("-is_default", "id")


def access_address_by_id(*, user, address_id) -> Address:
    address = None
    if user.is_authenticated and _ID_RE.fullmatch(str(address_id)):
        address = Address.objects.filter(id=int(address_id), user=user).first()
    if address is None:
        raise NotFound()
    address.user = user  # the caller's own user object: no second query when services read it
    return address
