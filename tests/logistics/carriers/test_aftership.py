"""AfterShip-style pushes: base64(HMAC-SHA256(secret, raw body)) in `aftership-hmac-sha256`, and the
parser (a pure function of secret, headers and body)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.carriers import aftership
from logistics.carriers.aftership import AfterShipCarrier, parse_push
from logistics.carriers.base import CarrierUnavailable, InvalidSignature
from tests.logistics.carriers.pushes import AFTERSHIP_SECRET, aftership_body, aftership_headers

CHECKPOINTS = [
    ("2024-05-01T09:00:00+08:00", "InfoReceived", "InfoReceived_001", "Label created"),
    ("2024-05-01T18:30:00+08:00", "InTransit", "InTransit_002", "Departed Shenzhen hub"),
]


def test_a_push_signed_with_the_secret_is_parsed():
    body = aftership_body("SF300", CHECKPOINTS)

    [update] = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)

    assert (update.carrier, update.tracking_number) == ("aftership", "SF300")
    assert [(c.status, c.description) for c in update.checkpoints] == [
        ("info_received", "Label created"), ("in_transit", "Departed Shenzhen hub")]
    assert update.checkpoints[1].occurred_at.isoformat() == "2024-05-01T18:30:00+08:00"
    assert update.checkpoints[1].location == "Shenzhen, CHN"


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body():
    # A known vector: computed independently of the module with the standard library's primitives.
    import base64
    import hashlib
    import hmac

    body = b'{"event":"tracking_update"}'
    expected = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()

    assert aftership.sign("s3cret", body) == expected


def test_a_tampered_body_is_refused():
    body = aftership_body("SF301", CHECKPOINTS)
    headers = aftership_headers(body)

    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers=headers, body=body.replace(b"SF301", b"SF999"))


def test_a_missing_signature_header_is_refused():
    body = aftership_body("SF302", CHECKPOINTS)

    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers={}, body=body)
    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers={aftership.SIGNATURE_HEADER: ""}, body=body)


def test_a_push_signed_with_another_secret_is_refused():
    body = aftership_body("SF303", CHECKPOINTS)

    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body, secret="not-ours"), body=body)


def test_with_no_secret_configured_every_push_is_refused():
    body = aftership_body("SF304", CHECKPOINTS)

    with pytest.raises(InvalidSignature):
        parse_push(secret="", headers=aftership_headers(body, secret=""), body=body)


def test_a_signature_header_with_non_ascii_characters_is_refused_not_a_crash():
    body = aftership_body("SF305", CHECKPOINTS)

    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers={aftership.SIGNATURE_HEADER: "sïgnature"}, body=body)


@pytest.mark.parametrize("body", [
    b"not json",
    b"\xff\xfe",
    b"[]",
    b'{"msg": []}',
    b'{"msg": {"tracking_number": "SF1", "checkpoints": ["nope"]}}',
    b'{"msg": {"tracking_number": "SF1", "checkpoints": [{"tag": "InTransit"}]}}',
    b'{"msg": {"tracking_number": "SF1", "checkpoints": [{"checkpoint_time": "yesterday"}]}}',
    b'{"msg": {"tracking_number": "SF1", "checkpoints": {"a": 1}}}',
    b'{"msg": {"tracking_number": "SF1", "tag": "InTransit", "updated_at": 100000000000000000000}}',
    b'{"msg": {"tracking_number": "SF1", "tag": "InTransit", "updated_at": -100000000000000000000}}',
])
def test_a_well_signed_but_malformed_push_is_refused_not_a_crash(body):
    with pytest.raises(InvalidSignature):
        parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)


def test_the_same_checkpoint_in_two_pushes_has_the_same_key():
    first = aftership_body("SF306", CHECKPOINTS[:1], event_id="evt-1")
    second = aftership_body("SF306", CHECKPOINTS, event_id="evt-2")

    [a] = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(first), body=first)
    [b] = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(second), body=second)

    assert a.checkpoints[0].key == b.checkpoints[0].key
    assert b.checkpoints[0].key != b.checkpoints[1].key


def test_a_push_without_checkpoints_records_the_tracking_level_tag():
    body = json.dumps({"event": "tracking_update", "event_id": "e", "ts": 1714550400,
                       "msg": {"tracking_number": "SF307", "tag": "Exception", "subtag": "Exception_011",
                               "updated_at": "2024-05-03T10:00:00+00:00", "checkpoints": []}}).encode()

    [update] = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)

    [checkpoint] = update.checkpoints
    assert (checkpoint.status, checkpoint.raw_status) == ("returned", "Exception/Exception_011")
    assert checkpoint.occurred_at.isoformat() == "2024-05-03T10:00:00+00:00"


def test_registering_and_pulling_say_the_carrier_is_unavailable_and_a_push_is_acknowledged():
    carrier = AfterShipCarrier()

    with pytest.raises(CarrierUnavailable):
        carrier.register(tracking_number="SF308")
    with pytest.raises(CarrierUnavailable):
        carrier.fetch(tracking_number="SF308")
    assert carrier.ack(ok=True).status_code == 200


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["msg", "tracking_number", "checkpoints", "tag", "subtag", "checkpoint_time", "message",
                         "updated_at", "ts", "city"]), inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_well_signed_body_is_either_parsed_or_refused_never_a_crash(data):
    body = json.dumps(data).encode()

    try:
        updates = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)
    except InvalidSignature:
        return
    assert all(c.occurred_at.tzinfo for u in updates for c in u.checkpoints)
