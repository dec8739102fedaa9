from datetime import timedelta

import pytest
from django.utils import timezone

from gifts.services.sending import gift_create
from giftshop.errors import InvalidInput
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_a_draw_inside_the_payment_window_is_refused():
    # Paid 15 minutes later, a draw set 10 minutes ahead would find no entries and refund everything.
    with pytest.raises(InvalidInput) as refused:
        gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=5).id, quantity=2, mode="group",
                    claim_rule="lottery", claim_hours=24, draw_at=timezone.now() + timedelta(minutes=10))

    assert "draw_at" in refused.value.fields


def test_a_draw_after_the_payment_window_is_accepted():
    gift = gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=5).id, quantity=2, mode="group",
                       claim_rule="lottery", claim_hours=24, draw_at=timezone.now() + timedelta(minutes=45))

    assert gift.draw_at is not None
