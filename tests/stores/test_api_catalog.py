"""Public catalog API: /api/v1/stores/ and /api/v1/products/ (shared/API.md, "Catalog")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS

from stores import services
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def add_photo(product, make_image):
    upload = SimpleUploadedFile("p.png", make_image("PNG"), content_type="image/png")
    return services.product_image_add(product=product, actor=member_of(product), upload=upload)


# --- stores ----------------------------------------------------------------------------------


def test_anyone_lists_active_stores(api, store, other_store):
    services.store_update(store=other_store, actor=other_store.members.get().user, is_active=False)

    response = api.get("/api/v1/stores/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "slug": "tea-house",
            "name": "Tea House",
            "description": "Green and oolong.",
            "ship_within_hours": 48,
            "logo_url": None,
        }
    ]


def test_store_detail_is_public_and_inactive_or_unknown_is_404(api, store, other_store):
    services.store_update(store=other_store, actor=other_store.members.get().user, is_active=False)

    ok = api.get("/api/v1/stores/tea-house/")
    inactive = api.get("/api/v1/stores/rival-shop/")
    unknown = api.get("/api/v1/stores/no-such-store/")
    not_a_slug = api.get("/api/v1/stores/%E2%9C%93/")

    assert ok.status_code == 200
    assert ok.json()["name"] == "Tea House"
    for response in (inactive, unknown, not_a_slug):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert inactive.json() == unknown.json()  # existence is not revealed


def test_store_list_query_count_is_the_same_for_1_and_20_stores(api):
    owner = UserFactory()
    services.store_create(owner=owner, name="First", slug="first")
    one, body = count_queries(api, "/api/v1/stores/")
    assert body["count"] == 1

    for n in range(19):
        services.store_create(owner=owner, name=f"Shop {n}", slug=f"shop-{n}")
    twenty, body = count_queries(api, "/api/v1/stores/")

    assert len(body["results"]) == 20
    assert one == twenty, "the store list must not run a query per store"


# --- products --------------------------------------------------------------------------------


def test_product_detail_shape_and_absolute_urls(api, store, product, make_image):
    photo = add_photo(product, make_image)

    response = api.get(f"/api/v1/products/{product.id}/")

    assert response.status_code == 200
    body = response.json()
    variant = product.variants.get()
    page = reverse("stores:product", kwargs={"store_slug": "tea-house", "product_id": product.id})
    assert body["id"] == product.id
    assert body["url"] == f"http://testserver{page}"
    assert body["store"] == {"slug": "tea-house", "name": "Tea House"}
    assert (body["title"], body["description"], body["giftable"]) == ("Jasmine tea", "", True)
    assert body["images"] == [
        {
            "url": f"http://testserver/media/{photo.image.name}",
            "thumbnail_url": f"http://testserver/media/{photo.thumbnail.name}",
        }
    ]
    assert body["variants"] == [
        {
            "id": variant.id,
            "name": "100 g",
            "sku": "JAS-100",
            "price_minor": 4500,
            "currency": "CNY",
            "in_stock": True,
        }
    ]


def test_public_product_never_shows_stock_numbers(api, store, make_product):
    product = make_product(
        store,
        title="Rare tea",
        variants=[
            {"name": "sold out", "sku": "R-0", "price_minor": 100, "stock": 0},
            {"name": "left", "sku": "R-1", "price_minor": 100, "stock": 3},
        ],
    )

    detail = api.get(f"/api/v1/products/{product.id}/").json()
    listed = api.get("/api/v1/products/").json()["results"][0]

    assert [v["in_stock"] for v in detail["variants"]] == [False, True]
    for body in (detail, listed):
        assert all("stock" not in v for v in body["variants"])
        assert "stock" not in str(body).replace("in_stock", "")


@pytest.mark.parametrize("what", ["product", "store"])
def test_inactive_products_and_products_of_inactive_stores_are_404_and_unlisted(api, store, product, what):
    if what == "product":
        services.product_update(product=product, actor=member_of(product), is_active=False)
    else:
        services.store_update(store=store, actor=store.members.get().user, is_active=False)

    detail = api.get(f"/api/v1/products/{product.id}/")
    listed = api.get("/api/v1/products/")

    assert detail.status_code == 404
    assert detail.json()["code"] == "not_found"
    assert listed.json()["count"] == 0


@pytest.mark.parametrize("path", ["abc", "-1", "1.5", "99999999999999999999999999", "0"])
def test_bad_or_unknown_product_ids_are_json_404(api, product, path):
    response = api.get(f"/api/v1/products/{path}/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_products_filter_by_store_and_text(api, store, other_store, make_product):
    make_product(store, title="Jasmine tea", sku="A")
    make_product(store, title="Oolong", sku="B", description="Roasted, with a jasmine note")
    make_product(store, title="Cup", sku="C")
    make_product(other_store, title="Jasmine pearls", sku="D")

    by_store = api.get("/api/v1/products/", {"store": "tea-house"}).json()
    by_text = api.get("/api/v1/products/", {"q": "JASMINE"}).json()
    both = api.get("/api/v1/products/", {"store": "tea-house", "q": "jasmine"}).json()
    unknown_store = api.get("/api/v1/products/", {"store": "nowhere"}).json()

    assert sorted(p["title"] for p in by_store["results"]) == ["Cup", "Jasmine tea", "Oolong"]
    assert sorted(p["title"] for p in by_text["results"]) == ["Jasmine pearls", "Jasmine tea", "Oolong"]
    assert sorted(p["title"] for p in both["results"]) == ["Jasmine tea", "Oolong"]
    assert unknown_store["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"), [({"q": "x" * 101}, "q"), ({"store": "not a slug!"}, "store"), ({"q": "tea\x00"}, "q")]
)
def test_products_bad_filters_are_400(api, product, params, field):
    response = api.get("/api/v1/products/", params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_products_are_paginated(api, store, make_product):
    for n in range(3):
        make_product(store, title=f"Tea {n}", sku=f"T{n}")

    first = api.get("/api/v1/products/", {"page_size": 2}).json()
    beyond = api.get("/api/v1/products/", {"page": 9})

    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert "page=2" in first["next"]
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


def test_product_list_query_count_is_the_same_for_1_and_20_products(api, store, make_product, make_image):
    def add(n):
        product = make_product(
            store,
            title=f"Tea {n}",
            variants=[
                {"name": "S", "sku": f"S{n}", "price_minor": 100, "stock": 1},
                {"name": "L", "sku": f"L{n}", "price_minor": 200, "stock": 0},
            ],
        )
        add_photo(product, make_image)

    add(0)
    one, body = count_queries(api, "/api/v1/products/")
    assert body["count"] == 1

    for n in range(1, 20):
        add(n)
    twenty, body = count_queries(api, "/api/v1/products/")

    assert len(body["results"]) == 20
    assert all(len(p["images"]) == 1 and len(p["variants"]) == 2 for p in body["results"])
    assert one == twenty, "the product list must prefetch images and variants, not query per product"


def test_catalog_reads_are_public_but_a_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get("/api/v1/stores/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_catalog_reads_refuse_writes(user_api, store):
    response = user_api.post("/api/v1/stores/", {"name": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- the OpenAPI document --------------------------------------------------------------------


def test_schema_documents_the_stores_api_without_warnings(api):
    GENERATOR_STATS.reset()

    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/stores/",
        "/api/v1/stores/{slug}/",
        "/api/v1/products/",
        "/api/v1/products/{product_id}/",
        "/api/v1/merchant/stores/",
        "/api/v1/merchant/stores/{slug}/products/",
        "/api/v1/merchant/products/{product_id}/",
        "/api/v1/merchant/products/{product_id}/images/",
        "/api/v1/merchant/variants/{variant_id}/",
        "/api/v1/merchant/stores/{slug}/members/",
    ):
        assert path in paths, path
    upload = paths["/api/v1/merchant/products/{product_id}/images/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    product_list = paths["/api/v1/products/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert product_list["$ref"].endswith("PaginatedProductPublicList")
    ours = [m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if "stores/apis" in m]
    assert ours == []
