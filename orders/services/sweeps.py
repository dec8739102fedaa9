"""Periodic jobs on orders and payments (each is also a management command).

Deadlines live in the database (Order.pay_by) and one job sweeps what is due; conditional
updates make two overlapping runs harmless.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Now

from orders.models import Order, Payment, WebhookEvent
from orders.payments import get_provider
from orders.payments.base import PaymentUpdate, ProviderError
from orders.services.payments import order_give_up, payment_apply_update

logger = logging.getLogger(__name__)


def orders_cancel_unpaid(*, limit: int = 200) -> int:
    """Cancel orders still unpaid after their payment window; their stock goes back on sale. An
    order whose payment awaits review (Payment.review_reason: money came, but not the amount
    asked) is left for the admin."""
    due = (
        Order.objects.filter(status=Order.Status.PENDING_PAYMENT, pay_by__lte=Now())
        .exclude(Exists(Payment.objects.filter(order=OuterRef("pk")).exclude(review_reason="")))
        .order_by("pay_by", "id")
    )
    cancelled = 0
    for order in list(due[:limit]):
        with transaction.atomic():
            if order_give_up(order=order, to=Order.Status.CANCELLED, reason="payment window closed"):
                cancelled += 1
    return cancelled


def payments_reconcile(*, older_than_seconds: int | None = None, limit: int = 200) -> dict:
    """Ask the provider about payments still pending after a while (a dropped or delayed webhook)
    and apply its answer as an update. Returns {outcome: count}."""
    age = timedelta(seconds=older_than_seconds if older_than_seconds is not None else settings.RECONCILE_AFTER_SECONDS)
    # Pending ones first; then ones we gave up on lately (their window closed: money may still have
    # come), each only until the provider has confirmed it failed, so they never crowd out the rest.
    pending = Payment.objects.filter(status=Payment.Status.PENDING, created_at__lte=Now() - age)
    confirmed_failed = WebhookEvent.objects.filter(
        provider=OuterRef("provider"), event_id=Concat(Value("reconcile:"), Cast(OuterRef("id"), CharField()),
                                                       Value(":failed"))
    )
    given_up = Payment.objects.filter(status=Payment.Status.FAILED, created_at__gte=Now() - timedelta(days=1)).exclude(
        Exists(confirmed_failed)
    )
    batch = list(pending.exclude(provider_ref="").order_by("created_at", "id")[:limit])
    batch += list(given_up.exclude(provider_ref="").order_by("created_at", "id")[: max(0, limit - len(batch))])
    outcomes = {}
    for payment in batch:
        try:
            state = get_provider(payment.provider).query_payment(provider_ref=payment.provider_ref)
        except ProviderError as exc:
            logger.warning("reconcile: payment %s: %s", payment.id, exc)
            outcomes["provider error"] = outcomes.get("provider error", 0) + 1
            continue
        if state.status == "pending":
            outcomes["still pending"] = outcomes.get("still pending", 0) + 1
            continue
        update = PaymentUpdate(
            event_id=f"reconcile:{payment.id}:{state.status}", event_type=f"reconcile.{state.status}",
            provider_ref=state.provider_ref, status=state.status, amount_minor=state.amount_minor,
            currency=state.currency, raw={"source": "reconcile"},
        )
        outcome = payment_apply_update(provider=payment.provider, update=update)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
