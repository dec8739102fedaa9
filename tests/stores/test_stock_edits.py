"""Editing a variant never writes back a stock count read before orders moved it."""

import pytest
from django.urls import reverse

from stores.models import Variant
from stores.stock import stock_reserve
from tests.conftest import api_client_for
from tests.factories import ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant_variant():
    merchant = UserFactory()
    variant = VariantFactory(product=ProductFactory(store=StoreFactory(owner=merchant)), stock=5)
    return merchant, variant


def test_renaming_in_the_console_keeps_stock_reserved_meanwhile(client, merchant_variant):
    merchant, variant = merchant_variant
    client.force_login(merchant)
    page = client.get(reverse("console:variant", kwargs={"variant_id": variant.id}))
    assert 'name="stock_seen" value="5"' in page.content.decode()
    assert stock_reserve(variant_id=variant.id, quantity=3)  # a buyer, while the page is open

    client.post(reverse("console:variant", kwargs={"variant_id": variant.id}),
                {"name": "Renamed", "sku": variant.sku, "price": "99.00", "stock": "5", "stock_seen": "5"})

    variant.refresh_from_db()
    assert variant.name == "Renamed"
    assert variant.stock == 2


def test_a_stock_the_merchant_changed_is_written(client, merchant_variant):
    merchant, variant = merchant_variant
    client.force_login(merchant)

    client.post(reverse("console:variant", kwargs={"variant_id": variant.id}),
                {"name": variant.name, "sku": variant.sku, "price": "99.00", "stock": "40", "stock_seen": "5"})

    assert Variant.objects.get(id=variant.id).stock == 40


def test_an_api_patch_without_stock_leaves_stock_alone(merchant_variant):
    merchant, variant = merchant_variant
    assert stock_reserve(variant_id=variant.id, quantity=4)

    response = api_client_for(merchant).patch(f"/api/v1/merchant/variants/{variant.id}/", {"name": "New name"},
                                              format="json")

    assert response.status_code == 200, response.content
    assert Variant.objects.get(id=variant.id).stock == 1


def test_the_service_writes_only_the_fields_it_was_given(merchant_variant):
    from stores.services import variant_update

    _, stale = merchant_variant  # loaded before the reservation below
    assert stock_reserve(variant_id=stale.id, quantity=2)

    variant_update(variant=stale, actor=member_of(stale), name="Renamed")

    assert Variant.objects.get(id=stale.id).stock == 3
