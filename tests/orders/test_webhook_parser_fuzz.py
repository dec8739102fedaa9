"""Fuzzing the payment webhook's parser (SandboxProvider.parse_webhook, with giftshop.signing):
whatever the headers and body, it returns a PaymentUpdate the database can keep, or raises
InvalidSignature (the 400 the webhook view answers). Nothing else escapes: no KeyError, TypeError,
ValueError, UnicodeError, RecursionError or OverflowError.

Bodies come three ways: any bytes; JSON of any shape; and events shaped like the sandbox's (each
field valid, junk or missing) that are correctly signed, so the fuzz gets past the signature check
into the field parsing."""

import time

from django.conf import settings
from django.http.request import HttpHeaders
from hypothesis import example, given
from hypothesis import strategies as st

from giftshop import signing
from giftshop.storable import unstorable
from orders.payments.base import InvalidSignature, PaymentUpdate
from orders.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from tests.fuzz_inputs import (
    any_text,
    arbitrary_bytes,
    dump_bytes,
    fuzz_settings,
    header_text,
    json_values,
    mostly,
    returns_or_raises,
    shaped,
)

FUZZ = fuzz_settings(150)


def headers_of(**values) -> HttpHeaders:
    """Request headers as the view hands them over (case-insensitive; a None value is left out)."""
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in values.items() if value is not None}
    return HttpHeaders(meta)


def signed(body: bytes, extra: str = "") -> HttpHeaders:
    return headers_of(Stripe_Signature=signing.sign(settings.SANDBOX_PAYMENT_SECRET, body) + extra)


def a_storable_update(update):
    """What the webhook view goes on with: a PaymentUpdate whose every text is UTF-8 the database can keep."""
    assert isinstance(update, PaymentUpdate)
    assert update.status in {"succeeded", "failed", "pending"}
    assert all(isinstance(v, str) for v in (update.event_id, update.event_type, update.provider_ref, update.currency))
    assert type(update.amount_minor) is int and type(update.occurred_at) is int
    assert isinstance(update.raw, dict)
    texts = [update.event_id, update.event_type, update.provider_ref, update.currency, update.refund_provider_ref,
             update.refund_ref]
    assert all(isinstance(v, str) for v in texts)
    assert unstorable([*texts, update.raw]) is None
    "".join(texts).encode()
    dump_bytes(update.raw)  # jsonb: a lone surrogate's \ud800 escape is refused by PostgreSQL


def parse(headers, body):
    return returns_or_raises(
        lambda: SandboxProvider().parse_webhook(headers=headers, body=body), InvalidSignature, a_storable_update
    )


obj_fields = {
    "id": st.from_regex(r"ch_[0-9a-f]{24}", fullmatch=True) | any_text,
    "amount": st.integers(-10, 10**12) | st.sampled_from([1.5, "100", True, 10**19]),
    "currency": st.sampled_from(["CNY", "usd", ""]) | any_text,
    "status": st.sampled_from(["succeeded", "failed", "pending", "requires_action"]) | json_values,
}
# A refund's news (refund.updated): the refund object names its charge and carries our key.
refund_fields = {
    **obj_fields,
    "id": st.from_regex(r"re_[0-9a-f]{24}", fullmatch=True) | any_text,
    "object": st.just("refund") | json_values,
    "charge": st.from_regex(r"ch_[0-9a-f]{24}", fullmatch=True) | json_values,
    "metadata": mostly(shaped({"refund_ref": st.from_regex(r"refund:[0-9]{1,3}:merchant:[0-9]{1,3}(:[0-9])?",
                                                          fullmatch=True) | json_values})),
}
event_fields = {
    "id": st.from_regex(r"evt_[0-9a-f]{24}", fullmatch=True) | any_text,
    "type": st.sampled_from(["payment.succeeded", "payment.failed", "payment.processing"]) | any_text,
    "created": st.integers(0, 2**40) | st.sampled_from([1.5, "1714550400", 2**63]),
    "data": mostly(shaped({"object": mostly(shaped(obj_fields) | shaped(refund_fields))})),
}
events = mostly(shaped(event_fields))


# A signature header: missing, any text, or Stripe-shaped with odd timestamps and digests.
signature_headers = st.one_of(
    st.none(),
    header_text,
    st.builds(lambda t, v: f"t={t},v1={v}", st.one_of(st.integers(0, 10**20).map(str), header_text,
                                                        st.sampled_from(["١٧١٤٥٥٠٤٠٠", "²", "1" + "0" * 400])),
              header_text | st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
)


@FUZZ
@given(body=arbitrary_bytes, signature=signature_headers)
@example(body=b"{}", signature="t=1" + "0" * 400 + ",v1=00")  # a timestamp no float holds
@example(body=b"{}", signature=f"t={int(time.time())},v1=\u00e9")  # compare_digest refuses non-ASCII str
def test_any_body_with_any_signature_header(body, signature):
    parse(headers_of(Stripe_Signature=signature), body)


@FUZZ
@given(document=json_values, other_headers=st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z-]{0,20}", fullmatch=True),
                                                           header_text, max_size=3))
def test_any_json_correctly_signed(document, other_headers):
    body = dump_bytes(document)
    headers = dict(signed(body))
    headers.update({k: v for k, v in other_headers.items() if k.lower() != SIGNATURE_HEADER.lower()})
    parse(headers, body)


@FUZZ
@given(event=events, extra=st.sampled_from(["", ",v1=deadbeef", ",v1=\u00e9", ",t=x", ",,"]))
@example(event={"id": "\ud800", "type": "payment.succeeded", "created": 1,
                "data": {"object": {"id": "ch_1", "amount": 1, "currency": "CNY", "status": "succeeded"}}}, extra="")
@example(event={"id": "evt_1", "type": "payment.succeeded", "created": 1, "note": "\udc00",
                "data": {"object": {"id": "ch_1", "amount": 1, "currency": "CNY", "status": "succeeded"}}}, extra="")
def test_events_shaped_like_the_sandboxes_correctly_signed(event, extra):
    body = dump_bytes(event)
    parse(signed(body, extra), body)


def test_a_real_refund_event_still_parses():
    body = (b'{"id":"evt_2","type":"refund.updated","created":1714550400,"data":{"object":{"id":"re_1",'
            b'"object":"refund","charge":"ch_1","amount":500,"currency":"CNY","status":"failed",'
            b'"metadata":{"refund_ref":"refund:1:merchant:2:3"}}}}')
    update = parse(signed(body), body)
    assert update is not None and update.is_refund and update.status == "failed"
    refs = (update.provider_ref, update.refund_provider_ref, update.refund_ref)
    assert refs == ("ch_1", "re_1", "refund:1:merchant:2:3")


def test_a_real_event_still_parses():
    """The fuzz's own footing: a well-formed signed event is a PaymentUpdate (not only refusals)."""
    body = (b'{"id":"evt_1","type":"payment.succeeded","created":1714550400,'
            b'"data":{"object":{"id":"ch_1","amount":1999,"currency":"CNY","status":"succeeded"}}}')
    update = parse(signed(body), body)
    assert update is not None and update.status == "succeeded" and update.amount_minor == 1999
