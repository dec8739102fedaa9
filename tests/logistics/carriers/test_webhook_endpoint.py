"""POST /api/v1/logistics/webhooks/<carrier>/: verified against the raw body, queued in the outbox,
answered with the carrier's own acknowledgement; applied by the relay (as the worker would)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from giftshop.models import OutboxMessage
from logistics.carriers import kuaidi100
from logistics.models import Shipment, TrackingEvent
from tests.gifts.helpers import drain_outbox
from tests.logistics.carriers.pushes import (
    AFTERSHIP_SECRET,
    KUAIDI100_SALT,
    SANDBOX_SECRET,
    aftership_body,
    aftership_headers,
    kuaidi100_body,
    kuaidi100_param,
    sandbox_body,
    sandbox_headers,
)

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
SOON = timezone.now() + timedelta(hours=1)


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.SANDBOX_CARRIER_SECRET = SANDBOX_SECRET
    settings.AFTERSHIP_WEBHOOK_SECRET = AFTERSHIP_SECRET
    settings.KUAIDI100_SALT = KUAIDI100_SALT


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # carriers send no CSRF token: the endpoint is exempt


def url(carrier):
    return f"/api/v1/logistics/webhooks/{carrier}/"


def iso(hours):
    return (SOON + timedelta(hours=hours)).isoformat()


def china(hours):
    return (SOON + timedelta(hours=hours)).astimezone(kuaidi100.CHINA).strftime("%Y-%m-%d %H:%M:%S")


def post_sandbox(client, body, headers=None):
    return client.post(url("sandbox"), body, content_type="application/json",
                       headers=sandbox_headers(body) if headers is None else headers)


def post_aftership(client, body, headers=None):
    return client.post(url("aftership"), body, content_type="application/json",
                       headers=aftership_headers(body) if headers is None else headers)


def post_kuaidi100(client, body):
    return client.post(url("kuaidi100"), body, content_type=FORM)


def stored(shipment):
    return list(TrackingEvent.objects.filter(shipment=shipment).order_by("occurred_at").values_list("status",
                                                                                                    flat=True))


def assert_refused(response):
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"


# --- the sandbox carrier ----------------------------------------------------------------------


def test_a_good_sandbox_push_is_acknowledged_queued_and_applied(client, dispatched):
    shipment = dispatched("DLV600")
    body = sandbox_body("DLV600", [(1, "IN_TRANSIT", iso(1)), (2, "OUT_FOR_DELIVERY", iso(2))])

    response = post_sandbox(client, body)

    assert response.status_code == 200 and response.json() == {"ok": True}
    assert OutboxMessage.objects.filter(topic="logistics.apply_tracking", status="pending").count() == 1
    assert stored(shipment) == ["info_received"]  # nothing applied before the relay runs
    drain_outbox()
    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "out_for_delivery"]
    assert (shipment.status, shipment.carrier_status) == ("out_for_delivery", "OUT_FOR_DELIVERY")


@pytest.mark.parametrize("case", ["tampered", "missing", "wrong-secret"])
def test_a_bad_sandbox_push_is_a_400_and_nothing_is_stored(client, dispatched, case):
    shipment = dispatched("DLV601")
    body = sandbox_body("DLV601", [(3, "DELIVERED", iso(3))])
    queued = OutboxMessage.objects.count()
    headers = {"tampered": sandbox_headers(body), "missing": {},
               "wrong-secret": sandbox_headers(body, secret="whsec_not_ours")}[case]
    if case == "tampered":
        body = body.replace(b"DELIVERED", b"RETURNED")

    response = post_sandbox(client, body, headers=headers)
    drain_outbox()

    assert_refused(response)
    assert OutboxMessage.objects.count() == queued
    shipment.refresh_from_db()
    assert shipment.status == "info_received" and stored(shipment) == ["info_received"]


def test_a_sandbox_push_replayed_stores_each_checkpoint_once(client, dispatched):
    shipment = dispatched("DLV602")
    body = sandbox_body("DLV602", [(1, "IN_TRANSIT", iso(1)), (3, "DELIVERED", iso(3))])
    headers = sandbox_headers(body)

    first, second = post_sandbox(client, body, headers), post_sandbox(client, body, headers)
    drain_outbox()
    post_sandbox(client, body)  # and once more, freshly signed, after it was applied
    drain_outbox()

    assert first.status_code == second.status_code == 200
    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "delivered"]
    assert shipment.status == "delivered" and shipment.delivered_at == SOON + timedelta(hours=3)


# --- AfterShip ----------------------------------------------------------------------------------


def test_a_good_aftership_push_is_acknowledged_with_a_200_and_applied(client, dispatched):
    shipment = dispatched("SF700", carrier="aftership")
    body = aftership_body("SF700", [(iso(1), "InTransit", "InTransit_002", "Departed"),
                                    (iso(2), "OutForDelivery", "OutForDelivery_001", "On the van")])

    response = post_aftership(client, body)
    drain_outbox()

    assert response.status_code == 200
    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "out_for_delivery"]
    assert (shipment.status, shipment.carrier_status) == ("out_for_delivery", "OutForDelivery/OutForDelivery_001")


@pytest.mark.parametrize("case", ["tampered", "missing", "wrong-secret", "no-secret-configured"])
def test_a_bad_aftership_push_is_a_400_and_nothing_is_stored(client, dispatched, settings, case):
    shipment = dispatched("SF701", carrier="aftership")
    body = aftership_body("SF701", [(iso(1), "Delivered", "", "Delivered")])
    queued = OutboxMessage.objects.count()
    headers = aftership_headers(body, secret="not-ours") if case == "wrong-secret" else aftership_headers(body)
    if case == "missing":
        headers = {}
    if case == "tampered":
        body = body.replace(b"Delivered", b"Exception")
    if case == "no-secret-configured":
        settings.AFTERSHIP_WEBHOOK_SECRET = ""
        headers = aftership_headers(body, secret="")

    response = post_aftership(client, body, headers=headers)
    drain_outbox()

    assert_refused(response)
    assert OutboxMessage.objects.count() == queued
    shipment.refresh_from_db()
    assert shipment.status == "info_received" and stored(shipment) == ["info_received"]


def test_an_aftership_push_replayed_and_its_retry_with_more_news_store_each_checkpoint_once(client, dispatched):
    shipment = dispatched("SF702", carrier="aftership")
    first = aftership_body("SF702", [(iso(1), "InTransit", "", "Departed")], event_id="evt-1")
    second = aftership_body("SF702", [(iso(1), "InTransit", "", "Departed"),
                                      (iso(2), "Exception", "Exception_011", "Returned to sender")], event_id="evt-2")

    answers = [post_aftership(client, b).status_code for b in (first, first, second, second)]
    drain_outbox()

    assert answers == [200, 200, 200, 200]
    assert OutboxMessage.objects.filter(topic="logistics.apply_tracking").count() == 2
    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "returned"]
    assert shipment.status == "returned"


# --- Kuaidi100 ----------------------------------------------------------------------------------


def test_a_good_kuaidi100_push_is_acknowledged_the_kuaidi100_way_and_applied(client, dispatched):
    shipment = dispatched("SF800", carrier="kuaidi100")
    param = kuaidi100_param("SF800", [(china(2), "派件中"), (china(1), "已发往上海")], "5")

    response = post_kuaidi100(client, kuaidi100_body(param))
    drain_outbox()

    assert response.status_code == 200
    answer = response.json()
    assert answer["result"] is True and answer["returnCode"] == "200" and answer["message"]
    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "out_for_delivery"]
    assert (shipment.status, shipment.carrier_status) == ("out_for_delivery", "5")


@pytest.mark.parametrize("case", ["tampered", "missing-sign", "wrong-salt"])
def test_a_bad_kuaidi100_push_is_a_400_and_nothing_is_stored(client, dispatched, case):
    shipment = dispatched("SF801", carrier="kuaidi100")
    param = kuaidi100_param("SF801", [(china(1), "已签收")], "3")
    body = {
        "tampered": urlencode({"param": param.replace('"3"', '"4"'), "sign": kuaidi100.sign(KUAIDI100_SALT, param)}),
        "missing-sign": urlencode({"param": param}),
        "wrong-salt": kuaidi100_body(param, salt="not-ours").decode(),
    }[case]
    queued = OutboxMessage.objects.count()

    response = post_kuaidi100(client, body.encode())
    drain_outbox()

    assert_refused(response)
    assert OutboxMessage.objects.count() == queued
    shipment.refresh_from_db()
    assert shipment.status == "info_received" and stored(shipment) == ["info_received"]


def test_kuaidi100_pushes_resent_with_the_whole_history_store_each_checkpoint_once(client, dispatched):
    shipment = dispatched("SF802", carrier="kuaidi100")
    older = [(china(1), "已发往上海")]
    newer = [(china(3), "已签收"), (china(2), "派件中"), *older]
    pushes = [kuaidi100_param("SF802", older, "0"), kuaidi100_param("SF802", newer[1:], "5"),
              kuaidi100_param("SF802", newer, "3", status="shutdown")]

    for param in [*pushes, pushes[-1]]:
        assert post_kuaidi100(client, kuaidi100_body(param)).status_code == 200
        drain_outbox()

    shipment.refresh_from_db()
    assert stored(shipment) == ["info_received", "in_transit", "out_for_delivery", "delivered"]
    assert shipment.status == "delivered"


def test_a_kuaidi100_abort_push_expires_the_parcel(client, dispatched):
    shipment = dispatched("SF803", carrier="kuaidi100")
    param = kuaidi100_param("SF803", [(china(1), "已发往上海")], "0", status="abort")

    post_kuaidi100(client, kuaidi100_body(param))
    post_kuaidi100(client, kuaidi100_body(param))
    drain_outbox()

    shipment.refresh_from_db()
    assert shipment.status == "expired"
    assert stored(shipment) == ["info_received", "in_transit", "expired"]


# --- any carrier ---------------------------------------------------------------------------------


def test_an_unknown_carrier_is_a_json_404(client):
    response = client.post(url("pigeon"), b"{}", content_type="application/json")

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_only_post_is_allowed(client):
    assert client.get(url("sandbox")).status_code == 405


def test_a_push_for_a_parcel_we_do_not_know_is_acknowledged_and_changes_nothing(client, dispatched):
    shipment = dispatched("DLV604")
    body = sandbox_body("DLV999", [(3, "DELIVERED", iso(3))])

    response = post_sandbox(client, body)
    drain_outbox()

    assert response.status_code == 200
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.INFO_RECEIVED
    assert TrackingEvent.objects.filter(status="delivered").count() == 0


def test_one_carriers_push_never_moves_a_parcel_of_another_carrier(client, dispatched):
    # The sandbox's secret has a development default: its pushes must not reach real carriers' parcels.
    shipment = dispatched("SF805", carrier="kuaidi100")
    body = sandbox_body("SF805", [(3, "DELIVERED", iso(3))])

    response = post_sandbox(client, body)
    drain_outbox()

    assert response.status_code == 200
    shipment.refresh_from_db()
    assert shipment.status == "info_received" and stored(shipment) == ["info_received"]


def test_a_push_moves_the_parcel_of_its_own_carrier_when_two_carriers_share_a_number(client, dispatched):
    theirs, ours = dispatched("SF806", carrier="kuaidi100"), dispatched("SF806-B", carrier="aftership")
    Shipment.objects.filter(id=ours.id).update(tracking_number="SF806")
    body = aftership_body("SF806", [(iso(1), "Delivered", "", "Signed")])

    post_aftership(client, body)
    drain_outbox()

    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert (theirs.status, ours.status) == ("info_received", "delivered")
