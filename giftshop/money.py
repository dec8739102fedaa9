"""Money is integer minor units plus an ISO 4217 currency code. No floats anywhere."""

from decimal import Decimal, InvalidOperation

# Minor-unit exponent per currency; anything not listed has two decimals.
EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0}
SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "JPY", "HKD")
DEFAULT_CURRENCY = "CNY"  # of a new variant, and so of its orders (DESIGN §3)
MAX_PRICE_MINOR = 1_000_000_000


def exponent(currency: str) -> int:
    return EXPONENTS.get(currency.upper(), 2)


def format_money(amount_minor: int, currency: str) -> str:
    """12345, "CNY" -> "¥123.45"; thousands separated, sign in front."""
    currency = (currency or "").upper()
    exp = exponent(currency)
    value = Decimal(int(amount_minor)).scaleb(-exp)
    sign = "-" if value < 0 else ""
    number = f"{abs(value):,.{exp}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def parse_major(text: str, currency: str) -> int:
    """"123.45" -> 12345 for a two-decimal currency; raises ValueError on anything else."""
    exp = exponent(currency)
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a number")
    if value.adjusted() > 15:  # before any arithmetic: "1e999990" must not cost seconds of CPU
        raise ValueError("too large")
    minor = value.scaleb(exp)
    if minor != minor.to_integral_value():
        raise ValueError("too many decimals")
    return int(minor)
