"""A purchase's copy of its ship-to address (`Order.ship_to`, the snapshot the shipment was made
from) goes when its parcel's does (logistics.services.purge, DESIGN §6): on the outbox news of each
purged batch, the same fields are redacted here. Idempotent: an order already redacted is not touched."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Now

from logistics.services.purge import REDACTED_SNAPSHOT_KEYS
from orders.models import Order

NEVER_SHIPPED = (Order.Status.CANCELLED, Order.Status.PAYMENT_FAILED)


def order_purge_ship_to(*, shipment_ids: list[int]) -> int:
    """Redact the ship-to copy of the purchases whose current parcel is one of `shipment_ids` and has
    been purged; returns how many orders changed. A purchase sent again follows its new parcel, so
    its copy stays while that one is on its way. Two queries, however many orders."""
    orders = list(
        Order.objects.filter(shipment_id__in=shipment_ids, shipment__address_purged_at__isnull=False)
        .filter(Q(ship_to__has_any_keys=list(REDACTED_SNAPSHOT_KEYS)))
        .only("id", "ship_to")
    )
    for order in orders:
        order.ship_to = {k: v for k, v in order.ship_to.items() if k not in REDACTED_SNAPSHOT_KEYS}
    Order.objects.bulk_update(orders, ["ship_to"], batch_size=500)
    return len(orders)


def orders_purge_unshipped_ship_to(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Purchases that never got a parcel (cancelled unpaid, or their payment failed) keep no address
    longer than the shipped ones: ADDRESS_RETENTION_DAYS after their payment window closed, the same
    fields are redacted. Returns how many orders changed; two queries per batch, however many rows."""
    cutoff = (Now() if now is None else now) - timedelta(days=settings.ADDRESS_RETENTION_DAYS)
    due = (
        Order.objects.filter(kind=Order.Kind.PURCHASE, shipment__isnull=True, status__in=NEVER_SHIPPED,
                             pay_by__lt=cutoff)
        .filter(Q(ship_to__has_any_keys=list(REDACTED_SNAPSHOT_KEYS)))
        .order_by("id")
        .only("id", "ship_to")
    )
    changed, after = 0, 0
    while batch := list(due.filter(id__gt=after)[:batch_size]):
        for order in batch:
            order.ship_to = {k: v for k, v in order.ship_to.items() if k not in REDACTED_SNAPSHOT_KEYS}
        Order.objects.bulk_update(batch, ["ship_to"])
        changed, after = changed + len(batch), batch[-1].id
    return changed
