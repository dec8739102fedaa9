"""Refunds: always to the original payment, once per reason.

`refund_request` writes the Refund row (its `refund_ref` is deterministic and unique, so a re-run
can never refund twice) and an outbox message in the caller's transaction; `refund_execute` is the
outbox consumer that calls the provider with that same reference as its idempotency key.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from giftshop.errors import PermissionDenied
from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from logistics.errors import ShipmentNotPending
from logistics.services.shipments import shipment_cancel
from orders.errors import AlreadyRefunded, NothingToRefund, RefundTooLarge
from orders.models import Order, Payment, Refund
from orders.payments import get_provider
from orders.payments.base import ProviderError
from orders.selectors import (
    refund_attempt_key,
    refund_attempt_of,
    refund_find,
    refund_ref,
    refund_summary,
    refundable_payment,
    units_refund_minor,
)
from orders.services.locks import lock_order_and_payment
from stores.selectors import ensure_store_member, is_platform_staff
from stores.stock import stock_release

logger = logging.getLogger(__name__)

TOPIC_EXECUTE = "orders.refund_execute"
TOPIC_SUCCEEDED = "orders.refund_succeeded"  # consumed by gifts and orders (the payer's notice)
TOPIC_STUCK = "orders.refund_stuck"  # the last try failed: the store's members are told


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
    """Carry out a pending refund at the provider (the outbox consumer); safe to run any number of
    times. The provider's answer is applied by `refund_settle`: a refund is done only when the
    provider says it succeeded, now or later (a webhook, or `refunds_reconcile`)."""
    refund = Refund.objects.select_related("payment").get(id=refund_id)
    if refund.status != Refund.Status.PENDING:
        return "already"
    payment = refund.payment
    provider = get_provider(payment.provider)
    # Outside any transaction: a network call. The provider dedupes on our key for this try.
    result = provider.refund(
        provider_ref=payment.provider_ref,
        idempotency_key=refund_attempt_key(refund),
        amount_minor=refund.amount_minor,
        currency=payment.currency,
    )
    return refund_settle(refund_id=refund.id, attempts=refund.attempts, status=result.status,
                         provider_ref=result.provider_ref)


def refund_settle(*, refund_id: int, attempts: int, status: str, provider_ref: str = "") -> str:
    """Apply the provider's word on try `attempts` of a refund: "succeeded" moves the money in our
    books once (the payment's refunded total, its status, the order's), "failed" schedules the next
    try or, after REFUND_MAX_ATTEMPTS, tells the store and waits for the admin; "pending" only
    records the provider's reference. A word about an earlier try, or a second word, changes nothing."""
    with transaction.atomic():
        refund = Refund.objects.select_related("payment").get(id=refund_id)
        payment = lock_order_and_payment(refund.payment)
        refund.refresh_from_db()
        if refund.status != Refund.Status.PENDING or refund.attempts != attempts:
            return "already"
        if status == "pending":
            if provider_ref and refund.provider_ref != provider_ref:
                Refund.objects.filter(id=refund.id).update(provider_ref=provider_ref)
            return "pending"
        if status == "failed":
            return _refund_failed(refund, provider_ref)
        moved = transition(
            refund,
            Refund.Status.SUCCEEDED,
            reason="provider confirmed",
            extra={"provider_ref": provider_ref or refund.provider_ref, "completed_at": timezone.now()},
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


def _refund_failed(refund: Refund, provider_ref: str) -> str:
    """The provider refused this try. The money is still the payer's to get back: the next try is
    due after a backoff; after the last one the store's members are told and the admin takes it."""
    last = refund.attempts >= settings.REFUND_MAX_ATTEMPTS
    wait = timedelta(seconds=settings.REFUND_RETRY_SECONDS * 2 ** (refund.attempts - 1))
    if not transition(
        refund, Refund.Status.FAILED, reason="provider refused",
        extra={"provider_ref": provider_ref or refund.provider_ref, "retry_at": None if last else Now() + wait},
    ):
        return "already"
    if last:
        logger.error("ALERT refunds: refund %s failed %s times at the provider; the admin must act",
                     refund.refund_ref, refund.attempts)
        outbox_put(topic=TOPIC_STUCK, key=f"refund-stuck:{refund.refund_ref}", payload={"refund_id": refund.id})
        return "stuck"
    return "failed"


def refund_apply_update(*, provider: str, update) -> str:
    """A verified refund notification (PaymentUpdate.is_refund): find our refund and the try it
    speaks of (by the key we sent, else by the provider's refund id) and apply it."""
    refunds = Refund.objects.filter(payment__provider=provider)
    refund, attempts = None, None
    if update.refund_ref:
        ref, attempts = refund_attempt_of(update.refund_ref)
        refund = refunds.filter(refund_ref=ref).first()
    if refund is None and update.refund_provider_ref:
        refund = refunds.filter(provider_ref=update.refund_provider_ref).first()
        attempts = refund.attempts if refund is not None else None
    if refund is None:
        logger.warning("refunds: %s update %s for an unknown refund", provider, update.event_id)
        return "unknown refund"
    return refund_settle(refund_id=refund.id, attempts=attempts, status=update.status,
                         provider_ref=update.refund_provider_ref)


def refund_retry(*, refund_id: int, actor=None) -> bool:
    """Try a failed refund again, with a new idempotency key (the job when its retry is due; the
    admin's "Retry" at any time, `actor` a platform staff member). False when it is not failed."""
    if actor is not None and not is_platform_staff(actor):
        raise PermissionDenied()
    with transaction.atomic():
        refund = Refund.objects.select_related("payment").get(id=refund_id)
        lock_order_and_payment(refund.payment)
        refund.refresh_from_db()
        if refund.status != Refund.Status.FAILED:
            return False
        attempts = refund.attempts + 1
        if not transition(refund, Refund.Status.PENDING, reason="retry" if actor is None else "retried by the admin",
                          extra={"attempts": attempts, "retry_at": None}):
            return False
        outbox_put(topic=TOPIC_EXECUTE, key=f"{refund.refund_ref}:try:{attempts}", payload={"refund_id": refund.id})
    return True


def refunds_reconcile(*, older_than_seconds: int | None = None, limit: int = 200) -> dict:
    """The reconcile-refunds job: ask the provider about refunds it has not confirmed after a
    while (a dropped or late webhook) and apply its answer; try again the failed ones whose retry
    is due. Two overlapping runs are harmless: `refund_settle` and `refund_retry` act once per try."""
    age = timedelta(seconds=older_than_seconds if older_than_seconds is not None else settings.RECONCILE_AFTER_SECONDS)
    outcomes = {}
    waiting = Refund.objects.filter(status=Refund.Status.PENDING, created_at__lte=Now() - age).exclude(provider_ref="")
    for refund in list(waiting.select_related("payment").order_by("created_at", "id")[:limit]):
        try:
            result = get_provider(refund.payment.provider).query_refund(
                provider_ref=refund.provider_ref, idempotency_key=refund_attempt_key(refund)
            )
        except ProviderError as exc:
            logger.warning("reconcile: refund %s: %s", refund.refund_ref, exc)
            outcome = "provider error"
        else:
            outcome = refund_settle(refund_id=refund.id, attempts=refund.attempts, status=result.status,
                                    provider_ref=result.provider_ref)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    due = Refund.objects.filter(status=Refund.Status.FAILED, retry_at__lte=Now()).order_by("retry_at", "id")
    for refund_id in list(due.values_list("id", flat=True)[:limit]):
        if refund_retry(refund_id=refund_id):
            outcomes["retried"] = outcomes.get("retried", 0) + 1
    return outcomes


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
