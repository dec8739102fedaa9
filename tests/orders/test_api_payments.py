"""GET /api/v1/payments/<id>/ and POST /api/v1/payments/<id>/sandbox/ through the HTTP client."""

import pytest
from django.db.models.functions import Now

from giftshop.outbox import outbox_relay
from orders.models import Order, Payment, SandboxCharge, SandboxWebhook
from orders.services.sweeps import orders_cancel_unpaid
from tests.orders.helpers import create_order, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(user_api, variant, address):
    return Order.objects.get(id=create_order(user_api, variant, address, quantity=2).json()["id"])


@pytest.fixture
def payment(order):
    return order.payments.get()


def sandbox_url(payment):
    return f"/api/v1/payments/{payment.id}/sandbox/"


# --- payment detail --------------------------------------------------------------------------


def test_the_payer_sees_the_payment(user_api, order, payment):
    body = user_api.get(f"/api/v1/payments/{payment.id}/").json()

    assert body["id"] == payment.id and body["order_id"] == order.id
    assert body["provider"] == "sandbox" and body["status"] == "pending"
    assert body["amount_minor"] == 25600 and body["refunded_minor"] == 0 and body["currency"] == "CNY"
    assert body["refunds"] == []


def test_a_late_payment_shows_its_refund(user_api, order, payment):
    # given: the order was cancelled (window over), then the money came anyway
    Order.objects.filter(id=order.id).update(pay_by=Now())
    orders_cancel_unpaid()
    user_api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json")
    deliver()
    outbox_relay()
    # when
    body = user_api.get(f"/api/v1/payments/{payment.id}/").json()
    # then
    assert body["status"] == "refunded" and body["refunded_minor"] == 25600
    assert [(r["amount_minor"], r["reason"], r["status"]) for r in body["refunds"]] == [
        (25600, "late_payment", "succeeded")
    ]


def test_another_users_payment_is_404_and_anonymous_401(api, other_api, payment):
    assert other_api.get(f"/api/v1/payments/{payment.id}/").status_code == 404
    assert other_api.get("/api/v1/payments/999999/").json()["code"] == "not_found"
    assert api.get(f"/api/v1/payments/{payment.id}/").status_code == 401


# --- the sandbox's buttons -------------------------------------------------------------------


def test_sandbox_pay_is_202_and_the_order_moves_only_with_the_webhook(user_api, order, payment):
    # when
    response = user_api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json")
    # then: accepted, nothing paid yet
    assert response.status_code == 202
    assert response.json() == {"id": payment.id, "status": "pending"}
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    # and once the provider's signed webhook is delivered
    assert deliver() == {"sent": 1, "failed": 0}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.shipment is not None


def test_sandbox_fail_fails_the_order_after_the_webhook(user_api, order, payment, variant):
    assert user_api.post(sandbox_url(payment), {"outcome": "failed"}, format="json").status_code == 202
    deliver()

    order.refresh_from_db()
    payment.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED and payment.status == Payment.Status.FAILED
    assert variant.stock == 5


def test_sandbox_second_press_changes_nothing(user_api, order, payment):
    user_api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json")

    again = user_api.post(sandbox_url(payment), {"outcome": "failed"}, format="json")

    assert again.status_code == 202
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "succeeded"
    assert SandboxWebhook.objects.count() == 1


def test_sandbox_webhook_mode_is_passed_to_the_provider(user_api, order, payment):
    user_api.post(sandbox_url(payment), {"outcome": "succeeded", "webhook_mode": "duplicate"}, format="json")

    assert SandboxWebhook.objects.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"outcome": "maybe"},
        {"outcome": "succeeded", "webhook_mode": "teleport"},
        {"outcome": "failed", "x": 1},
        {"outcome": ["succeeded"]},
    ],
)
def test_sandbox_bad_input_is_400(user_api, payment, body):
    response = user_api.post(sandbox_url(payment), body, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "requires_action"


def test_sandbox_on_another_users_payment_is_404_whatever_the_body(other_api, api, payment):
    for body in ({"outcome": "succeeded"}, {"outcome": "nonsense"}):
        response = other_api.post(sandbox_url(payment), body, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json").status_code == 401
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "requires_action"


def test_sandbox_endpoint_is_404_when_the_sandbox_is_off(user_api, payment, settings):
    settings.SANDBOX_PAYMENTS_ENABLED = False

    response = user_api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json")

    assert response.status_code == 404
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "requires_action"


def test_sandbox_endpoint_is_404_for_a_payment_of_another_provider(user_api, payment):
    Payment.objects.filter(id=payment.id).update(provider="stripe")

    response = user_api.post(sandbox_url(payment), {"outcome": "succeeded"}, format="json")

    assert response.status_code == 404
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "requires_action"
