import pytest
from django.template import Context, Template

from giftshop.money import exponent, format_money, parse_major


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (12345, "CNY", "¥123.45"),
        (5, "CNY", "¥0.05"),
        (0, "cny", "¥0.00"),
        (123456789, "USD", "$1,234,567.89"),
        (-2550, "EUR", "-€25.50"),
        (1500, "JPY", "¥1,500"),
        (1999, "CHF", "19.99 CHF"),
    ],
)
def test_format_money(minor, currency, text):
    assert format_money(minor, currency) == text


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("123.45", "CNY", 12345),
        (" 1,234.5 ", "CNY", 123450),
        ("88", "CNY", 8800),
        ("1500", "JPY", 1500),
        ("0.10", "USD", 10),
    ],
)
def test_parse_major(text, currency, minor):
    assert parse_major(text, currency) == minor


@pytest.mark.parametrize(("text", "currency"), [("1.234", "CNY"), ("1.5", "JPY"), ("NaN", "CNY"), ("Infinity", "CNY")])
def test_parse_major_refuses_what_is_not_an_amount(text, currency):
    with pytest.raises(ValueError):
        parse_major(text, currency)


@pytest.mark.parametrize("text", ["abc", "", "12,3a"])
def test_parse_major_raises_value_error_on_text(text):
    with pytest.raises(ValueError):
        parse_major(text, "CNY")


def test_exponent_is_two_unless_listed():
    assert (exponent("CNY"), exponent("jpy"), exponent("KRW"), exponent("XYZ")) == (2, 0, 0, 2)


def test_money_template_filter_is_a_builtin():
    rendered = Template("{{ price|money:currency }}").render(Context({"price": 8800, "currency": "CNY"}))

    assert rendered == "¥88.00"


def test_parse_major_refuses_huge_exponents_before_any_arithmetic():
    # "1e999990" used to be scaled and converted to int first: ~26 s of CPU for 8 characters.
    with pytest.raises(ValueError, match="too large"):
        parse_major("1e999990", "CNY")
