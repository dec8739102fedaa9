"""Hypothesis strategies for fuzzing the parsers of outside input (tests/*/test_*_fuzz.py).

Every parser of outside input (the payment and carrier webhooks, the CSV dispatch upload, the photo
upload, the Idempotency-Key header) returns its normal result or raises its own error, the one its
callers catch; anything else (KeyError, TypeError, ValueError, UnicodeError, RecursionError, a
library's own error...) is a 500 waiting to happen. `returns_or_raises` states that property.

The runs are reproducible (derandomize, no example database, as tests/test_api_fuzz.py) and short:
FUZZ_EXAMPLES=5000 multiplies every test's examples for a longer hunt.
"""

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SCALE = max(1, int(os.environ.get("FUZZ_EXAMPLES", "1")))


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


def returns_or_raises(call, own_error, check_result):
    """Call `call()`: its own error is an answer; a result must pass `check_result`; any other
    exception propagates and fails the test."""
    try:
        result = call()
    except own_error:
        return None
    check_result(result)
    return result


# --- text ------------------------------------------------------------------------------------

# Every code point, lone surrogates included (st.text leaves them out by default).
any_char = st.characters(exclude_categories=[])
any_text = st.text(any_char, max_size=30)
# What an HTTP header can carry once decoded (latin-1), control characters included.
latin1_text = st.text(st.characters(max_codepoint=255, exclude_categories=[]), max_size=80)
header_text = st.one_of(latin1_text, any_text, st.sampled_from(["", " ", "\x00", "é", "\u2028", "\ud800", "a" * 5000]))


class Raw(str):
    """A JSON token written as is (numbers json.dumps cannot write, deep nestings, escapes)."""


DEEP = [Raw("[" * n + "]" * n) for n in (900, 3000, 100_000)] + [Raw('{"a":' * 3000 + "1" + "}" * 3000)]
RAW_TOKENS = st.sampled_from([
    Raw("1e400"), Raw("-1e400"), Raw("1" + "0" * 5000), Raw("-" + "9" * 4301), Raw("NaN"), Raw("Infinity"),
    Raw("-Infinity"), Raw("-0"), Raw("1.0"), Raw("1e-400"), Raw('"\\ud800"'), Raw('"\\udc00\\ud800x"'),
    Raw('"\\u0000"'), Raw('"2024-05-01T10:00:00"'), Raw('"9999-12-31T23:59:59+14:00"'), *DEEP,
])
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.sampled_from([2**63, -(2**63) - 1, 10**30, 10**400, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text, RAW_TOKENS,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=10,
)


def dump(value) -> str:
    """JSON text of `value` (NaN and Infinity as Python writes them, lone surrogates as \\ud800
    escapes, Raw tokens as they are)."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def dump_bytes(value) -> bytes:
    return dump(value).encode()


@st.composite
def shaped(draw, fields: dict):
    """A JSON object with these fields: half the time all valid (drawn from their strategies), else
    each usually valid, sometimes any JSON value, sometimes missing; now and then one extra field of junk."""
    out = {}
    pristine = draw(st.booleans())
    for name, valid in fields.items():
        pick = 0 if pristine else draw(st.integers(0, 9))
        if pick < 7:
            out[name] = draw(valid)
        elif pick < 9:
            out[name] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        out[draw(any_text)] = draw(json_values)
    return out


@st.composite
def mostly(draw, valid, junk=json_values):
    """A document or a part of one: four times in five `valid`, else any JSON value at all."""
    return draw(junk if draw(st.integers(0, 4)) == 4 else valid)


arbitrary_bytes = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"{}", b"[]", b"null", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"[" * 100_000]),
)
