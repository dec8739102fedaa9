"""Purge addresses (DESIGN §6): a parcel's ship-to address is for delivering it. Once it has ended
(delivered, returned, expired or cancelled: `Shipment.FINAL`) the store keeps it ADDRESS_RETENTION_DAYS
more, for questions and claims about the delivery; then the periodic job behind
logistics.tasks.purge_addresses and the `purge_addresses` command redacts it, and nobody sees it again.

The period counts from `Shipment.ended_at`, the moment the parcel reached its final status on the
database clock (set by the move itself), not the carrier's delivery scan time.

What goes: whatever names or finds the person: name, phone, street, district, postal code, and the
gift note printed for them (giver's name, message). What stays: country, province / state and city,
coarse enough to point at nobody, so the parcel's page still says where it went and sales can still be
counted by region; the packing lines and the tracking number, which say what was sent, not to whom
(the merchant needs them to answer a carrier or a customer about the parcel). The carrier's own
checkpoint texts (TrackingEvent) are kept as they came.

Other copies: a purchase keeps the address it was ordered with (`orders.Order.ship_to`); logistics
does not know orders (the one-way rule), so each batch is announced on the outbox
(`TOPIC_ADDRESSES_PURGED`) and orders redacts its copies the same way. A claim keeps no copy. The
user's own address book (`Address`) is theirs and is never touched.

Each batch is one conditional UPDATE (`address_purged_at IS NULL`) of at most `batch_size` ids taken
in id order after the previous batch's: runs that overlap (two beats) redact each row once and count
it once between them, and a run costs a fixed number of queries per batch, however many rows there are.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Now

from giftshop.outbox import outbox_put
from logistics.models import Shipment

TOPIC_ADDRESSES_PURGED = "logistics.addresses_purged"  # consumed by orders: redact the purchase's copy
BATCH_SIZE = 500
# The snapshot fields that go, and what they become. The rest of the ship-to snapshot stays (above).
REDACTED = {
    "ship_to_name": "",
    "ship_to_phone": "",
    "ship_to_street": "",
    "ship_to_district": "",
    "ship_to_postal_code": "",
    "giver_name": "",
    "gift_message": "",
}
# The same, as the keys of an address snapshot (logistics.services.shipments.address_snapshot).
REDACTED_SNAPSHOT_KEYS = ("recipient_name", "phone", "street", "district", "postal_code")


def purge_due(*, now: datetime | None = None):
    """Ended parcels whose address is still kept and whose retention period is over at `now`
    (default: the database clock)."""
    cutoff = (Now() if now is None else now) - timedelta(days=settings.ADDRESS_RETENTION_DAYS)
    return Shipment.objects.filter(status__in=Shipment.FINAL, address_purged_at__isnull=True, ended_at__lt=cutoff)


def _batch_key(ids: list[int]) -> str:
    """The same batch (two overlapping runs) is one message; any other batch is another."""
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    return f"{TOPIC_ADDRESSES_PURGED}:{ids[0]}-{ids[-1]}:{digest}"


def purge_ended_addresses(*, now: datetime | None = None, batch_size: int = BATCH_SIZE,
                          limit: int | None = None) -> int:
    """Redact the address and gift note of every parcel whose retention period is over (at most
    `limit` parcels; None: all); returns how many this run redacted. A second run finds nothing."""
    due = purge_due(now=now).order_by("id").values_list("id", flat=True)
    purged = 0
    after = 0
    while limit is None or purged < limit:
        size = batch_size if limit is None else min(batch_size, limit - purged)
        ids = list(due.filter(id__gt=after)[:size])
        if not ids:
            break
        after = ids[-1]
        with transaction.atomic():
            # Conditional: a row another run redacted first is neither written nor counted again.
            redacted = Shipment.objects.filter(id__in=ids, address_purged_at__isnull=True).update(
                **REDACTED, address_purged_at=Now()
            )
            if redacted:
                outbox_put(topic=TOPIC_ADDRESSES_PURGED, key=_batch_key(ids), payload={"shipment_ids": ids})
        purged += redacted
        if len(ids) < size:
            break
    return purged
