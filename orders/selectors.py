"""Reads for the buyer's orders and payments, with their joins; and the access helpers, the only
way a view gets an order or a payment (404 when it is not the caller's)."""

import re

from django.db.models import Prefetch, QuerySet

from giftshop.errors import NotFound
from logistics.models import TrackingEvent
from orders.models import Order, Payment, Refund

# Ids are positive 64-bit integers; anything else is simply not an order of yours.
_ID_RE = re.compile(r"[0-9]{1,18}")


def _own(user, object_id):
    return user.is_authenticated and _ID_RE.fullmatch(str(object_id)) is not None


def order_list_for_buyer(*, user) -> QuerySet[Order]:
    """The user's orders, newest first, with everything the order pages and the API show:
    store, lines, payments (with their refunds) and, for purchases, the shipment and its events."""
    if not user.is_authenticated:
        return Order.objects.none()
    return (
        Order.objects.filter(buyer=user)
        .select_related("store", "shipment")
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=Payment.objects.order_by("-created_at", "-id").prefetch_related("refunds")),
            Prefetch("shipment__events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")),
        )
        .order_by("-created_at", "-id")
    )


def access_order_by_id(*, user, order_id) -> Order:
    order = order_list_for_buyer(user=user).filter(id=int(order_id)).first() if _own(user, order_id) else None
    if order is None:
        raise NotFound()
    return order


def access_payment_by_id(*, user, payment_id) -> Payment:
    """A payment of one of the user's orders (the payer's), with its order and refunds."""
    payment = None
    if _own(user, payment_id):
        payment = (
            Payment.objects.select_related("order")
            .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")))
            .filter(id=int(payment_id), order__buyer=user)
            .first()
        )
    if payment is None:
        raise NotFound()
    return payment


def order_payment(order: Order) -> Payment | None:
    """The order's current payment (the newest), from the prefetched rows when there are some."""
    payments = list(order.payments.all())
    return payments[0] if payments else None
