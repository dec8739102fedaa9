"""Refunds: always to the original payment, once per reason.

`refund_request` writes the Refund row (its `refund_ref` is deterministic and unique, so a re-run
can never refund twice) and an outbox message in the caller's transaction; `refund_execute` is the
outbox consumer that calls the provider with that same reference as its idempotency key.
"""

import logging

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from giftshop.errors import Conflict
from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from logistics.errors import ShipmentNotPending
from logistics.shipments import shipment_cancel
from orders.errors import RefundTooLarge
from orders.models import Order, Payment, Refund
from orders.payments import get_provider
from stores.stock import stock_release

logger = logging.getLogger(__name__)

TOPIC_EXECUTE = "orders.refund_execute"
TOPIC_SUCCEEDED = "orders.refund_succeeded"  # consumed by gifts (the payer's notice)


def refund_ref(*, payment_id, reason, scope) -> str:
    return f"refund:{payment_id}:{reason}:{scope}"


def refund_request(*, payment: Payment, amount_minor: int, reason: str, scope) -> Refund | None:
    """Ask for a refund of `amount_minor` for `reason` about `scope` (a claim id, an order id or
    "unclaimed"). Returns the refund (the existing one on a re-run); None for a zero amount."""
    if amount_minor <= 0:
        return None
    ref = refund_ref(payment_id=payment.id, reason=reason, scope=scope)
    existing = Refund.objects.filter(refund_ref=ref).first()
    if existing:
        return existing
    committed = payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(s=Sum("amount_minor"))["s"] or 0
    if committed + amount_minor > payment.amount_minor:
        raise RefundTooLarge()
    refund = Refund.objects.create(payment=payment, refund_ref=ref, amount_minor=amount_minor, reason=reason)
    outbox_put(topic=TOPIC_EXECUTE, key=ref, payload={"refund_id": refund.id})
    return refund


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
        payment.refresh_from_db()
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


def refunded_minor_for(*, payment: Payment) -> int:
    return payment.refunds.filter(~Q(status=Refund.Status.FAILED)).aggregate(s=Sum("amount_minor"))["s"] or 0


def order_refund_before_dispatch(*, order: Order, shipment, reason: str, why: str) -> Refund | None:
    """A purchase whose parcel has not left: its units go back on sale, the parcel is cancelled and
    what is left of the payment is refunded, once per reason (scope: the order). One transaction;
    locks in the agreed order (variant, shipment, payment). ShipmentNotPending once it has left."""
    with transaction.atomic():
        for line in order.lines.all():
            stock_release(variant_id=line.variant_id, quantity=line.quantity)
        if not shipment_cancel(shipment=shipment, reason=why):
            raise ShipmentNotPending()
        payment = (
            order.payments.filter(status__in=Payment.REFUNDABLE)
            .order_by("id")
            .first()
        )
        if payment is None:
            raise Conflict(_("There is no payment left to refund."))
        left = payment.amount_minor - refunded_minor_for(payment=payment)
        return refund_request(payment=payment, amount_minor=left, reason=reason, scope=order.id)
