"""A failed payment, held where mutation testing (`make mutate`, issue 8) found it untested: its
units go back on sale once, the gift behind it hears of it, and what happened is recorded on the
provider's event."""

import pytest

from gifts.models import Gift
from gifts.services.sending import gift_create
from orders.models import Order, Payment, WebhookEvent
from orders.services.checkout import order_create_purchase
from stores.models import Variant
from tests.gifts.helpers import pay
from tests.orders.helpers import make_address, make_variant

pytestmark = pytest.mark.django_db


def outcome_of(payment):
    return WebhookEvent.objects.get(payload__data__object__id=payment.provider_ref).outcome


@pytest.fixture
def variant(db):
    return make_variant(stock=5, price_minor=12800)


def test_a_failed_purchase_gives_its_units_back(user, variant):
    order = order_create_purchase(buyer=user, variant_id=variant.id, quantity=2, address_id=make_address(user).id)
    assert Variant.objects.get(id=variant.id).stock == 3

    payment = pay(order, outcome="failed")

    assert payment.status == Payment.Status.FAILED and outcome_of(payment) == "failed"
    assert Order.objects.get(id=order.id).status == Order.Status.PAYMENT_FAILED
    assert Variant.objects.get(id=variant.id).stock == 5


def test_a_failure_for_an_order_already_closed_gives_nothing_back_twice(user, variant):
    order = order_create_purchase(buyer=user, variant_id=variant.id, quantity=2, address_id=make_address(user).id)
    Order.objects.filter(id=order.id).update(status=Order.Status.CANCELLED)  # closed, its stock already back
    Variant.objects.filter(id=variant.id).update(stock=5)

    payment = pay(order, outcome="failed")

    assert payment.status == Payment.Status.FAILED
    assert outcome_of(payment) == "failed (order already closed)"
    assert Order.objects.get(id=order.id).status == Order.Status.CANCELLED
    assert Variant.objects.get(id=variant.id).stock == 5


def test_a_failed_gift_payment_closes_the_gift_and_gives_its_units_back(user, variant):
    gift = gift_create(sender=user, variant_id=variant.id, quantity=2)
    waiting = gift_create(sender=user, variant_id=variant.id)

    pay(gift.order, outcome="failed")

    failed = Gift.objects.get(id=gift.id)
    assert failed.status == Gift.Status.PAYMENT_FAILED and failed.closed_at is not None
    assert Gift.objects.get(id=waiting.id).status == Gift.Status.PENDING_PAYMENT
    assert Variant.objects.get(id=variant.id).stock == 4  # the waiting gift's unit stays set aside
