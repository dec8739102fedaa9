"""Every raw status of each supported format maps onto ours exactly as shared/REFERENCE.md
"Carriers" documents it. The expected tables are written out here from the document, not read
from the code, so a wrong or missing row in logistics/carriers/statuses.py fails."""

import logging

import pytest

from logistics.carriers import aftership, kuaidi100, statuses
from logistics.carriers.sandbox import SandboxCarrier, timeline_for
from logistics.models import Shipment
from tests.logistics.carriers.pushes import (
    AFTERSHIP_SECRET,
    KUAIDI100_SALT,
    aftership_body,
    aftership_headers,
    kuaidi100_body,
    kuaidi100_param,
)

OURS = {s.value for s in Shipment.Status}

# REFERENCE.md, column "AfterShip tag".
AFTERSHIP_DOCUMENTED = {
    "Pending": "pending",
    "InfoReceived": "info_received",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AvailableForPickup": "available_for_pickup",
    "AttemptFail": "delivery_failed",
    "Delivered": "delivered",
    "Exception": "exception",
    "Expired": "expired",
}
# "Exception (return subtags)" → returning, "Exception (returned subtags)" → returned.
AFTERSHIP_RETURN_SUBTAGS = {"Exception_010": "returning", "Exception_011": "returned"}

# REFERENCE.md, column "Kuaidi100 `state`".
KUAIDI100_DOCUMENTED = {
    **dict.fromkeys(["101", "102"], "info_received"),
    **dict.fromkeys(["0", "1", "103", "1001", "1002", "1003", "7", "8", "10", "11", "12"], "in_transit"),
    "5": "out_for_delivery",
    "501": "available_for_pickup",
    **dict.fromkeys(["3", "301", "302", "303", "304"], "delivered"),
    "6": "returning",
    "4": "returned",
    **dict.fromkeys(["2", "13", "14"], "exception"),
    "401": "cancelled",
}

# The sandbox's codes, as its timelines (API.md "Sandboxes") walk through our statuses.
SANDBOX_DOCUMENTED = {
    "ACCEPTED": "info_received",
    "IN_TRANSIT": "in_transit",
    "OUT_FOR_DELIVERY": "out_for_delivery",
    "ATTEMPT_FAILED": "delivery_failed",
    "DELIVERED": "delivered",
    "RETURNING": "returning",
    "RETURNED": "returned",
    "EXCEPTION": "exception",
    "EXPIRED": "expired",
}


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize(("tag", "ours"), sorted(AFTERSHIP_DOCUMENTED.items()))
def test_each_aftership_tag_maps_as_documented(tag, ours, caplog):
    assert statuses.aftership_status(tag, "") == ours
    assert not _warnings(caplog)


@pytest.mark.parametrize(("subtag", "ours"), sorted(AFTERSHIP_RETURN_SUBTAGS.items()))
def test_the_aftership_return_subtags_of_exception_map_to_returning_and_returned(subtag, ours):
    assert statuses.aftership_status("Exception", subtag) == ours


def test_other_aftership_exception_subtags_stay_exception_and_subtags_of_other_tags_change_nothing():
    assert statuses.aftership_status("Exception", "Exception_004") == "exception"
    assert statuses.aftership_status("Delivered", "Delivered_001") == "delivered"
    assert statuses.aftership_status("InTransit", "Exception_011") == "in_transit"


def test_the_aftership_table_holds_exactly_the_documented_tags():
    assert statuses.AFTERSHIP_TAGS == AFTERSHIP_DOCUMENTED
    assert statuses.AFTERSHIP_SUBTAGS == AFTERSHIP_RETURN_SUBTAGS


@pytest.mark.parametrize(("state", "ours"), sorted(KUAIDI100_DOCUMENTED.items()))
def test_each_kuaidi100_state_maps_as_documented(state, ours, caplog):
    assert statuses.normalise(statuses.KUAIDI100_STATES, state, carrier="kuaidi100") == ours
    assert statuses.normalise(statuses.KUAIDI100_STATES, int(state), carrier="kuaidi100") == ours  # JSON numbers
    assert not _warnings(caplog)


def test_the_kuaidi100_table_holds_exactly_the_documented_states():
    assert statuses.KUAIDI100_STATES == KUAIDI100_DOCUMENTED


@pytest.mark.parametrize(("code", "ours"), sorted(SANDBOX_DOCUMENTED.items()))
def test_each_sandbox_code_maps_as_documented(code, ours):
    assert statuses.normalise(statuses.SANDBOX_CODES, code, carrier="sandbox") == ours


def test_every_code_the_sandbox_timelines_use_is_mapped_and_every_mapped_status_is_ours():
    used = {code for prefix in ("DLV", "FAIL", "RTN", "EXC", "STALE") for _, code, _, _ in timeline_for(prefix)}
    assert used == set(statuses.SANDBOX_CODES) == set(SANDBOX_DOCUMENTED)
    for table in (statuses.AFTERSHIP_TAGS, statuses.AFTERSHIP_SUBTAGS, statuses.KUAIDI100_STATES,
                  statuses.SANDBOX_CODES):
        assert set(table.values()) <= OURS


@pytest.mark.parametrize(
    ("prefix", "walk"),
    [
        ("DLV", ["info_received", "in_transit", "out_for_delivery", "delivered"]),
        ("FAIL", ["info_received", "in_transit", "out_for_delivery", "delivery_failed", "out_for_delivery",
                  "delivered"]),
        ("RTN", ["info_received", "in_transit", "out_for_delivery", "delivery_failed", "returning", "returned"]),
        ("EXC", ["info_received", "in_transit", "exception"]),
        ("STALE", ["info_received", "expired"]),
        ("ZZZ", ["info_received", "in_transit", "out_for_delivery", "delivered"]),  # any other prefix: delivered
    ],
)
def test_each_sandbox_timeline_walks_through_the_documented_statuses(prefix, walk):
    codes = [code for _, code, _, _ in timeline_for(f"{prefix}123")]
    assert [SANDBOX_DOCUMENTED[c] for c in codes] == walk


@pytest.mark.parametrize(
    ("table", "carrier", "raw"),
    [
        (statuses.AFTERSHIP_TAGS, "aftership", "Teleported"),
        (statuses.KUAIDI100_STATES, "kuaidi100", "999"),
        (statuses.SANDBOX_CODES, "sandbox", "LOST_IN_SPACE"),
    ],
)
def test_an_unknown_raw_status_maps_to_exception_and_is_logged(table, carrier, raw, caplog):
    with caplog.at_level(logging.WARNING, logger="logistics.carriers.statuses"):
        ours = statuses.normalise(table, raw, carrier=carrier)

    assert ours == "exception"
    assert any(carrier in m and raw in m for m in _warnings(caplog))


def test_an_unknown_aftership_tag_in_a_push_is_stored_as_exception_with_its_raw_tag_and_logged(caplog):
    body = aftership_body("SF100", [("2024-05-01T10:00:00+08:00", "Teleported", "", "beamed up")])

    with caplog.at_level(logging.WARNING, logger="logistics.carriers.statuses"):
        [update] = aftership.parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)

    [checkpoint] = update.checkpoints
    assert (checkpoint.status, checkpoint.raw_status) == ("exception", "Teleported")
    assert any("Teleported" in m for m in _warnings(caplog))


@pytest.mark.parametrize(("tag", "subtag", "ours", "raw"), [
    ("InTransit", "InTransit_001", "in_transit", "InTransit/InTransit_001"),
    ("Exception", "Exception_010", "returning", "Exception/Exception_010"),
    ("Exception", "Exception_011", "returned", "Exception/Exception_011"),
    ("AttemptFail", "", "delivery_failed", "AttemptFail"),
])
def test_an_aftership_push_keeps_the_raw_tag_and_subtag_beside_ours(tag, subtag, ours, raw):
    body = aftership_body("SF101", [("2024-05-01T10:00:00+08:00", tag, subtag, "news")])

    [update] = aftership.parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)

    assert [(c.status, c.raw_status) for c in update.checkpoints] == [(ours, raw)]


@pytest.mark.parametrize(("state", "ours"), [("0", "in_transit"), ("5", "out_for_delivery"), ("3", "delivered"),
                                             ("401", "cancelled"), ("6", "returning"), ("4", "returned")])
def test_a_kuaidi100_push_gives_its_newest_checkpoint_the_push_state(state, ours):
    param = kuaidi100_param("SF200", [("2024-05-02 09:00:00", "newest"), ("2024-05-01 09:00:00", "older")], state)

    [update] = kuaidi100.parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))

    newest = max(update.checkpoints, key=lambda c: c.occurred_at)
    assert (newest.status, newest.raw_status, newest.description) == (ours, state, "newest")


def test_a_kuaidi100_abort_push_adds_an_expired_checkpoint_after_the_newest_one():
    param = kuaidi100_param("SF201", [("2024-05-02 09:00:00", "in the hub")], "0", status="abort")

    [update] = kuaidi100.parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))

    latest = max(update.checkpoints, key=lambda c: (c.occurred_at, c.status == "expired"))
    assert (latest.status, latest.raw_status) == ("expired", "abort")
    assert [c.status for c in update.checkpoints].count("expired") == 1


def test_kuaidi100_times_are_china_time():
    param = kuaidi100_param("SF202", [("2024-05-02 09:00:00", "picked up")], "1")

    [update] = kuaidi100.parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))

    assert update.checkpoints[0].occurred_at.isoformat() == "2024-05-02T09:00:00+08:00"


def test_the_sandbox_carrier_reads_its_own_codes_from_a_signed_push(settings):
    from tests.logistics.carriers.pushes import SANDBOX_SECRET, sandbox_body, sandbox_headers

    settings.SANDBOX_CARRIER_SECRET = SANDBOX_SECRET
    body = sandbox_body("RTN1", [(4, "RETURNING", "2024-05-01T10:00:00+00:00"),
                                 (5, "RETURNED", "2024-05-01T11:00:00+00:00")])

    [update] = SandboxCarrier().parse_webhook(headers=sandbox_headers(body), body=body)

    assert [(c.key, c.status, c.raw_status) for c in update.checkpoints] == [
        ("sbx:4", "returning", "RETURNING"), ("sbx:5", "returned", "RETURNED")]
