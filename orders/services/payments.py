"""Applying what a payment provider tells us (a verified webhook or a reconciliation query).

The order becomes paid only here, only when the amount and currency match what we asked for.
Every update is recorded once (WebhookEvent unique on provider + event id): a replay is ignored.
Statuses move with conditional updates, so a duplicate racing its twin changes nothing twice.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from logistics.services.shipments import shipment_create
from orders.events import event_order_paid
from orders.models import Order, Payment, Refund, WebhookEvent
from orders.payments.base import PaymentUpdate
from orders.services.locks import lock_order_and_payment
from orders.services.refunds import refund_apply_update, refund_request
from stores.stock import stock_release

logger = logging.getLogger(__name__)

TOPIC_GIFT_PAID = "orders.gift_paid"
TOPIC_GIFT_UNPAID = "orders.gift_unpaid"


def payment_apply_update(*, provider: str, update: PaymentUpdate) -> str:
    """Record and apply one update; return what happened (for the event row and the logs)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    provider=provider, event_id=update.event_id, event_type=update.event_type, payload=update.raw
                )
        except IntegrityError:
            return "duplicate"
        if update.is_refund:
            outcomes = [refund_apply_update(provider=provider, update=news) for news in (update, *update.more)]
            outcome = outcomes[0] if len(set(outcomes)) == 1 else ", ".join(outcomes)[:200]
            event.outcome = outcome
            event.save(update_fields=["outcome"])
            return outcome
        payment = Payment.objects.filter(provider=provider, provider_ref=update.provider_ref).first()
        if payment is not None:
            # Lock order: the order, then its payment (as the unpaid sweep and the refunds do), so a
            # notice and a sweep on the same order wait for each other instead of deadlocking.
            payment = lock_order_and_payment(payment)
        if payment is None:
            outcome = "unknown payment"
            logger.warning(
                "payments: %s update %s for unknown payment %s", provider, update.event_id, update.provider_ref
            )
        elif update.status == "succeeded":
            outcome = _succeeded(payment, update)
        elif update.status == "failed":
            outcome = _failed(payment)
        else:
            outcome = "informational"
        event.outcome = outcome
        event.save(update_fields=["outcome"])
    return outcome


def _succeeded(payment: Payment, update: PaymentUpdate) -> str:
    if update.amount_minor != payment.amount_minor or update.currency.upper() != payment.currency.upper():
        logger.error(
            "ALERT payments: payment %s update %s says %s %s, expected %s %s; left pending for reconciliation",
            payment.id,
            update.event_id,
            update.amount_minor,
            update.currency,
            payment.amount_minor,
            payment.currency,
        )
        reason = f"the provider reported {update.amount_minor} {update.currency} (event {update.event_id})"
        Payment.objects.filter(id=payment.id).update(review_reason=reason[:200])
        return "amount mismatch"
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        if not transition(
            payment, Payment.Status.SUCCEEDED, reason="provider update", extra={"succeeded_at": timezone.now()}
        ):
            return "raced"
    elif payment.status != Payment.Status.SUCCEEDED:
        return "already settled"
    order = Order.objects.select_related("store").get(id=payment.order_id)
    if order.status == Order.Status.PENDING_PAYMENT:
        if not transition(order, Order.Status.PAID, reason="payment succeeded", extra={"paid_at": timezone.now()}):
            return "raced"
        event_order_paid(order=order)
        if order.kind == Order.Kind.PURCHASE:
            _ship_purchase(order)
        else:
            outbox_put(topic=TOPIC_GIFT_PAID, key=f"gift-paid:{order.id}", payload={"order_id": order.id})
        return "paid"
    if order.status in (Order.Status.CANCELLED, Order.Status.PAYMENT_FAILED):
        # The money came after we gave up on it (payment window over, stock released): give it back.
        refund_request(
            payment=payment, amount_minor=payment.amount_minor, reason=Refund.Reason.LATE_PAYMENT, scope=order.id
        )
        return "late payment refunded"
    return "already paid"


def _ship_purchase(order: Order) -> None:
    line = order.lines.select_related("variant").get()
    shipment = shipment_create(
        store=order.store,
        recipient=order.buyer,
        ship_to=order.ship_to,
        lines=[
            {
                "product_title": line.product_title,
                "variant_name": line.variant_name,
                "sku": line.variant.sku,
                "quantity": line.quantity,
            }
        ],
    )
    Order.objects.filter(id=order.id).update(shipment=shipment)


def _failed(payment: Payment) -> str:
    if payment.status != Payment.Status.PENDING:
        return "already settled"
    if not transition(payment, Payment.Status.FAILED, reason="provider update"):
        return "raced"
    order = Order.objects.get(id=payment.order_id)
    if order_give_up(order=order, to=Order.Status.PAYMENT_FAILED, reason="payment failed"):
        return "failed"
    return "failed (order already closed)"


def order_give_up(*, order: Order, to: str, reason: str) -> bool:
    """An unpaid order ends (payment failed, or its window closed): release its stock once."""
    if order.status != Order.Status.PENDING_PAYMENT or not transition(order, to, reason=reason):
        return False
    for payment in order.payments.filter(status=Payment.Status.PENDING):
        transition(payment, Payment.Status.FAILED, reason=reason)
    for line in order.lines.all():
        stock_release(variant_id=line.variant_id, quantity=line.quantity)
    if order.kind == Order.Kind.GIFT:
        outbox_put(topic=TOPIC_GIFT_UNPAID, key=f"gift-unpaid:{order.id}", payload={"order_id": order.id})
    return True
