"""A JSON string may hold an escaped lone surrogate ("\\ud800"), which no UTF-8 text can: the probe of
issue 11 saw each of these answer 500 UnicodeEncodeError. The JSON parser now refuses such a body with
a 400 parse_error, before any view, rate limiter or database sees the string."""

import pytest
from django.test import Client

from accounts.services import rate_key_text
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory
from tests.orders.helpers import create_order

pytestmark = pytest.mark.django_db

LONE = "\\ud800"  # the six characters of the JSON escape, as a client sends them


@pytest.fixture
def merchant_api(db):
    owner = UserFactory()
    store = StoreFactory(owner=owner, slug="surrogates")
    variant = VariantFactory(product__store=store)
    return api_client_for(owner), store, variant


def _payment_id(variant):
    """A pending payment of a buyer's own order: the sandbox endpoint checks access before input."""
    buyer = api_client_for(UserFactory())
    buyer_id = buyer.get("/api/v1/me/").json()["id"]
    order = create_order(buyer, variant, AddressFactory(user_id=buyer_id)).json()
    return buyer, order["payment"]["id"]


def _case(field, client, store, variant):
    if field == "outcome":
        buyer, payment_id = _payment_id(variant)
        return buyer, f"/api/v1/payments/{payment_id}/sandbox/", f'{{"outcome": "{LONE}"}}'
    url, body = {
        "mode": ("/api/v1/gifts/", f'{{"variant_id": {variant.id}, "quantity": 1, "mode": "{LONE}"}}'),
        "claim_rule": ("/api/v1/gifts/", f'{{"variant_id": {variant.id}, "quantity": 2, "mode": "group",'
                                         f' "claim_rule": "{LONE}"}}'),
        "cover": ("/api/v1/gifts/", f'{{"variant_id": {variant.id}, "quantity": 1, "cover": "{LONE}"}}'),
        "role": (f"/api/v1/merchant/stores/{store.slug}/members/", f'{{"username": "x", "role": "{LONE}"}}'),
        "currency": (f"/api/v1/merchant/stores/{store.slug}/products/",
                     f'{{"title": "t", "variants": [{{"name": "n", "sku": "s", "price_minor": 1, "stock": 1,'
                     f' "currency": "{LONE}"}}]}}'),
        "a key": ("/api/v1/orders/", f'{{"{LONE}": 1}}'),
    }[field]
    return client, url, body


@pytest.mark.parametrize("field", ["mode", "claim_rule", "cover", "outcome", "role", "currency", "a key"])
def test_a_lone_surrogate_in_any_field_is_a_400_parse_error(merchant_api, field):
    client, url, body = _case(field, *merchant_api)

    response = client.post(url, data=body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"


def test_a_lone_surrogate_username_on_the_token_endpoint_is_a_400_not_a_500():
    response = Client().post("/api/v1/auth/token/", data=f'{{"username": "{LONE}", "password": "x"}}',
                             content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_paired_surrogate_escape_is_ordinary_text():
    # "\ud83c\udf81" is 🎁: a valid pair, which must still reach the view (here: wrong credentials).
    response = Client().post("/api/v1/auth/token/", data='{"username": "\\ud83c\\udf81", "password": "x"}',
                             content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_rate_limit_keys_are_always_encodable():
    assert rate_key_text("\ud800Alice ", limit=200) == "?alice"
    assert rate_key_text("x" * 500, limit=200) == "x" * 200
    rate_key_text("\udfff", limit=10).encode("utf-8")
