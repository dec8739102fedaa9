import pytest
from django.db.models.functions import Now

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_decline
from gifts.services.lifecycle import gifts_expire_due
from gifts.tokens import gift_token, token_hash
from orders.models import Order, Payment, Refund
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db


def test_single_gift_paid_opens_and_one_tap_accept_creates_shipment():
    sender, friend = UserFactory(), UserFactory()
    variant = VariantFactory(stock=5, price_minor=12800)
    address = AddressFactory(user=friend, is_default=True)

    gift = paid_gift(sender=sender, variant=variant, quantity=2, message="Happy birthday!")

    assert gift.status == Gift.Status.OPEN
    assert gift.order.status == Order.Status.PAID
    assert gift.token_hash == token_hash(gift_token(gift_id=gift.id, version=1))
    assert gift.card_image and gift.qr_image
    variant.refresh_from_db()
    assert variant.stock == 3

    claim = claim_accept(gift=gift, user=friend, address_id=address.id)

    gift.refresh_from_db()
    assert gift.status == Gift.Status.CLAIMED and gift.claimed_units == 2
    assert claim.status == Claim.Status.ACCEPTED
    assert claim.shipment.ship_to_street == address.street
    assert claim.shipment.is_gift and claim.shipment.gift_message == "Happy birthday!"
    assert claim.shipment.lines[0]["quantity"] == 2


def test_decline_refunds_the_sender_once_and_releases_stock():
    sender, friend = UserFactory(), UserFactory()
    variant = VariantFactory(stock=5, price_minor=5000)
    gift = paid_gift(sender=sender, variant=variant, quantity=3)

    claim_decline(gift=gift, user=friend)
    drain_outbox()

    gift.refresh_from_db()
    variant.refresh_from_db()
    payment = gift.order.payments.get()
    assert gift.status == Gift.Status.DECLINED
    assert variant.stock == 5
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_minor == 15000
    assert Refund.objects.filter(payment=payment).count() == 1


def test_expiry_refunds_unclaimed_group_units_only():
    sender = UserFactory()
    variant = VariantFactory(stock=10, price_minor=1000)
    gift = paid_gift(sender=sender, variant=variant, quantity=4, mode="group")
    for _ in range(3):
        friend = UserFactory()
        claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    Gift.objects.filter(id=gift.id).update(expires_at=Now())

    result = gifts_expire_due()
    gifts_expire_due()
    drain_outbox()

    gift.refresh_from_db()
    payment = gift.order.payments.get()
    assert result["expired"] == 1
    assert gift.status == Gift.Status.EXPIRED and gift.claimed_units == 3
    assert payment.refunded_minor == 1000 and payment.status == Payment.Status.PARTIALLY_REFUNDED
