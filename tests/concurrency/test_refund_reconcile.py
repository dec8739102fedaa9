"""Refunds the provider confirms late, under two beats (issue 13): two overlapping runs of the
reconcile-refunds job and the provider's own refund.updated webhooks all race to settle the same
refunds. Each refund succeeds once; each payment is refunded exactly what its refunds were; no
request fails. On PostgreSQL with real row locks and concurrent connections (SQLite: a few, serialised)."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now

from orders.models import Payment, Refund, SandboxRefund, SandboxWebhook
from orders.payments.sandbox import sandbox_deliver_webhooks
from orders.services.checkout import order_create_purchase
from orders.services.refunds import refund_rest, refunds_reconcile
from tests.concurrency.harness import run_concurrently
from tests.gifts.helpers import drain_outbox, pay
from tests.orders.helpers import make_variant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE = 1200


def test_two_beats_and_the_webhooks_settle_each_late_refund_once(scale, make_claimers, settings):
    # given paid purchases, each refunded in full, the provider answering "pending" for now
    settings.SANDBOX_REFUND_MODE = "pending"
    variant = make_variant(stock=500, price_minor=PRICE)
    orders = []
    for buyer, address_id in make_claimers(20 if scale.on_postgres else 4, prefix="buyer"):
        order = order_create_purchase(buyer=buyer, variant_id=variant.id, quantity=1, address_id=address_id)
        pay(order)
        refund_rest(order=order, reason=Refund.Reason.MERCHANT, scope=order.id)
        orders.append(order)
    drain_outbox()
    assert Refund.objects.filter(status=Refund.Status.PENDING).exclude(provider_ref="").count() == len(orders)

    # when the provider settles them, and two beats of the job and the webhook delivery all run at once
    past = Now() - timedelta(seconds=1)
    SandboxRefund.objects.update(settle_at=past)
    SandboxWebhook.objects.filter(body__contains='"refund.updated"').update(deliver_after=past)
    run = run_concurrently(
        [lambda: refunds_reconcile(older_than_seconds=0), lambda: refunds_reconcile(older_than_seconds=0),
         sandbox_deliver_webhooks, sandbox_deliver_webhooks],
        max_workers=4,
    )
    sandbox_deliver_webhooks()  # whatever a busy run left for its next round
    drain_outbox()

    # then nothing failed, every refund succeeded once, and each payment was refunded exactly once
    assert run.errors == [], [f"{type(e).__name__}: {e}" for e in run.errors][:3]
    assert set(Refund.objects.values_list("status", flat=True)) == {Refund.Status.SUCCEEDED}
    settled = sum(v.get("refunded", 0) for v in run.values if isinstance(v, dict))
    assert settled <= len(orders)  # the webhooks settled the rest; none twice
    for order in orders:
        payment = order.payments.get()
        assert (payment.status, payment.refunded_minor) == (Payment.Status.REFUNDED, PRICE)
        assert payment.refunds.count() == 1
