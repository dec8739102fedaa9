"""Refunds: always to the original payment, once per reason.

`refund_request` writes the Refund row (its `refund_ref` is deterministic and unique, so a re-run
can never refund twice) and an outbox message in the caller's transaction; `refund_execute` is the
outbox consumer that calls the provider with that same reference as its idempotency key.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from logistics.errors import ShipmentNotPending
from logistics.services.shipments import shipment_cancel
from orders.errors import AlreadyRefunded, NothingToRefund, RefundTooLarge
from orders.models import Order, Payment, Refund
from orders.payments import get_provider
from orders.selectors import refund_find, refund_ref, refund_summary, refundable_payment, units_refund_minor
from orders.services.locks import lock_order_and_payment
from stores.selectors import ensure_store_member
from stores.stock import stock_release

logger = logging.getLogger(__name__)

TOPIC_EXECUTE = "orders.refund_execute"
TOPIC_SUCCEEDED = "orders.refund_succeeded"  # consumed by gifts and orders (the payer's notice)


def refund_request(*, payment: Payment, amount_minor: int, reason: str, scope) -> Refund | None:
    """Ask for a refund of `amount_minor` for `reason` about `scope` (a claim id, an order id or
    "unclaimed"). Returns the refund (the existing one on a re-run); None for a zero amount.

    The guard on money: never more than was paid. The payment row is locked first, so two refunds
    of one payment for different reasons cannot both pass the check (on PostgreSQL; SQLite already
    serialises writers)."""
    if amount_minor <= 0:
        return None
    ref = refund_ref(payment_id=payment.id, reason=reason, scope=scope)
    existing = Refund.objects.filter(refund_ref=ref).first()
    if existing:
        return existing
    with transaction.atomic():
        lock_order_and_payment(payment)
        if amount_minor > refund_summary(payment=payment).left_minor:
            raise RefundTooLarge()
        refund = Refund.objects.create(payment=payment, refund_ref=ref, amount_minor=amount_minor, reason=reason)
        outbox_put(topic=TOPIC_EXECUTE, key=ref, payload={"refund_id": refund.id})
    return refund


def refund_units(*, order: Order, units: int, reason: str, scope) -> Refund | None:
    """The refund primitive for units given back (a gift's unclaimed, declined or unshipped units):
    `units` × the unit price paid, to the order's payment, once per reason and scope. None when
    there is nothing to refund (no units, or no payment left to refund)."""
    if units <= 0:
        return None
    payment = refundable_payment(order=order)
    if payment is None:
        return None
    return refund_request(payment=payment, amount_minor=units_refund_minor(order=order, units=units),
                          reason=reason, scope=scope)


def refund_rest(*, order: Order, reason: str, scope) -> Refund | None:
    """The refund primitive for a whole purchase: what is left of its payment, once per reason and scope."""
    payment = refundable_payment(order=order)
    if payment is None:
        return None
    return refund_request(payment=payment, amount_minor=refund_summary(payment=payment).left_minor,
                          reason=reason, scope=scope)


def refund_execute(*, refund_id: int) -> str:
    """Carry out a pending refund at the provider; safe to run any number of times."""
    refund = Refund.objects.select_related("payment").get(id=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return "already"
    payment = refund.payment
    provider = get_provider(payment.provider)
    # Outside any transaction: a network call. The provider dedupes on our reference.
    result = provider.refund(
        provider_ref=payment.provider_ref,
        idempotency_key=refund.refund_ref,
        amount_minor=refund.amount_minor,
        currency=payment.currency,
    )
    with transaction.atomic():
        payment = lock_order_and_payment(payment)
        moved = transition(
            refund,
            Refund.Status.SUCCEEDED,
            reason="provider confirmed",
            extra={"provider_ref": result.provider_ref, "completed_at": timezone.now()},
        )
        if not moved:
            return "already"
        outbox_put(topic=TOPIC_SUCCEEDED, key=f"refund-succeeded:{refund.refund_ref}", payload={"refund_id": refund.id})
        Payment.objects.filter(id=payment.id).update(refunded_minor=F("refunded_minor") + refund.amount_minor)
        payment.refresh_from_db(fields=["refunded_minor"])
        target = (
            Payment.Status.REFUNDED
            if payment.refunded_minor >= payment.amount_minor
            else Payment.Status.PARTIALLY_REFUNDED
        )
        if payment.status != target:
            transition(payment, target, reason=refund.reason)
        if target == Payment.Status.REFUNDED:
            order = payment.order
            if order.status == Order.Status.PAID:
                transition(order, Order.Status.REFUNDED, reason=refund.reason)
    return "refunded"


def order_refund_before_dispatch(*, order: Order, shipment, reason: str, why: str, actor=None) -> Refund | None:
    """A purchase whose parcel has not left: its units go back on sale, the parcel is cancelled and
    what is left of the payment is refunded, once per reason (scope: the order). One transaction;
    locks in the agreed order (variant, shipment, payment). ShipmentNotPending once it has left."""
    with transaction.atomic():
        for line in order.lines.all():
            stock_release(variant_id=line.variant_id, quantity=line.quantity)
        if not shipment_cancel(shipment=shipment, reason=why, actor=actor):
            raise ShipmentNotPending()
        refund = refund_rest(order=order, reason=reason, scope=order.id)
        if refund is None:
            raise NothingToRefund()
        return refund


def order_refund_by_merchant(*, order: Order, actor) -> Refund:
    """A member of the store refunds a purchase whose parcel has not left: parcel cancelled, stock
    back, what is left of the payment refunded (reason `merchant`, scope the order); the order becomes
    `refunded` when the refund lands (refund_execute). NotFound unless the actor is a member of the
    store; 409 `already_refunded` the second time, `shipment_not_pending` once it has left."""
    shipment = order.shipment
    ensure_store_member(store_id=shipment.store_id, actor=actor)
    if refund_find(order=order, reason=Refund.Reason.MERCHANT, scope=order.id):
        raise AlreadyRefunded()
    if shipment.status != shipment.Status.PENDING:
        raise ShipmentNotPending()
    return order_refund_before_dispatch(
        order=order, shipment=shipment, reason=Refund.Reason.MERCHANT, why="refunded by the store", actor=actor
    )
