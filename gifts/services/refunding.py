"""Giving units back: stock returns to sale and the sender's payment is refunded for them, at the
unit price paid, once per reason and scope (orders.services.refunds.refund_units)."""

from orders.services.refunds import refund_units
from stores.stock import stock_release


def give_back_units(*, gift, units: int, reason: str, scope) -> None:
    if units <= 0:
        return
    stock_release(variant_id=gift.variant_id, quantity=units)
    refund_units(order=gift.order, units=units, reason=reason, scope=scope)
