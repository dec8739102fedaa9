"""The whole path through HTTP: a paid gift is claimed through the claims API, the merchant
dispatches it through the merchant API, the sandbox carrier advances on its clock and pushes its
signed checkpoints to our webhook, the relay applies them; then the recipient, the sender and the
merchant each see it through their own API, and only what they may see."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gifts.tokens import gift_share_url
from logistics.carriers.sandbox import SandboxCarrier
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

STEP = 60  # seconds between the sandbox's checkpoints (SANDBOX_CARRIER_STEP_SECONDS), fixed below


@pytest.fixture(autouse=True)
def sandbox_step(settings):
    settings.SANDBOX_CARRIER_STEP_SECONDS = STEP


def steps_later(steps):
    moment = timezone.now() + timedelta(seconds=STEP * steps + 1)
    return lambda: moment


@pytest.fixture
def people():
    merchant, sender, friend = UserFactory(display_name="Mei"), UserFactory(display_name="Sam"), UserFactory(
        display_name="Fay")
    store = StoreFactory(owner=merchant, slug="tea-house")
    variant = VariantFactory(product__store=store, stock=5)
    address = AddressFactory(user=friend, street="7 Quiet Lane", phone="13700001111", recipient_name="Fay Wong")
    return {"merchant": merchant, "sender": sender, "friend": friend, "store": store, "variant": variant,
            "address": address}


def test_claim_dispatch_carrier_advances_delivered_and_each_party_sees_their_part(people):
    merchant, sender, friend = (api_client_for(people[k]) for k in ("merchant", "sender", "friend"))
    gift = paid_gift(sender=people["sender"], variant=people["variant"], message="For your new flat")
    token = gift_share_url(gift=gift).rstrip("/").rsplit("/", 1)[-1]

    # the friend accepts through the claims API
    claimed = friend.post(f"/api/v1/claims/{token}/", {"address_id": people["address"].id}, format="json",
                          headers={"Idempotency-Key": "claim-1"})
    assert claimed.status_code == 201, claimed.content
    shipment_id = claimed.json()["shipment_id"]

    # the merchant sees it waiting and dispatches it through the merchant API
    queue = merchant.get("/api/v1/merchant/stores/tea-house/shipments/?status=pending").json()["results"]
    assert [s["id"] for s in queue] == [shipment_id]
    dispatched = merchant.post(f"/api/v1/merchant/shipments/{shipment_id}/dispatch/",
                               {"carrier": "sandbox", "tracking_number": "DLV-HTTP-1"}, format="json")
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["status"] == "info_received"
    drain_outbox()  # the carrier registers the parcel and we pull what it knows

    # the carrier moves on two steps and pushes: the sender sees "out for delivery"
    assert SandboxCarrier(clock=steps_later(2)).push_due() == 1
    drain_outbox()
    [claim] = sender.get(f"/api/v1/gifts/{gift.id}/").json()["claims"]
    assert claim["status"] == "out_for_delivery"

    # ... and on to the end of its timeline: delivered
    assert SandboxCarrier(clock=steps_later(4)).push_due() == 1
    drain_outbox()

    # the recipient sees every checkpoint
    mine = friend.get(f"/api/v1/shipments/{shipment_id}/")
    assert mine.status_code == 200
    parcel = mine.json()
    assert parcel["status"] == "delivered" and parcel["delivered_at"] and parcel["tracking_number"] == "DLV-HTTP-1"
    assert [e["status"] for e in parcel["events"]] == ["info_received", "in_transit", "out_for_delivery",
                                                       "delivered"]
    assert [e["description"] for e in parcel["events"]][-1] == "Delivered, signed by the recipient"
    assert parcel["ship_to"]["street"] == "7 Quiet Lane"

    # the sender sees the milestone "delivered" and nothing of the address, phone or tracking
    seen = sender.get(f"/api/v1/gifts/{gift.id}/")
    assert seen.status_code == 200
    [claim] = seen.json()["claims"]
    assert claim["status"] == "delivered" and claim["recipient_display_name"] == "Fay"
    text = seen.content.decode()
    for secret in ("7 Quiet Lane", "13700001111", "Fay Wong", "DLV-HTTP-1", "tracking", "ship_to"):
        assert secret not in text
    assert sender.get(f"/api/v1/shipments/{shipment_id}/").status_code == 404

    # the merchant's queue shows it delivered (and no longer waiting), with its whole timeline
    everything = merchant.get("/api/v1/merchant/stores/tea-house/shipments/?status=all").json()["results"]
    assert [(s["id"], s["status"], s["overdue"]) for s in everything] == [(shipment_id, "delivered", False)]
    assert merchant.get("/api/v1/merchant/stores/tea-house/shipments/?status=pending").json()["results"] == []
    delivered = merchant.get("/api/v1/merchant/stores/tea-house/shipments/?status=delivered").json()["results"]
    assert [s["id"] for s in delivered] == [shipment_id]
    store_view = merchant.get(f"/api/v1/shipments/{shipment_id}/").json()
    assert [e["status"] for e in store_view["events"]] == [e["status"] for e in parcel["events"]]


def test_the_carrier_pushing_again_changes_nothing_for_anyone(people):
    friend = api_client_for(people["friend"])
    gift = paid_gift(sender=people["sender"], variant=people["variant"])
    token = gift_share_url(gift=gift).rstrip("/").rsplit("/", 1)[-1]
    shipment_id = friend.post(f"/api/v1/claims/{token}/", {"address_id": people["address"].id},
                              format="json").json()["shipment_id"]
    api_client_for(people["merchant"]).post(f"/api/v1/merchant/shipments/{shipment_id}/dispatch/",
                                            {"carrier": "sandbox", "tracking_number": "FAIL-HTTP-2"}, format="json")
    drain_outbox()
    SandboxCarrier(clock=steps_later(9)).push_due()
    drain_outbox()
    before = friend.get(f"/api/v1/shipments/{shipment_id}/").json()

    pushed_again = SandboxCarrier(clock=steps_later(9)).push_due()
    drain_outbox()

    assert pushed_again == 0
    after = friend.get(f"/api/v1/shipments/{shipment_id}/").json()
    assert after == before
    assert [e["status"] for e in after["events"]] == ["info_received", "in_transit", "out_for_delivery",
                                                      "delivery_failed", "out_for_delivery", "delivered"]
    assert json.dumps(after).count('"delivered"') == 2  # the last checkpoint and the status
