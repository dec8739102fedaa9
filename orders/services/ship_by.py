"""The ship-by promise, from the purchase's side (news from logistics.services.overdue, through the
outbox): a purchase's parcel that missed its promise is announced to its buyer and the store's
members, once; still pending after the grace period, it is cancelled, its stock goes back on sale and
what is left of the payment is refunded (reason `not_shipped`, scope the order), once."""

import logging

from django.urls import reverse

from giftshop.errors import DomainError
from logistics.services.overdue import overdue_params, shipment_announce_overdue
from orders.models import Order, Refund
from orders.services.refunds import order_refund_before_dispatch

logger = logging.getLogger(__name__)


def _purchase_of_shipment(shipment_id: int) -> Order | None:
    return Order.objects.select_related("buyer", "shipment__store").filter(
        shipment_id=shipment_id, kind=Order.Kind.PURCHASE
    ).first()


def order_announce_overdue(*, shipment_id: int) -> bool:
    """False when the parcel is no purchase's (a gift claim's: gifts answers)."""
    order = _purchase_of_shipment(shipment_id)
    if order is None:
        return False
    params = {**overdue_params(order.shipment), "role": "buyer", "order_id": order.id}
    link = reverse("orders:detail", kwargs={"order_id": order.id})
    shipment_announce_overdue(shipment=order.shipment, payer=order.buyer, link=link, params=params)
    return True


def order_refund_overdue(*, shipment_id: int) -> Refund | None:
    """None when the parcel is no purchase's, or left (or was refunded) first."""
    order = _purchase_of_shipment(shipment_id)
    if order is None:
        return None
    try:
        return order_refund_before_dispatch(
            order=order, shipment=order.shipment, reason=Refund.Reason.NOT_SHIPPED,
            why="not shipped by the promised time and the grace period",
        )
    except DomainError as exc:
        logger.warning("ship-by: shipment %s not refunded: %s (%s)", shipment_id, exc.code, exc.detail)
        return None
