"""giftshop.storable.unstorable: what PostgreSQL cannot keep in text or jsonb."""

import pytest

from giftshop.storable import unstorable


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("plain", None),
        ({"a": [1, 2.5, None, True, "b"]}, None),
        ("a\x00b", "a NUL character"),
        ({"key\x00": 1}, "a NUL character"),
        ([{"deep": ["x\x00"]}], "a NUL character"),
        ({"n": float("inf")}, "a number that is not finite"),
        ([float("nan")], "a number that is not finite"),
    ],
)
def test_unstorable_names_what_the_database_refuses(value, reason):
    assert unstorable(value) == reason


def test_a_value_nested_ten_thousand_deep_is_no_recursion_error():
    value = "\x00"
    for _ in range(10_000):
        value = [value]

    assert unstorable(value) == "a NUL character"
