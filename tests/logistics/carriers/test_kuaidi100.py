"""Kuaidi100 (快递100) subscription pushes: a form POST with `param` (JSON) and
`sign = MD5(param + salt)`, and the parser (a pure function of salt and body)."""

import hashlib
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.carriers import kuaidi100
from logistics.carriers.base import CarrierUnavailable, InvalidSignature
from logistics.carriers.kuaidi100 import Kuaidi100Carrier, parse_push
from tests.logistics.carriers.pushes import KUAIDI100_SALT, kuaidi100_body, kuaidi100_param

DATA = [("2024-05-02 08:15:00", "【深圳市】快件已发往 上海"), ("2024-05-01 20:00:00", "【深圳市】顺丰速运 已收取快件")]


def test_a_push_signed_with_the_salt_is_parsed():
    param = kuaidi100_param("SF400", DATA, "0")

    [update] = parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))

    assert (update.carrier, update.tracking_number) == ("kuaidi100", "SF400")
    assert sorted(c.description for c in update.checkpoints) == sorted(d for _, d in DATA)
    assert {c.location for c in update.checkpoints} == {"广东,深圳市"}


def test_the_sign_is_upper_case_md5_of_param_and_salt():
    expected = hashlib.md5(b'{"a":1}' + b"salt").hexdigest().upper()  # noqa: S324 - the provider's scheme

    assert kuaidi100.sign("salt", '{"a":1}') == expected


def test_a_lower_case_sign_is_accepted_too():
    param = kuaidi100_param("SF401", DATA, "0")

    [update] = parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param, sign=kuaidi100.sign(KUAIDI100_SALT,
                                                                                             param).lower()))

    assert update.tracking_number == "SF401"


def test_a_tampered_param_is_refused():
    param = kuaidi100_param("SF402", DATA, "0")
    body = urlencode({"param": param.replace("SF402", "SF999"), "sign": kuaidi100.sign(KUAIDI100_SALT, param)})

    with pytest.raises(InvalidSignature):
        parse_push(salt=KUAIDI100_SALT, body=body.encode())


@pytest.mark.parametrize("body", [
    lambda p: urlencode({"param": p}),
    lambda p: urlencode({"param": p, "sign": ""}),
    lambda p: urlencode({"sign": kuaidi100.sign(KUAIDI100_SALT, p)}),
    lambda p: "",
])
def test_a_missing_sign_or_param_is_refused(body):
    param = kuaidi100_param("SF403", DATA, "0")

    with pytest.raises(InvalidSignature):
        parse_push(salt=KUAIDI100_SALT, body=body(param).encode())


def test_a_push_signed_with_another_salt_is_refused():
    param = kuaidi100_param("SF404", DATA, "0")

    with pytest.raises(InvalidSignature):
        parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param, salt="not-ours"))


def test_with_no_salt_configured_every_push_is_refused():
    param = kuaidi100_param("SF405", DATA, "0")

    with pytest.raises(InvalidSignature):
        parse_push(salt="", body=kuaidi100_body(param, salt=""))


def test_a_sign_with_non_ascii_characters_is_refused_not_a_crash():
    param = kuaidi100_param("SF406", DATA, "0")

    with pytest.raises(InvalidSignature):
        parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param, sign="签名"))


@pytest.mark.parametrize("param", [
    "not json",
    "[]",
    '{"lastResult": []}',
    '{"lastResult": {"nu": "SF1", "data": ["x"]}}',
    '{"lastResult": {"nu": "SF1", "data": [{"time": "yesterday"}]}}',
    '{"lastResult": {"nu": "SF1", "data": [{"context": "no time"}]}}',
    '{"lastResult": {"nu": "SF1", "data": {"a": 1}}}',
])
def test_a_well_signed_but_malformed_push_is_refused_not_a_crash(param):
    with pytest.raises(InvalidSignature):
        parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))


def test_a_checkpoint_keeps_its_key_when_a_later_push_carries_it_again_under_a_newer_one():
    # Kuaidi100 pushes the whole history every time, newest first; `state` is the parcel's state now.
    first = kuaidi100_param("SF407", DATA[1:], "1")
    second = kuaidi100_param("SF407", DATA, "0")
    third = kuaidi100_param("SF407", [("2024-05-03 10:00:00", "已签收"), *DATA], "3")

    keys = [
        {c.description: c.key for c in parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(p))[0].checkpoints}
        for p in (first, second, third)
    ]

    collected = DATA[1][1]
    assert keys[0][collected] == keys[1][collected] == keys[2][collected]
    assert keys[1][DATA[0][1]] == keys[2][DATA[0][1]]
    assert len(set(keys[2].values())) == 3


def test_an_abort_push_is_the_same_checkpoint_each_time_it_is_sent():
    param = kuaidi100_param("SF408", [], "0", status="abort")

    [a] = parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))
    [b] = parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))

    assert [c.status for c in a.checkpoints] == ["expired"]
    assert [c.key for c in a.checkpoints] == [c.key for c in b.checkpoints]


def test_registering_and_pulling_say_the_carrier_is_unavailable_and_the_ack_is_kuaidi100s():
    carrier = Kuaidi100Carrier()

    with pytest.raises(CarrierUnavailable):
        carrier.register(tracking_number="SF409")
    with pytest.raises(CarrierUnavailable):
        carrier.fetch(tracking_number="SF409")
    ack = carrier.ack(ok=True)
    assert ack.status_code == 200
    assert json.loads(ack.content)["result"] is True and json.loads(ack.content)["returnCode"] == "200"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["status", "lastResult", "nu", "state", "data", "time", "ftime", "context", "statusCode",
                         "message"]), inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_well_signed_param_is_either_parsed_or_refused_never_a_crash(data):
    param = json.dumps(data, ensure_ascii=False)

    try:
        updates = parse_push(salt=KUAIDI100_SALT, body=kuaidi100_body(param))
    except InvalidSignature:
        return
    assert all(c.occurred_at.tzinfo for u in updates for c in u.checkpoints)
