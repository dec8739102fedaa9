"""Issue 12's hot paths, counted: each makes the same number of queries with 1 row as with 20,
pinned exactly, and an anonymous answer served from the page cache makes none at all.

The cache here is in memory: the embedded cache is a database table, whose reads would be counted.
Each pin lists what its queries are; if a change moves one, say why in the commit.
"""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gifts.models import Gift
from gifts.services.claims import claim_accept
from gifts.tokens import gift_share_url
from stores import services
from tests.conftest import make_image_bytes
from tests.factories import AddressFactory, StoreFactory, UserFactory, member_of
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db

# The product page: the product with its store (1), its options (1), its photos (1).
PRODUCT_PAGE_QUERIES = 3
# The card page, anonymous: the gift with its sender, product, store and order (1), the photos (1),
# the product's options and the order line (2, for the options a guest may choose).
CARD_PAGE_QUERIES = 4
# One store's products, 20 per page: the count (1), the page (1), photos and options (2).
PRODUCTS_API_QUERIES = 4


@pytest.fixture(autouse=True)
def pages_cached_at_once(memory_cache, settings):
    settings.PAGE_CACHE_CLOCK_MARGIN_MS = 0


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


def miss_then_hit(path):
    """Queries of a first anonymous visit (nothing cached), then of one served from the cache."""
    cache.clear()
    miss, response = queries(Client(), path)
    assert response.get("X-Page-Cache") is None
    queries(Client(), path)  # stored
    hit, response = queries(Client(), path)
    assert response["X-Page-Cache"] == "hit"
    return miss, hit


def photo(product, n):
    services.product_image_add(product=product, actor=member_of(product.store), upload=SimpleUploadedFile(
        f"p{n}.jpg", make_image_bytes(size=(20, 20), color=(n * 10 % 255, 9, 9)), content_type="image/jpeg"))


def product_with(store, n, options):
    product = services.product_create(
        store=store, actor=member_of(store), title=f"Tea {n}", description="Leaves.",
        variants=[{"name": f"V{i}", "sku": f"S{n}-{i}", "price_minor": 1000, "stock": 50} for i in range(options)],
    )
    return product


@pytest.fixture
def store():
    return StoreFactory(slug="leaf", owner=UserFactory(username="owner"))


def test_the_product_page_with_1_or_20_options_and_photos(store):
    small = product_with(store, 1, 1)
    photo(small, 1)
    big = product_with(store, 2, 20)
    for n in range(20):
        photo(big, n)
    counts = [miss_then_hit(p.get_absolute_url()) for p in (small, big)]
    assert counts == [(PRODUCT_PAGE_QUERIES, 0)] * 2


def test_one_stores_products_api_with_1_or_20_products(store):
    product_with(store, 0, 2)
    path = f"/api/v1/products/?store={store.slug}"
    one = miss_then_hit(path)
    for n in range(1, 20):
        photo(product_with(store, n, 2), n)
    twenty = miss_then_hit(path)
    assert one == twenty == (PRODUCTS_API_QUERIES, 0)


def test_the_card_page_with_1_or_20_options_and_claims(store):
    product = product_with(store, 1, 1)
    photo(product, 1)
    variant = product.variants.get()
    small = paid_gift(sender=UserFactory(), variant=variant)
    big_product = product_with(store, 2, 20)
    for n in range(3):
        photo(big_product, n)
    big = paid_gift(sender=UserFactory(), variant=big_product.variants.first(), quantity=30, mode=Gift.Mode.GROUP)
    for _ in range(20):
        friend = UserFactory()
        claim_accept(gift=big, user=friend, address_id=AddressFactory(user=friend).id)
    counts = [miss_then_hit(urlsplit(gift_share_url(gift=g)).path) for g in (small, big)]
    assert counts == [(CARD_PAGE_QUERIES, 0)] * 2
