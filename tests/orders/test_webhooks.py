"""The payment webhook endpoint (POST /api/v1/payments/webhooks/sandbox/) and the sandbox's
delivery switches, end to end: only a verified notice with the right amount pays an order, once."""

import time
from datetime import timedelta

import pytest
from django.db.models.functions import Now

from logistics.models import Shipment
from orders.models import Order, Payment, WebhookEvent
from orders.payments.sandbox import sandbox_charge_complete
from orders.services.sweeps import orders_cancel_unpaid, payments_reconcile
from stores.models import Variant
from tests.orders.helpers import (
    create_order,
    deliver,
    event_body,
    make_all_webhooks_due,
    post_webhook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(user_api, variant, address):
    return Order.objects.get(id=create_order(user_api, variant, address).json()["id"])


@pytest.fixture
def payment(order):
    return order.payments.get()


def assert_nothing_changed(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and order.shipment_id is None
    assert payment.status == Payment.Status.PENDING
    assert not WebhookEvent.objects.exists()


def assert_paid_once(order):
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Shipment.objects.count() == 1 and order.shipment is not None
    assert order.payments.get().status == Payment.Status.SUCCEEDED


# --- security --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    ["forged", "stale_past", "stale_future", "missing_header", "malformed_header", "broken_json", "not_an_event"],
)
def test_a_notice_that_cannot_be_verified_is_400_and_changes_nothing(client, order, payment, how):
    # given
    body = event_body(payment)
    now = int(time.time())
    kwargs = {
        "forged": {"secret": "whsec_guessed"},
        "stale_past": {"timestamp": now - 301},
        "stale_future": {"timestamp": now + 330},  # margin: the time the request takes brings it closer
        "missing_header": {"signature": False},
        "malformed_header": {"signature": "v1=abc"},
        "broken_json": {},
        "not_an_event": {},
    }[how]
    if how == "broken_json":
        body = b'{"id": "evt_1", "type": "payment.succeeded", "data": {'
    if how == "not_an_event":
        body = b'{"id": "evt_1", "data": []}'
    # when
    response = post_webhook(client, body, **kwargs)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert_nothing_changed(order, payment)


def test_a_timestamp_just_inside_the_tolerance_is_accepted(client, order, payment):
    response = post_webhook(client, event_body(payment), timestamp=int(time.time()) - 290)

    assert response.status_code == 200
    assert_paid_once(order)


def test_a_replayed_notice_pays_once(client, order, payment):
    body = event_body(payment, event_id="evt_replayed")

    first = post_webhook(client, body)
    second = post_webhook(client, body)

    assert first.status_code == 200 and second.status_code == 200
    assert_paid_once(order)
    assert WebhookEvent.objects.filter(event_id="evt_replayed").count() == 1


@pytest.mark.parametrize(("amount_delta", "currency"), [(1, None), (-12800, None), (0, "USD")])
def test_a_notice_with_the_wrong_amount_or_currency_leaves_the_payment_pending(
    client, order, payment, amount_delta, currency
):
    body = event_body(payment, amount=payment.amount_minor + amount_delta, currency=currency)

    response = post_webhook(client, body)

    assert response.status_code == 200  # acknowledged: it is recorded, not retried forever
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT and payment.status == Payment.Status.PENDING
    assert not Shipment.objects.exists()
    assert WebhookEvent.objects.get().outcome == "amount mismatch"


def test_a_payment_of_the_wrong_amount_is_kept_for_review_past_its_payment_window(client, order, payment, variant):
    # given a notice of the wrong amount: money came, but not what was asked
    post_webhook(client, event_body(payment, amount=payment.amount_minor - 1))
    payment.refresh_from_db()
    assert payment.review_reason.startswith(f"the provider reported {payment.amount_minor - 1} ")
    stock = Variant.objects.get(id=variant.id).stock

    # when its payment window closes
    Order.objects.filter(id=order.id).update(pay_by=Now() - timedelta(seconds=1))
    cancelled = orders_cancel_unpaid()

    # then the sweep leaves it for the admin: not cancelled, its stock still held, the payment pending
    order.refresh_from_db()
    payment.refresh_from_db()
    assert cancelled == 0
    assert (order.status, payment.status) == (Order.Status.PENDING_PAYMENT, Payment.Status.PENDING)
    assert Variant.objects.get(id=variant.id).stock == stock


def test_a_notice_for_an_unknown_provider_is_404(client, payment):
    response = client.generic(
        "POST", "/api/v1/payments/webhooks/paypal/", event_body(payment), content_type="application/json"
    )

    assert response.status_code == 404
    assert not WebhookEvent.objects.exists()


def test_the_webhook_endpoint_takes_only_post(client):
    assert client.get("/api/v1/payments/webhooks/sandbox/").status_code == 405


# --- the sandbox's delivery switches ---------------------------------------------------------


def test_normal_delivery_pays_the_order(order, payment):
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="normal")

    assert deliver() == {"sent": 1, "failed": 0}
    assert_paid_once(order)


def test_duplicate_delivery_pays_once(order, payment):
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="duplicate")

    assert deliver() == {"sent": 2, "failed": 0}
    assert_paid_once(order)
    assert [e.outcome for e in WebhookEvent.objects.all()] == ["paid"]


def test_delayed_delivery_is_recovered_by_reconciliation_and_the_late_webhook_changes_nothing(order, payment):
    # given
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="delay")
    assert deliver() == {"sent": 0, "failed": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    # when
    outcomes = payments_reconcile(older_than_seconds=0)
    # then
    assert outcomes == {"paid": 1}
    assert_paid_once(order)
    # and the webhook that finally arrives is harmless
    make_all_webhooks_due()
    assert deliver() == {"sent": 1, "failed": 0}
    assert_paid_once(order)
    assert WebhookEvent.objects.get(event_type="payment.succeeded").outcome == "already paid"


def test_dropped_delivery_is_recovered_by_reconciliation(order, payment):
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="drop")
    make_all_webhooks_due()
    assert deliver() == {"sent": 0, "failed": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT

    assert payments_reconcile(older_than_seconds=0) == {"paid": 1}
    assert payments_reconcile(older_than_seconds=0) == {}  # settled: nothing more to ask

    assert_paid_once(order)


def test_dropped_failure_is_recovered_by_reconciliation_and_releases_stock(order, payment, variant):
    sandbox_charge_complete(ref=payment.provider_ref, outcome="failed", webhook_mode="drop")
    deliver()

    payments_reconcile(older_than_seconds=0)

    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert Variant.objects.get(id=variant.id).stock == 5


def test_reordered_delivery_a_late_processing_notice_does_not_undo_a_paid_order(order, payment):
    # given: the final notice first
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="reorder")
    assert deliver() == {"sent": 1, "failed": 0}
    assert_paid_once(order)
    # when: the earlier "processing" notice arrives last
    make_all_webhooks_due()
    assert deliver() == {"sent": 1, "failed": 0}
    # then
    assert_paid_once(order)
    assert WebhookEvent.objects.get(event_type="payment.processing").outcome == "informational"


def test_reconciliation_leaves_an_unpaid_charge_pending(order, payment):
    assert payments_reconcile(older_than_seconds=0) == {"still pending": 1}

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
