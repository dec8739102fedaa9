"""A well-signed payment notice whose fields the database cannot keep (found by fuzzing the webhook
with the sandbox's secret): a 400 invalid_signature that records and changes nothing, not a 500
(PostgreSQL refuses NUL characters and over-long values; 1e400 is an OverflowError)."""

import json

import pytest

from orders.models import Order, Payment, WebhookEvent
from tests.orders.helpers import create_order, event_body, post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(user_api, variant, address):
    return Order.objects.get(id=create_order(user_api, variant, address).json()["id"])


@pytest.fixture
def payment(order):
    return order.payments.get()


def _event(payment, **changes):
    event = json.loads(event_body(payment))
    obj = changes.pop("object", {})
    event["data"]["object"].update(obj)
    event.update(changes)
    return json.dumps(event).encode()


def _bodies(payment):
    return {
        "amount 1e400": _event(payment).replace(f'"amount": {payment.amount_minor}'.encode(), b'"amount": 1e400'),
        "amount Infinity": _event(payment).replace(f'"amount": {payment.amount_minor}'.encode(), b'"amount": Infinity'),
        "amount 10**30": _event(payment, object={"amount": 10**30}),
        "NUL in the event id": _event(payment, id="evt_\x00"),
        "NUL in the charge id": _event(payment, object={"id": payment.provider_ref + "\x00"}),
        "NUL elsewhere": _event(payment, note={"a\x00": "b"}),
        "NaN elsewhere": _event(payment).replace(b'"type"', b'"extra": NaN, "type"'),
        "event id of 101 characters": _event(payment, id="e" * 101),
        "type of 61 characters": _event(payment, type="t" * 61),
        "nested too deeply": b"[" * 50_000 + b"]" * 50_000,
    }


CASES = [
    "amount 1e400", "amount Infinity", "amount 10**30", "NUL in the event id", "NUL in the charge id",
    "NUL elsewhere", "NaN elsewhere", "event id of 101 characters", "type of 61 characters", "nested too deeply",
]


@pytest.mark.parametrize("case", CASES)
def test_a_signed_notice_the_database_cannot_keep_is_refused(client, order, payment, case):
    response = post_webhook(client, _bodies(payment)[case])

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and order.status == Order.Status.PENDING_PAYMENT


def test_the_longest_event_id_and_type_are_still_recorded(client, order, payment):
    response = post_webhook(client, _event(payment, id="e" * 100, type="payment.succeeded" + "x" * 43))

    assert response.status_code == 200, response.content
    assert WebhookEvent.objects.get().event_id == "e" * 100
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
