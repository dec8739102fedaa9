"""Money's edges that mutation testing (`make mutate`, issue 8) found untested: the largest amount
parse_major reads (an exponent of 15) and the one it refuses unread (16), and an amount without a
currency."""

import pytest

from giftshop.money import format_money, parse_major


def test_parse_major_reads_up_to_an_exponent_of_15_and_refuses_16():
    assert parse_major("1e15", "CNY") == 10**17
    assert parse_major("9999999999999999", "JPY") == 9999999999999999  # 16 digits: exponent 15
    with pytest.raises(ValueError):
        parse_major("1e16", "CNY")
    with pytest.raises(ValueError):
        parse_major("10000000000000000", "JPY")


@pytest.mark.parametrize("currency", [None, ""])
def test_an_amount_without_a_currency_has_two_decimals_and_no_code(currency):
    assert format_money(12345, currency) == "123.45 "
