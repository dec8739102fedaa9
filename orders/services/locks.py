"""The one lock order for the rows of a payment: its order first, then the payment.

A provider's notice (payment → succeeded, order → paid), the unpaid sweep (order → cancelled,
payment → failed) and the refunds (the cap on the payment, order → refunded) all write both rows.
Taken in opposite orders, two of them on the same order deadlock on PostgreSQL (a notice and the
sweep did: tests/concurrency/test_last_unit.py). Each takes them through here, in the caller's
transaction; SQLite serialises writers and ignores the row locks.
"""

from orders.models import Order, Payment


def lock_order_and_payment(payment: Payment) -> Payment:
    """Lock `payment`'s order row, then its own, and return the payment as it is now."""
    Order.objects.select_for_update().filter(id=payment.order_id).values_list("id").first()
    return Payment.objects.select_for_update().select_related("order").get(id=payment.id)
