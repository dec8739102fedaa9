"""GET /api/v1/me/wallet/ through HTTP: the shape, the privacy rules of each part, whose data it
is, the first 20 of each list with their counts, flat queries, and its place in the schema."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.notices import notice_send
from logistics.services.tracking import shipments_sync_quiet
from tests.conftest import api_client_for
from tests.factories import UserFactory
from tests.gifts.helpers import drain_outbox
from tests.gifts.test_wallet_pages import (
    PHONE,
    PRICE_MINOR,
    STREET,
    later,
    price_forms,
    purchases,
    received_gifts,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/wallet/"
TIMES = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")


@pytest.fixture
def sender():
    return UserFactory(display_name="Sender Sun")


@pytest.fixture
def friend():
    return UserFactory(display_name="Friend Fang")


def text_of(part) -> str:
    return TIMES.sub("<time>", json.dumps(part, ensure_ascii=False))


def test_anonymous_requests_are_401_in_the_error_shape(api):
    response = api.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated" and response["WWW-Authenticate"]


def test_only_get_is_allowed(friend):
    response = api_client_for(friend).post(URL, {}, format="json")

    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_the_wallet_has_received_sent_orders_and_notices(sender, friend):
    claim, = received_gifts(sender, friend, thank=True)
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()

    mine = api_client_for(friend).get(URL).json()
    theirs = api_client_for(sender).get(URL).json()

    assert set(mine) == {"received", "sent", "orders", "notices", "counts"}
    received, = mine["received"]
    assert received["id"] == claim.id and received["status"] == "delivered"
    assert received["sender"] == {"display_name": "Sender Sun"} and received["message"] == "For you 0"
    assert received["product"]["title"] == "Jade cup 0" and received["cover"] == "red_packet"
    assert [e["status"] for e in received["shipment"]["events"]] == [
        "delivered", "out_for_delivery", "in_transit", "info_received"]
    assert received["shipment"]["events"][0]["location"] == "Front door"
    assert mine["sent"] == [] and mine["orders"] == []
    assert [n["kind"] for n in mine["notices"]] == ["parcel_delivered", "parcel_shipped"]
    assert mine["notices"][0]["text"] == "Your parcel (Jade cup 0) was delivered."
    sent, = theirs["sent"]
    assert sent["status"] == "claimed" and sent["accepted_by"] == ["Friend Fang"]
    assert sent["claims"][0]["recipient_display_name"] == "Friend Fang"
    assert sent["claims"][0]["status"] == "delivered" and sent["claims"][0]["thank_you_note"] == "Thanks a lot 0!"
    assert sent["total_minor"] == PRICE_MINOR and sent["refunded_minor"] == 0
    assert theirs["received"] == []
    assert theirs["counts"] == {"received": 0, "sent": 1, "orders": 0, "unread_notices": 4}


def test_orders_are_the_users_purchases_with_their_parcel(friend):
    order, = purchases(friend)

    orders = api_client_for(friend).get(URL).json()["orders"]

    assert [o["id"] for o in orders] == [order.id]
    assert orders[0]["kind"] == "purchase" and orders[0]["total_minor"] == 5000
    assert orders[0]["shipments"][0]["events"][0]["status"] == "info_received"


def test_the_received_part_never_carries_a_price(sender, friend):
    received_gifts(sender, friend, thank=True)

    body = api_client_for(friend).get(URL).json()

    for needle in price_forms() + ["price", "total", "amount"]:
        assert needle not in text_of(body["received"])
        assert needle not in text_of(body["notices"])  # the friend's own notices: no amounts either


def test_the_sent_part_never_carries_the_friends_address_phone_or_tracking_number(sender, friend):
    claim, = received_gifts(sender, friend, thank=True)
    claim.shipment.refresh_from_db()

    body = api_client_for(sender).get(URL).json()

    for part in ("sent", "notices"):
        text = text_of(body[part])
        for needle in (STREET, PHONE, claim.shipment.tracking_number, claim.shipment.reference, "ship_to",
                       "tracking", "shipment"):
            assert needle not in text, (part, needle)
    assert "Friend Fang" in text_of(body["sent"])


def test_another_users_data_never_appears(sender, friend):
    received_gifts(sender, friend, thank=True)
    purchases(friend)

    body = api_client_for(UserFactory()).get(URL).json()

    assert body == {"received": [], "sent": [], "orders": [], "notices": [],
                    "counts": {"received": 0, "sent": 0, "orders": 0, "unread_notices": 0}}


def test_each_list_holds_the_first_20_newest_first_and_counts_them_all(friend):
    for i in range(23):
        notice_send(user=friend, kind="parcel_shipped", key=f"n-{i}", params={"product": f"P{i}"})

    body = api_client_for(friend).get(URL).json()

    assert len(body["notices"]) == 20 and body["counts"]["unread_notices"] == 23
    assert body["notices"][0]["params"]["product"] == "P22" and body["notices"][-1]["params"]["product"] == "P3"


def test_notice_texts_follow_the_request_language(sender, friend):
    received_gifts(sender, friend)
    client = api_client_for(friend)

    english = client.get(URL).json()
    chinese = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    event = chinese["received"][0]["shipment"]["events"][0]
    assert english["received"][0]["shipment"]["events"][0]["status_display"] == "label created"
    assert event["status"] == "info_received" and event["status_display"] == "已生成面单"


def _queries(client):
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_wallet_costs_the_same_queries_for_1_and_20_of_everything(sender, friend):
    client = api_client_for(friend)

    def add(n):
        received_gifts(sender, friend, n, thank=True)  # friend: received; sender: told
        received_gifts(friend, UserFactory(), n, thank=True)  # friend: sent, and told
        purchases(friend, n)

    add(1)
    one, _ = _queries(client)
    add(19)
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()

    twenty, body = _queries(client)

    assert [len(body[k]) for k in ("received", "sent", "orders", "notices")] == [20, 20, 20, 20]
    assert all(len(claim["shipment"]["events"]) == 4 for claim in body["received"])
    assert one == twenty, f"the wallet API grew from {one} to {twenty} queries: a missing prefetch?"


def test_the_schema_documents_the_wallet(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/me/wallet/"]["get"]
    assert operation["operationId"] == "me_wallet" and "401" in operation["responses"]
    wallet = schema["components"]["schemas"]["Wallet"]
    assert set(wallet["required"]) >= {"received", "sent", "orders", "notices"}
    received = schema["components"]["schemas"]["WalletReceivedClaim"]["properties"]
    assert not {"price_minor", "total_minor", "amount_minor"} & set(received)
    sent_claim = schema["components"]["schemas"]["WalletSentClaim"]["properties"]
    assert not {"shipment", "tracking_number", "ship_to"} & set(sent_claim)
