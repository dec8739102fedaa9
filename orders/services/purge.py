"""A purchase's copy of its ship-to address (`Order.ship_to`, the snapshot the shipment was made
from) goes when its parcel's does (logistics.services.purge, DESIGN §6): on the outbox news of each
purged batch, the same fields are redacted here. Idempotent: an order already redacted is not touched."""

from django.db.models import Q

from logistics.services.purge import REDACTED_SNAPSHOT_KEYS
from orders.models import Order


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
