"""Stock's bound that mutation testing (`make mutate`, issue 8) found untested: a reservation of
no units is a programming error, never a reservation that "succeeds" and takes nothing."""

import pytest

from stores.models import Variant
from stores.stock import stock_release, stock_reserve
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("quantity", [0, -1])
def test_reserving_no_units_is_refused(quantity):
    variant = VariantFactory(stock=3)

    with pytest.raises(ValueError):
        stock_reserve(variant_id=variant.id, quantity=quantity)

    assert Variant.objects.get(id=variant.id).stock == 3


def test_a_reservation_takes_exactly_what_is_there_and_not_one_more():
    variant = VariantFactory(stock=3)

    assert stock_reserve(variant_id=variant.id, quantity=4) is False
    assert stock_reserve(variant_id=variant.id, quantity=3) is True
    assert Variant.objects.get(id=variant.id).stock == 0
    stock_release(variant_id=variant.id, quantity=-2)  # nothing given back
    assert Variant.objects.get(id=variant.id).stock == 0
