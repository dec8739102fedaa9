"""Fixtures for the gifts API tests: a shop variant, the sender (alice, `user_api`), a friend
(mallory, `other_api`) with a saved address, and steps that drive a gift through the real API,
the sandbox payment provider and its signed webhook."""

import pytest
from django.urls import reverse

from gifts.models import Gift
from orders.models import Order
from orders.payments.sandbox import sandbox_deliver_webhooks
from tests.conftest import api_client_for
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox

GIFTS_URL = "/api/v1/gifts/"


@pytest.fixture
def variant(db):
    return VariantFactory(stock=10, price_minor=12345, name="Red")


@pytest.fixture
def friend_address(other_user):
    return AddressFactory(user=other_user, is_default=True, street="1 Secret Lane", phone="13912345678")


def claim_url(token, action=""):
    return f"/api/v1/claims/{token}/" + (f"{action}/" if action else "")


def token_of(share_url: str) -> str:
    return share_url.rstrip("/").rsplit("/", 1)[-1]


def pay_order(client, order_id, outcome="succeeded"):
    """Press the sandbox's button through the API, then let the sandbox deliver its signed webhook
    and the outbox carry the news to the gift."""
    payment = Order.objects.get(id=order_id).payments.get()
    response = client.post(
        reverse("payment-sandbox", kwargs={"payment_id": payment.id}), {"outcome": outcome}, format="json"
    )
    assert response.status_code == 202, response.content
    sandbox_deliver_webhooks()
    drain_outbox()


@pytest.fixture
def send_gift(user_api, variant):
    """POST /api/v1/gifts/ as the sender; returns the 201 body."""

    def send(client=None, **body):
        body = {"variant_id": variant.id, "quantity": 1, "mode": "single", "message": "Happy birthday!", **body}
        response = (client or user_api).post(GIFTS_URL, body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return send


@pytest.fixture
def open_gift(user_api, send_gift):
    """Send and pay a gift; returns (gift id, card token)."""

    def open_(client=None, **body):
        client = client or user_api
        created = send_gift(client, **body)
        pay_order(client, created["order_id"])
        detail = client.get(f"{GIFTS_URL}{created['id']}/").json()
        assert detail["status"] == Gift.Status.OPEN, detail
        return created["id"], token_of(detail["share_url"])

    return open_


@pytest.fixture
def friends(db):
    """make `n` more users, each with an API client and a default address: [(user, client, address)]."""

    def make(n, prefix="friend"):
        out = []
        for i in range(n):
            friend = UserFactory(username=f"{prefix}{i}", display_name=f"{prefix.title()} {i}")
            out.append((friend, api_client_for(friend), AddressFactory(user=friend, is_default=True)))
        return out

    return make
