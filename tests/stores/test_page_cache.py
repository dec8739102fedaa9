"""The product page and one store's products API, cached whole for anonymous visitors
(giftshop.page_cache): every write that changes what they show is visible on the next request,
and a cached answer never carries a session, a CSRF token or a signed-in user's bits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from giftshop import page_cache
from stores import services
from stores.models import Variant
from stores.stock import stock_reserve
from tests.conftest import api_client_for, make_image_bytes
from tests.factories import StoreFactory, UserFactory, member_of
from tests.stores.test_pages_shop import make_product, product_url

pytestmark = pytest.mark.django_db
API = "/api/v1/products/"


@pytest.fixture(autouse=True)
def no_margin(settings):
    settings.PAGE_CACHE_CLOCK_MARGIN_MS = 0


@pytest.fixture
def store():
    return StoreFactory(name="Tea House", slug="tea-house", owner=UserFactory(username="owner"))


@pytest.fixture
def product(store):
    return make_product(store, 1)


def warm(client, path, **extra):
    for _ in range(2):
        assert client.get(path, **extra).status_code == 200
    hit = client.get(path, **extra)
    assert hit["X-Page-Cache"] == "hit", "not served from the cache"
    return hit


def fresh(client, path, **extra):
    response = client.get(path, **extra)
    assert response.get("X-Page-Cache") != "hit", "a stale answer was served after a change"
    return response


def actor(store):
    return member_of(store)


@pytest.mark.parametrize("change", ["title", "price", "stock", "new_variant", "photo", "photo_order",
                                    "photo_delete", "store_name", "unpublished"])
def test_every_change_to_the_product_page_shows_on_the_next_request(change, store, product):
    path = product_url(product)
    client = Client()
    before = warm(client, path).content.decode()
    small = product.variants.get(name="Small")
    who = actor(store)
    if change == "title":
        services.product_update(product=product, actor=who, title="Celadon pot")
    elif change == "price":
        services.variant_update(variant=small, actor=who, price_minor=13900)
    elif change == "stock":  # a sale or a gift takes the last units: the page says sold out
        assert stock_reserve(variant_id=small.id, quantity=small.stock)
    elif change == "new_variant":
        services.variant_create(product=product, actor=who, name="Huge", sku="H-1", price_minor=19900, stock=3)
    elif change == "photo":
        services.product_image_add(product=product, actor=who, upload=SimpleUploadedFile(
            "q.jpg", make_image_bytes(size=(30, 30), color=(1, 2, 3)), content_type="image/jpeg"))
    elif change == "photo_order":
        services.product_image_add(product=product, actor=who, upload=SimpleUploadedFile(
            "q.jpg", make_image_bytes(size=(30, 30), color=(1, 2, 3)), content_type="image/jpeg"))
        before = warm(client, path).content.decode()
        ids = list(product.images.order_by("position", "id").values_list("id", flat=True))
        services.product_images_reorder(product=product, actor=who, image_ids=ids[::-1])
    elif change == "photo_delete":
        services.product_image_delete(image=product.images.get(), actor=who)
    elif change == "store_name":
        services.store_update(store=store, actor=who, name="Tea Palace")
    elif change == "unpublished":
        services.product_update(product=product, actor=who, is_active=False)
        assert fresh(client, path).status_code == 404
        return
    after = fresh(client, path)
    assert after.status_code == 200 and after.content.decode() != before


def test_a_signed_in_visitor_is_never_served_nor_stored(store, product):
    path = product_url(product)
    warm(Client(), path)
    shopper = Client()
    shopper.force_login(UserFactory(username="bob", display_name="Bob"))
    for _ in range(3):
        response = shopper.get(path)
        assert "X-Page-Cache" not in response
    anonymous = Client().get(path)
    assert anonymous["X-Page-Cache"] == "hit"
    assert "bob" not in anonymous.content.decode().lower()
    assert "sessionid" not in anonymous.cookies
    assert page_cache.CSRF_PLACEHOLDER not in anonymous.content.decode()


def test_the_products_api_of_one_store_is_cached_and_follows_changes(store, product):
    client = APIClient()
    path = f"{API}?store={store.slug}"
    before = warm(client, path).json()
    assert [p["title"] for p in before["results"]] == ["Teapot 1"]
    make_product(store, 2)
    after = fresh(client, path).json()
    assert [p["title"] for p in after["results"]] == ["Teapot 2", "Teapot 1"]
    # Another Accept is another entry (DRF answers in the format asked for).
    warm(client, path)
    indented = client.get(path, HTTP_ACCEPT="application/json; indent=4")
    assert indented.get("X-Page-Cache") != "hit" and b"\n    " in indented.content


def test_the_products_api_with_a_token_or_without_a_store_is_not_cached(store, product):
    token_client = api_client_for(UserFactory(username="dev"))
    path = f"{API}?store={store.slug}"
    for _ in range(3):
        assert "X-Page-Cache" not in token_client.get(path)
    anonymous = APIClient()
    for _ in range(3):
        assert "X-Page-Cache" not in anonymous.get(API)  # the whole catalogue: no one store's version


def test_a_stock_change_through_the_database_guard_also_shows(store, product):
    """stores.stock's conditional UPDATEs bypass save(): they bump the store themselves."""
    client = APIClient()
    path = f"{API}?store={store.slug}"
    warm(client, path)
    Variant.objects.filter(product=product).update(stock=0)  # not through the services: not seen...
    assert client.get(path)["X-Page-Cache"] == "hit"  # ...which is why every write goes through them
    small = product.variants.get(name="Small")
    services.variant_update(variant=small, actor=actor(store), stock=5)
    assert fresh(client, path).status_code == 200
