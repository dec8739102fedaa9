"""Giving units back: stock returns to sale and the sender's payment is refunded for them,
at the unit price paid, once per reason and scope."""

from orders.models import Payment
from orders.services.refunds import refund_request
from stores.stock import stock_release


def give_back_units(*, gift, units: int, reason: str, scope) -> None:
    if units <= 0:
        return
    stock_release(variant_id=gift.variant_id, quantity=units)
    line = gift.order.lines.get()
    payment = gift.order.payments.filter(
        status__in=Payment.REFUNDABLE
    ).first()
    if payment is not None:
        refund_request(payment=payment, amount_minor=line.unit_price_minor * units, reason=reason, scope=scope)
