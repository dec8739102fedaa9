"""Refunds and purchases, held where mutation testing (`make mutate`, issue 8) found them untested:
an order with no payment to refund has nothing left to refund; a refund carried out records the
provider's reference and time, once; a purchase is 1 to 10 whole units."""

import pytest

from giftshop.errors import InvalidInput
from orders.models import Order, Payment, Refund
from orders.selectors import order_refund_left_minor
from orders.services.checkout import order_create_purchase
from orders.services.refunds import refund_execute, refund_request
from stores.models import Variant
from tests.gifts.helpers import pay
from tests.orders.helpers import make_address, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(user):
    variant = make_variant(stock=5, price_minor=12800)
    return order_create_purchase(buyer=user, variant_id=variant.id, quantity=2, address_id=make_address(user).id)


@pytest.mark.parametrize("outcome", [None, "failed"])
def test_an_order_never_paid_has_nothing_left_to_refund(order, outcome):
    if outcome:
        pay(order, outcome=outcome)

    assert order_refund_left_minor(order=order) == 0


def test_a_paid_order_has_what_was_paid_less_what_refunds_promised(order):
    payment = pay(order)
    refund_request(payment=payment, amount_minor=5600, reason=Refund.Reason.MERCHANT, scope="part")

    assert order_refund_left_minor(order=order) == 25600 - 5600


def test_a_refund_carried_out_records_the_providers_reference_and_time_once(order):
    payment = pay(order)
    refund = refund_request(payment=payment, amount_minor=25600, reason=Refund.Reason.MERCHANT, scope="all")

    assert refund_execute(refund_id=refund.id) == "refunded"
    assert refund_execute(refund_id=refund.id) == "already"

    done = Refund.objects.get(id=refund.id)
    assert done.status == Refund.Status.SUCCEEDED and done.provider_ref and done.completed_at is not None
    payment.refresh_from_db()
    assert (payment.refunded_minor, payment.status) == (25600, Payment.Status.REFUNDED)
    assert Order.objects.get(id=order.id).status == Order.Status.REFUNDED


@pytest.mark.parametrize("quantity", [0, 11, True, "2", 2.0, None])
def test_a_purchase_is_1_to_10_whole_units(user, quantity):
    variant = make_variant(stock=20)

    with pytest.raises(InvalidInput):
        order_create_purchase(buyer=user, variant_id=variant.id, quantity=quantity, address_id=make_address(user).id)

    assert not Order.objects.exists() and Variant.objects.get(id=variant.id).stock == 20


def test_a_purchase_of_10_units_is_allowed(user):
    variant = make_variant(stock=20)

    order = order_create_purchase(buyer=user, variant_id=variant.id, quantity=10, address_id=make_address(user).id)

    assert order.lines.get().quantity == 10 and Variant.objects.get(id=variant.id).stock == 10
