import pytest

from gifts.services.sending import gift_create
from giftshop.errors import InvalidInput
from tests.factories import ProductFactory, StoreFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_a_store_member_cannot_send_a_gift_from_their_own_store():
    merchant = UserFactory()
    variant = VariantFactory(product=ProductFactory(store=StoreFactory(owner=merchant)))

    with pytest.raises(InvalidInput) as refused:
        gift_create(sender=merchant, variant_id=variant.id)

    assert "variant_id" in refused.value.fields
    assert gift_create(sender=UserFactory(), variant_id=variant.id).order.total_minor == variant.price_minor
