"""The sandbox carrier: Stripe-style signed pushes (`X-Sandbox-Signature: t=…,v1=…`), scripted
timelines on an injectable clock, and its pushes to our webhook."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from giftshop.models import OutboxMessage
from logistics.carriers.base import CarrierUnavailable, InvalidSignature
from logistics.carriers.sandbox import SandboxCarrier
from logistics.models import SandboxParcel
from tests.logistics.carriers.pushes import SANDBOX_SECRET, sandbox_body, sandbox_headers

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def carrier_secret(settings):
    settings.SANDBOX_CARRIER_SECRET = SANDBOX_SECRET
    settings.SANDBOX_CARRIER_STEP_SECONDS = 60


def at(steps, base=None):
    moment = (base or NOW) + timedelta(seconds=60 * steps)
    return lambda: moment


BODY = sandbox_body("DLV500", [(0, "ACCEPTED", "2024-05-01T10:00:00+00:00")])


def test_a_push_signed_with_the_secret_is_parsed():
    [update] = SandboxCarrier().parse_webhook(headers=sandbox_headers(BODY), body=BODY)

    assert (update.carrier, update.tracking_number) == ("sandbox", "DLV500")
    assert [(c.key, c.status) for c in update.checkpoints] == [("sbx:0", "info_received")]


@pytest.mark.parametrize(("headers", "body"), [
    (sandbox_headers(BODY), BODY.replace(b"DLV500", b"DLV999")),  # tampered body
    ({}, BODY),  # missing header
    ({"X-Sandbox-Signature": ""}, BODY),
    ({"X-Sandbox-Signature": "v1=abc"}, BODY),  # no timestamp
    (sandbox_headers(BODY, secret="whsec_not_ours"), BODY),  # wrong secret
    (sandbox_headers(BODY, timestamp=int(time.time()) - 3600), BODY),  # replayed an hour later
    (sandbox_headers(BODY, timestamp=int(time.time()) + 3600), BODY),  # from the future
    ({"X-Sandbox-Signature": f"t={int(time.time())},v1=sïgnature"}, BODY),  # non-ASCII
    (sandbox_headers(b"[]"), b"[]"),  # well signed, not a push
    (sandbox_headers(b'{"tracking_number": "X", "checkpoints": [{"code": "DELIVERED"}]}'),
     b'{"tracking_number": "X", "checkpoints": [{"code": "DELIVERED"}]}'),
], ids=["tampered", "missing", "empty", "no-timestamp", "wrong-secret", "stale", "future", "non-ascii",
        "not-a-push", "no-time"])
def test_a_bad_push_is_refused(headers, body):
    with pytest.raises(InvalidSignature):
        SandboxCarrier().parse_webhook(headers=headers, body=body)


def test_a_rotated_secret_still_verifies_when_one_of_several_signatures_matches():
    good = sandbox_headers(BODY)["X-Sandbox-Signature"]
    stamp, mac = good.split(",")
    header = f"{stamp},v1={'0' * 64},{mac}"

    [update] = SandboxCarrier().parse_webhook(headers={"X-Sandbox-Signature": header}, body=BODY)

    assert update.tracking_number == "DLV500"


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "steps", "statuses"), [
    ("DLV501", 0, ["info_received"]),
    ("DLV502", 1, ["info_received", "in_transit"]),
    ("DLV503", 3, ["info_received", "in_transit", "out_for_delivery", "delivered"]),
    ("DLV504", 99, ["info_received", "in_transit", "out_for_delivery", "delivered"]),
    ("FAIL505", 5, ["info_received", "in_transit", "out_for_delivery", "delivery_failed", "out_for_delivery",
                    "delivered"]),
    ("RTN506", 5, ["info_received", "in_transit", "out_for_delivery", "delivery_failed", "returning",
                   "returned"]),
    ("EXC507", 9, ["info_received", "in_transit", "exception"]),
    ("STALE508", 7, ["info_received"]),
    ("STALE509", 8, ["info_received", "expired"]),
])
def test_the_timeline_advances_one_checkpoint_per_step_on_the_carriers_clock(number, steps, statuses):
    SandboxCarrier(clock=at(0)).register(tracking_number=number)

    update = SandboxCarrier(clock=at(steps)).fetch(tracking_number=number)

    assert [c.status for c in update.checkpoints] == statuses
    assert [c.occurred_at for c in update.checkpoints] == sorted(c.occurred_at for c in update.checkpoints)
    assert update.checkpoints[0].occurred_at == NOW


@pytest.mark.django_db
def test_registering_twice_keeps_the_first_registration():
    SandboxCarrier(clock=at(0)).register(tracking_number="DLV510")
    SandboxCarrier(clock=at(2)).register(tracking_number="DLV510")

    assert SandboxParcel.objects.get(tracking_number="DLV510").registered_at == NOW


@pytest.mark.django_db
def test_an_unknown_parcel_cannot_be_pulled():
    with pytest.raises(CarrierUnavailable):
        SandboxCarrier().fetch(tracking_number="DLV511")


@pytest.mark.django_db
def test_push_due_sends_each_parcels_new_checkpoints_once_signed_to_our_webhook():
    start = timezone.now()
    SandboxCarrier(clock=at(0, start)).register(tracking_number="DLV512")
    SandboxCarrier(clock=at(0, start)).register(tracking_number="RTN513")

    first = SandboxCarrier(clock=at(1, start)).push_due()
    again = SandboxCarrier(clock=at(1, start)).push_due()
    later = SandboxCarrier(clock=at(3, start)).push_due()

    assert (first, again, later) == (2, 0, 2)
    assert dict(SandboxParcel.objects.values_list("tracking_number", "pushed")) == {"DLV512": 4, "RTN513": 4}
    queued = OutboxMessage.objects.filter(topic="logistics.apply_tracking").order_by("id")
    sent = [[c["key"] for c in m.payload["checkpoints"]] for m in queued if m.payload["tracking_number"] == "DLV512"]
    assert sent == [["sbx:0", "sbx:1"], ["sbx:2", "sbx:3"]]


@pytest.mark.django_db
def test_a_push_our_webhook_does_not_accept_is_sent_again_next_round(settings):
    start = timezone.now()
    SandboxCarrier(clock=at(0, start)).register(tracking_number="DLV514")
    carrier = SandboxCarrier(clock=at(1, start))
    carriers = settings.CARRIERS

    settings.CARRIERS = {}  # our endpoint knows no such carrier for a moment: it answers 404
    refused = carrier.push_due()
    settings.CARRIERS = carriers
    accepted = carrier.push_due()

    assert (refused, accepted) == (0, 1)
    assert SandboxParcel.objects.get(tracking_number="DLV514").pushed == 2
