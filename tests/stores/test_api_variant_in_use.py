"""DELETE /api/v1/merchant/variants/<id>/ of a variant that was ordered: a 409 variant_in_use, and
the OpenAPI document says so (the fuzzer saw an undocumented 409)."""

import pytest

from orders.services.checkout import order_create_purchase
from tests.factories import AddressFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_ordered_variant_is_a_documented_409(user_api, product, client):
    ordered = VariantFactory(product=product, name="250 g", sku="JAS-250", stock=5)
    buyer = UserFactory(username="bea")
    order_create_purchase(buyer=buyer, variant_id=ordered.id, quantity=1, address_id=AddressFactory(user=buyer).id)

    response = user_api.delete(f"/api/v1/merchant/variants/{ordered.id}/")
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "variant_in_use"
    assert product.variants.filter(id=ordered.id).exists()
    documented = schema["paths"]["/api/v1/merchant/variants/{variant_id}/"]["delete"]["responses"]
    assert "409" in documented
