"""Writes for shipments: create one from an address snapshot, cancel it before dispatch, ship a
returned one again.

(Dispatch and tracking arrive with the carriers package.) A shipment is created inside its
caller's transaction, from a claim or a paid purchase, and is what the merchant sees to ship.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models.functions import Now

from giftshop.transitions import transition
from logistics.errors import AddressPurged, ParcelNotReturned, ReturnAlreadyResolved
from logistics.models import Address, Shipment
from stores.selectors import ensure_store_member

SNAPSHOT_FIELDS = ("recipient_name", "phone", "country", "region", "city", "district", "street", "postal_code")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def address_snapshot(address: Address) -> dict:
    return {name: getattr(address, name) for name in SNAPSHOT_FIELDS}


def _reference():
    return "GS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def shipment_create(
    *,
    store,
    recipient,
    ship_to: dict,
    lines: list[dict],
    is_gift: bool = False,
    giver_name: str = "",
    gift_message: str = "",
) -> Shipment:
    """`ship_to` is an address snapshot (address_snapshot()); `lines` say what to pack, no prices."""
    shipment = Shipment.objects.create(
        store=store,
        recipient=recipient,
        reference=_reference(),
        ship_to_name=ship_to["recipient_name"],
        ship_to_phone=ship_to["phone"],
        ship_to_country=ship_to["country"],
        ship_to_region=ship_to["region"],
        ship_to_city=ship_to["city"],
        ship_to_district=ship_to.get("district", ""),
        ship_to_street=ship_to["street"],
        ship_to_postal_code=ship_to.get("postal_code", ""),
        lines=[
            {k: line[k] for k in ("product_title", "variant_name", "sku", "quantity")} for line in lines
        ],
        is_gift=is_gift,
        giver_name=giver_name[:50],
        gift_message=gift_message[:200],
        # The promise runs on the database clock.
        ship_by=Now() + timedelta(hours=store.ship_within_hours),
    )
    shipment.refresh_from_db(fields=["ship_by", "created_at"])
    return shipment


def shipment_resend(*, shipment: Shipment, actor) -> Shipment:
    """A member of the store ships a returned parcel again: a new pending shipment with the same
    address snapshot, contents and gift note, and a new ship-by promise. Once per returned parcel
    (`resent_from` is unique); 409 `parcel_not_returned` for any other parcel, `address_purged` once
    its address has been removed (ADDRESS_RETENTION_DAYS after it came back: it can still be refunded)."""
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    if shipment.status != Shipment.Status.RETURNED:
        raise ParcelNotReturned()
    if shipment.address_purged_at is not None:  # came back long ago: nothing left to ship it to
        raise AddressPurged()
    ship_to = {
        "recipient_name": shipment.ship_to_name, "phone": shipment.ship_to_phone,
        "country": shipment.ship_to_country, "region": shipment.ship_to_region, "city": shipment.ship_to_city,
        "district": shipment.ship_to_district, "street": shipment.ship_to_street,
        "postal_code": shipment.ship_to_postal_code,
    }
    try:
        with transaction.atomic():
            again = shipment_create(
                store=shipment.store, recipient=shipment.recipient, ship_to=ship_to, lines=shipment.lines,
                is_gift=shipment.is_gift, giver_name=shipment.giver_name, gift_message=shipment.gift_message,
            )
            Shipment.objects.filter(id=again.id).update(resent_from=shipment)
    except IntegrityError:
        raise ReturnAlreadyResolved() from None
    again.resent_from = shipment
    return again


def shipment_cancel(*, shipment: Shipment, reason: str = "", actor=None) -> bool:
    """pending → cancelled; False when it already left (dispatch won the race)."""
    if shipment.status != Shipment.Status.PENDING:
        return False
    return transition(shipment, Shipment.Status.CANCELLED, reason=reason, actor=actor, extra={"ended_at": Now()})
