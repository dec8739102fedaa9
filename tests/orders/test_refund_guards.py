"""The guards on refunded money (orders.services.refunds and orders.selectors.refund_summary): never
more than was paid, a failed refund gives nothing back (yet its amount stays owed), units at the
price paid, and the merchant's preview is the amount the refund then gives back. Each boundary is
tried on both sides, so deleting or loosening a guard fails a test (issue 8: every test stayed green
with the cap deleted)."""

import pytest

from gifts.services.merchant_refunds import shipment_refund_by_merchant, shipment_refund_preview
from orders.errors import RefundTooLarge
from orders.models import Payment, Refund
from orders.selectors import refund_summary
from orders.services.checkout import order_create_purchase
from orders.services.refunds import refund_execute, refund_request, refund_rest, refund_units
from tests.gifts.helpers import drain_outbox, pay
from tests.orders.helpers import make_address, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(user):
    """alice's paid purchase: 2 teapots at ¥128.00, so ¥256.00 paid."""
    variant = make_variant(stock=5, price_minor=12800)
    order = order_create_purchase(buyer=user, variant_id=variant.id, quantity=2, address_id=make_address(user).id)
    payment = pay(order)
    assert payment.status == Payment.Status.SUCCEEDED and payment.amount_minor == 25600
    return order, payment


def test_a_refund_may_take_exactly_what_is_left_and_not_one_more(paid):
    order, payment = paid
    refund_request(payment=payment, amount_minor=10000, reason=Refund.Reason.MERCHANT, scope="a")

    with pytest.raises(RefundTooLarge):
        refund_request(payment=payment, amount_minor=15601, reason=Refund.Reason.MERCHANT, scope="b")
    last = refund_request(payment=payment, amount_minor=15600, reason=Refund.Reason.MERCHANT, scope="c")

    assert last is not None and last.amount_minor == 15600
    assert refund_summary(payment=payment).left_minor == 0
    assert sum(Refund.objects.filter(payment=payment).values_list("amount_minor", flat=True)) == 25600
    with pytest.raises(RefundTooLarge):
        refund_request(payment=payment, amount_minor=1, reason=Refund.Reason.MERCHANT, scope="d")


def test_a_single_refund_larger_than_the_payment_is_refused(paid):
    _, payment = paid
    with pytest.raises(RefundTooLarge):
        refund_request(payment=payment, amount_minor=25601, reason=Refund.Reason.MERCHANT, scope="x")
    assert not Refund.objects.exists()


def test_zero_and_negative_amounts_refund_nothing(paid):
    _, payment = paid
    assert refund_request(payment=payment, amount_minor=0, reason=Refund.Reason.MERCHANT, scope="z") is None
    assert refund_request(payment=payment, amount_minor=-5, reason=Refund.Reason.MERCHANT, scope="n") is None
    assert not Refund.objects.exists()


def test_the_same_reason_and_scope_is_one_refund(paid):
    _, payment = paid
    first = refund_request(payment=payment, amount_minor=100, reason=Refund.Reason.MERCHANT, scope="s")
    again = refund_request(payment=payment, amount_minor=100, reason=Refund.Reason.MERCHANT, scope="s")
    assert again.id == first.id and Refund.objects.count() == 1


def test_a_failed_refund_gives_nothing_back_yet_keeps_its_amount_for_its_retry(paid):
    _, payment = paid
    refund = refund_request(payment=payment, amount_minor=25000, reason=Refund.Reason.MERCHANT, scope="f")
    Refund.objects.filter(id=refund.id).update(status=Refund.Status.FAILED)

    summary = refund_summary(payment=payment)

    assert (summary.committed_minor, summary.succeeded_minor, summary.pending_minor) == (25000, 0, 25000)
    assert summary.left_minor == 600
    with pytest.raises(RefundTooLarge):
        refund_request(payment=payment, amount_minor=601, reason=Refund.Reason.MERCHANT, scope="g")
    assert refund_request(payment=payment, amount_minor=600, reason=Refund.Reason.MERCHANT, scope="h") is not None


def test_the_summary_counts_pending_and_succeeded_apart(paid):
    _, payment = paid
    done = refund_request(payment=payment, amount_minor=1000, reason=Refund.Reason.MERCHANT, scope="1")
    refund_request(payment=payment, amount_minor=300, reason=Refund.Reason.MERCHANT, scope="2")
    refund_execute(refund_id=done.id)

    summary = refund_summary(payment=payment)

    assert (summary.succeeded_minor, summary.pending_minor, summary.committed_minor) == (1000, 300, 1300)
    assert summary.left_minor == 25600 - 1300


def test_units_are_refunded_at_the_price_paid_not_todays(paid):
    order, payment = paid
    type(order.lines.get().variant).objects.filter(id=order.lines.get().variant_id).update(price_minor=99999)

    refund = refund_units(order=order, units=1, reason=Refund.Reason.MERCHANT, scope="u")

    assert refund.amount_minor == 12800
    assert refund_units(order=order, units=0, reason=Refund.Reason.MERCHANT, scope="v") is None


def test_refund_rest_gives_back_what_is_left(paid):
    order, payment = paid
    refund_request(payment=payment, amount_minor=6000, reason=Refund.Reason.MERCHANT, scope="early")
    assert refund_rest(order=order, reason=Refund.Reason.MERCHANT, scope=order.id).amount_minor == 19600


def test_the_merchant_preview_is_what_the_refund_gives_back(paid):
    order, payment = paid
    refund_request(payment=payment, amount_minor=6000, reason=Refund.Reason.NOT_SHIPPED, scope="partial")
    drain_outbox()
    order.refresh_from_db()
    owner = order.store.members.get().user

    preview = shipment_refund_preview(shipment=order.shipment)
    refund = shipment_refund_by_merchant(shipment=order.shipment, actor=owner)

    assert preview.amount_minor == refund.amount_minor == 19600
