"""Merchant API: stores, teams, products and variants (shared/API.md, "Merchant").

Photos are in test_images.py."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stores import services
from stores.models import Product, Store, StoreMember, Variant
from tests.conftest import api_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VARIANT = {"name": "100 g", "sku": "OOL-100", "price_minor": 6800, "stock": 12}
NEW_PRODUCT = {"title": "Oolong", "description": "Roasted.", "giftable": True, "variants": [VARIANT]}


def errors(response, status, code="invalid"):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body.get("fields", {})


@pytest.fixture
def staff_api(staff_user):
    return api_client_for(staff_user)


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/merchant/stores/"),
        ("post", "/api/v1/merchant/stores/"),
        ("get", "/api/v1/merchant/stores/tea-house/"),
        ("patch", "/api/v1/merchant/stores/tea-house/"),
        ("get", "/api/v1/merchant/stores/tea-house/members/"),
        ("post", "/api/v1/merchant/stores/tea-house/members/"),
        ("delete", "/api/v1/merchant/stores/tea-house/members/1/"),
        ("get", "/api/v1/merchant/stores/tea-house/products/"),
        ("post", "/api/v1/merchant/stores/tea-house/products/"),
        ("get", "/api/v1/merchant/products/{product}/"),
        ("patch", "/api/v1/merchant/products/{product}/"),
        ("post", "/api/v1/merchant/products/{product}/variants/"),
        ("patch", "/api/v1/merchant/variants/{variant}/"),
        ("delete", "/api/v1/merchant/variants/{variant}/"),
        ("post", "/api/v1/merchant/products/{product}/images/"),
        ("post", "/api/v1/merchant/products/{product}/images/reorder/"),
        ("delete", "/api/v1/merchant/images/1/"),
    ],
)
def test_anonymous_gets_401_with_www_authenticate(api, product, method, path):
    url = path.format(product=product.id, variant=product.variants.get().id)

    response = getattr(api, method)(url, {"title": "x"}, format="json")

    errors(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert Product.objects.get(id=product.id).title == "Jasmine tea"


# --- stores --------------------------------------------------------------------------------


def test_create_a_store_and_become_its_owner(user_api, user):
    response = user_api.post(
        "/api/v1/merchant/stores/",
        {"name": "Tea House", "slug": "tea-house", "description": "Leaves.", "ship_within_hours": 24},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("slug", "name", "description", "ship_within_hours", "is_active", "role")} == {
        "slug": "tea-house",
        "name": "Tea House",
        "description": "Leaves.",
        "ship_within_hours": 24,
        "is_active": True,
        "role": "owner",
    }
    assert StoreMember.objects.get(store__slug="tea-house").user == user


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "s"}, "name"),
        ({"name": "S"}, "slug"),
        ({"name": "S", "slug": "Not a slug!"}, "slug"),
        ({"name": "S", "slug": "x" * 51}, "slug"),
        ({"name": "x" * 81, "slug": "s"}, "name"),
        ({"name": "S", "slug": "s", "ship_within_hours": 0}, "ship_within_hours"),
        ({"name": "S", "slug": "s", "ship_within_hours": 721}, "ship_within_hours"),
        ({"name": "S", "slug": "s", "ship_within_hours": "soon"}, "ship_within_hours"),
        ({"name": "S", "slug": "s", "ship_within_hours": 10**30}, "ship_within_hours"),
        ({"name": "S", "slug": "s", "ship_within_hours": 1.5}, "ship_within_hours"),
        ({"name": ["S"], "slug": "s"}, "name"),
        ({"name": "S", "slug": "s", "owner": 3}, "owner"),
        ({"name": "S", "slug": "s", "is_active": False}, "is_active"),
    ],
)
def test_store_create_bad_input_is_400_and_creates_nothing(user_api, body, field):
    response = user_api.post("/api/v1/merchant/stores/", body, format="json")

    assert field in errors(response, 400)
    assert Store.objects.count() == 0


def test_store_create_with_a_taken_slug_is_400(other_api, store):
    response = other_api.post("/api/v1/merchant/stores/", {"name": "Copy", "slug": "tea-house"}, format="json")

    assert "slug" in errors(response, 400)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('{"name": "S", "slug": ', "parse_error"),
        ('["name", "slug"]', "invalid"),
        ('{"name": "S", "slug": "s", "ship_within_hours": 1e400}', "invalid"),
        ('{"name": "S", "slug": "s", "ship_within_hours": NaN}', "parse_error"),
        ('{"name": "S", "slug": "s", "ship_within_hours": ' + "9" * 5000 + "}", "parse_error"),
    ],
)
def test_malformed_json_is_400_never_500(user_api, raw, code):
    response = user_api.generic("POST", "/api/v1/merchant/stores/", raw, content_type="application/json")

    errors(response, 400, code)
    assert Store.objects.count() == 0


def test_list_shows_only_my_stores_with_my_role(user_api, user, store, other_store, other_user):
    services.store_member_add(store=other_store, actor=other_user, username="alice", role="staff")
    services.store_create(owner=other_user, name="Hidden", slug="hidden")

    body = user_api.get("/api/v1/merchant/stores/").json()

    assert body["count"] == 2
    assert [(s["slug"], s["role"]) for s in body["results"]] == [("rival-shop", "staff"), ("tea-house", "owner")]


def test_merchant_store_list_query_count_is_the_same_for_1_and_20(user_api, user, other_user):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = user_api.get("/api/v1/merchant/stores/")
        return len(queries), response.json()

    services.store_create(owner=user, name="Shop 0", slug="shop-0")
    one, body = measure()
    assert body["count"] == 1
    for n in range(1, 20):
        owner = user if n % 2 else other_user
        store = services.store_create(owner=owner, name=f"Shop {n}", slug=f"shop-{n}")
        if owner == other_user:
            services.store_member_add(store=store, actor=other_user, username="alice")
    twenty, body = measure()

    assert len(body["results"]) == 20
    assert {s["role"] for s in body["results"]} == {"owner", "staff"}
    assert one == twenty, "the merchant store list must not query per store"


def test_members_see_their_store_and_others_get_404(user_api, staff_api, other_api, store):
    assert user_api.get("/api/v1/merchant/stores/tea-house/").json()["role"] == "owner"
    assert staff_api.get("/api/v1/merchant/stores/tea-house/").json()["role"] == "staff"
    errors(other_api.get("/api/v1/merchant/stores/tea-house/"), 404, "not_found")
    errors(other_api.get("/api/v1/merchant/stores/no-such/"), 404, "not_found")


def test_owner_updates_store_settings(user_api, store):
    response = user_api.patch(
        "/api/v1/merchant/stores/tea-house/", {"ship_within_hours": 12, "is_active": False}, format="json"
    )

    assert response.status_code == 200
    store.refresh_from_db()
    assert (store.ship_within_hours, store.is_active) == (12, False)


def test_staff_cannot_change_store_settings(staff_api, store):
    errors(
        staff_api.patch("/api/v1/merchant/stores/tea-house/", {"name": "Mine"}, format="json"), 403, "permission_denied"
    )

    store.refresh_from_db()
    assert store.name == "Tea House"


def test_another_store_is_404_whatever_the_body(other_api, store):
    for body in ({"name": "Mine"}, {"ship_within_hours": "garbage", "nope": 1}, ["not", "a", "dict"]):
        errors(other_api.patch("/api/v1/merchant/stores/tea-house/", body, format="json"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "renamed"}, "slug"),
        ({"ship_within_hours": -3}, "ship_within_hours"),
        ({"is_active": "maybe"}, "is_active"),
    ],
)
def test_store_update_bad_input_is_400(user_api, store, body, field):
    assert field in errors(user_api.patch("/api/v1/merchant/stores/tea-house/", body, format="json"), 400)


# --- team ----------------------------------------------------------------------------------


def test_owner_adds_staff_and_lists_the_team(user_api, store):
    UserFactory(username="bob", display_name="Bob")

    added = user_api.post("/api/v1/merchant/stores/tea-house/members/", {"username": "bob"}, format="json")
    listed = user_api.get("/api/v1/merchant/stores/tea-house/members/")

    assert added.status_code == 201
    assert {k: added.json()[k] for k in ("username", "display_name", "role")} == {
        "username": "bob",
        "display_name": "Bob",
        "role": "staff",
    }
    assert [(m["username"], m["role"]) for m in listed.json()["results"]] == [("alice", "owner"), ("bob", "staff")]


def test_staff_cannot_see_or_change_the_team(staff_api, store):
    UserFactory(username="carol")

    errors(staff_api.get("/api/v1/merchant/stores/tea-house/members/"), 403, "permission_denied")
    response = staff_api.post("/api/v1/merchant/stores/tea-house/members/", {"username": "carol"}, format="json")

    errors(response, 403, "permission_denied")
    assert not store.members.filter(user__username="carol").exists()


def test_outsiders_get_404_on_the_team(other_api, store):
    errors(other_api.get("/api/v1/merchant/stores/tea-house/members/"), 404, "not_found")
    response = other_api.post("/api/v1/merchant/stores/tea-house/members/", {"username": "mallory"}, format="json")

    errors(response, 404, "not_found")
    owner = store.members.get()
    errors(other_api.delete(f"/api/v1/merchant/stores/tea-house/members/{owner.id}/"), 404, "not_found")
    assert store.members.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "nobody"}, "username"),
        ({"username": "bob", "role": "boss"}, "role"),
        ({}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"username": "bob", "admin": True}, "admin"),
    ],
)
def test_add_member_bad_input_is_400(user_api, store, body, field):
    UserFactory(username="bob")

    assert field in errors(user_api.post("/api/v1/merchant/stores/tea-house/members/", body, format="json"), 400)
    assert store.members.count() == 1


def test_owner_removes_staff_but_not_the_last_owner(user_api, staff_api, user, staff_user, store):
    bob = store.members.get(user=staff_user)
    alice = store.members.get(user=user)

    errors(staff_api.delete(f"/api/v1/merchant/stores/tea-house/members/{alice.id}/"), 403, "permission_denied")
    assert user_api.delete(f"/api/v1/merchant/stores/tea-house/members/{bob.id}/").status_code == 204
    errors(user_api.delete(f"/api/v1/merchant/stores/tea-house/members/{alice.id}/"), 400)

    assert list(store.members.values_list("user__username", flat=True)) == ["alice"]


def test_member_list_query_count_is_the_same_for_1_and_20(user_api, user, store):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            body = user_api.get("/api/v1/merchant/stores/tea-house/members/").json()
        return len(queries), body

    one, body = measure()
    assert body["count"] == 1
    for n in range(19):
        UserFactory(username=f"staff{n}")
        services.store_member_add(store=store, actor=user, username=f"staff{n}")
    twenty, body = measure()

    assert body["count"] == 20
    assert one == twenty, "the member list must select users with their memberships"


# --- products ------------------------------------------------------------------------------


def test_create_a_product_with_variants(user_api, store):
    response = user_api.post("/api/v1/merchant/stores/tea-house/products/", NEW_PRODUCT, format="json")

    assert response.status_code == 201
    body = response.json()
    product = Product.objects.get(id=body["id"])
    variant = product.variants.get()
    assert (body["title"], body["slug"], body["giftable"], body["is_active"]) == ("Oolong", "oolong", True, True)
    assert body["store"] == {"slug": "tea-house", "name": "Tea House"}
    assert body["variants"] == [
        {
            "id": variant.id,
            "name": "100 g",
            "sku": "OOL-100",
            "price_minor": 6800,
            "currency": "CNY",
            "stock": 12,
            "in_stock": True,
        }
    ]
    assert body["url"].startswith("http://testserver/") and body["url"].endswith(f"/{product.id}/")
    # Active at once: the public catalog shows it.
    assert user_api.get(f"/api/v1/products/{product.id}/").status_code == 200


def test_staff_manage_products_too(staff_api, store):
    response = staff_api.post("/api/v1/merchant/stores/tea-house/products/", NEW_PRODUCT, format="json")

    assert response.status_code == 201


def test_another_stores_member_gets_404_whatever_the_body(other_api, store, other_store):
    for body in (NEW_PRODUCT, {"title": ""}, {"variants": "nope", "extra": 1}):
        response = other_api.post("/api/v1/merchant/stores/tea-house/products/", body, format="json")
        errors(response, 404, "not_found")
    errors(other_api.get("/api/v1/merchant/stores/tea-house/products/"), 404, "not_found")
    assert store.products.count() == 0


def bad_variant(**changes):
    return {**NEW_PRODUCT, "variants": [{**VARIANT, **changes}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in NEW_PRODUCT.items() if k != "title"}, "title"),
        ({**NEW_PRODUCT, "title": "   "}, "title"),
        ({**NEW_PRODUCT, "title": "x" * 121}, "title"),
        ({**NEW_PRODUCT, "description": "x" * 5001}, "description"),
        ({**NEW_PRODUCT, "giftable": "perhaps"}, "giftable"),
        ({k: v for k, v in NEW_PRODUCT.items() if k != "variants"}, "variants"),
        ({**NEW_PRODUCT, "variants": []}, "variants"),
        ({**NEW_PRODUCT, "variants": VARIANT}, "variants"),
        ({**NEW_PRODUCT, "variants": [{**VARIANT, "sku": f"S{n}"} for n in range(51)]}, "variants"),
        ({**NEW_PRODUCT, "store": 2}, "store"),
        (bad_variant(price_minor=0), "variants.0.price_minor"),
        (bad_variant(price_minor=-5), "variants.0.price_minor"),
        (bad_variant(price_minor=1_000_000_001), "variants.0.price_minor"),
        (bad_variant(price_minor=10**40), "variants.0.price_minor"),
        (bad_variant(price_minor="12 yuan"), "variants.0.price_minor"),
        (bad_variant(price_minor=12.5), "variants.0.price_minor"),
        (bad_variant(price_minor=None), "variants.0.price_minor"),
        (bad_variant(stock=-1), "variants.0.stock"),
        (bad_variant(stock=1_000_001), "variants.0.stock"),
        (bad_variant(sku="x" * 65), "variants.0.sku"),
        (bad_variant(name=""), "variants.0.name"),
        (bad_variant(currency="XXX"), "variants.0.currency"),
        (bad_variant(colour="red"), "variants.0.colour"),
        ({**NEW_PRODUCT, "variants": [{"name": "no sku", "price_minor": 100}]}, "variants.0.sku"),
    ],
)
def test_product_create_bad_input_is_400_and_creates_nothing(user_api, store, body, field):
    response = user_api.post("/api/v1/merchant/stores/tea-house/products/", body, format="json")

    assert field in errors(response, 400)
    assert store.products.count() == 0


def test_huge_json_number_for_a_price_is_400(user_api, store):
    raw = json.dumps(NEW_PRODUCT).replace("6800", "1" + "0" * 400)

    response = user_api.generic(
        "POST", "/api/v1/merchant/stores/tea-house/products/", raw, content_type="application/json"
    )

    assert "variants.0.price_minor" in errors(response, 400)


def test_bounds_at_the_edges_are_accepted(user_api, store):
    body = bad_variant(price_minor=1_000_000_000, stock=1_000_000)
    body["variants"].append({**VARIANT, "sku": "CHEAP", "price_minor": 1, "stock": 0})

    response = user_api.post("/api/v1/merchant/stores/tea-house/products/", body, format="json")

    assert response.status_code == 201
    assert [(v["price_minor"], v["stock"]) for v in response.json()["variants"]] == [(1_000_000_000, 1_000_000), (1, 0)]


def test_sku_already_used_in_the_store_is_400(user_api, product):
    body = bad_variant(sku="JAS-100")

    response = user_api.post("/api/v1/merchant/stores/tea-house/products/", body, format="json")

    assert "sku" in errors(response, 400)
    assert Product.objects.count() == 1


def test_store_products_list_includes_inactive_ones(user_api, store, make_product):
    make_product(store, title="On sale", sku="A")
    off = make_product(store, title="Off", sku="B", is_active=False)

    body = user_api.get("/api/v1/merchant/stores/tea-house/products/").json()

    assert body["count"] == 2
    assert {p["title"]: p["is_active"] for p in body["results"]} == {"On sale": True, "Off": False}
    assert next(p for p in body["results"] if p["id"] == off.id)["variants"][0]["stock"] == 7


def test_store_products_query_count_is_the_same_for_1_and_20(user_api, store, make_product):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            body = user_api.get("/api/v1/merchant/stores/tea-house/products/").json()
        return len(queries), body

    make_product(store, title="Tea 0", sku="S0")
    one, body = measure()
    assert body["count"] == 1
    for n in range(1, 20):
        make_product(store, title=f"Tea {n}", sku=f"S{n}")
    twenty, body = measure()

    assert len(body["results"]) == 20
    assert one == twenty, "the merchant product list must prefetch images and variants"


def test_get_and_patch_a_product(user_api, product):
    got = user_api.get(f"/api/v1/merchant/products/{product.id}/")
    patched = user_api.patch(
        f"/api/v1/merchant/products/{product.id}/",
        {"title": "Jasmine pearls", "description": "Hand rolled.", "giftable": False, "is_active": False},
        format="json",
    )

    assert got.status_code == 200
    assert got.json()["variants"][0]["stock"] == 7
    assert patched.status_code == 200
    body = patched.json()
    assert (body["title"], body["slug"], body["giftable"], body["is_active"]) == (
        "Jasmine pearls",
        "jasmine-pearls",
        False,
        False,
    )
    assert user_api.get(f"/api/v1/products/{product.id}/").status_code == 404  # off sale now


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": ["Jasmine"]}, "title"),
        ({"title": "New name"}, None),
        ({"giftable": "perhaps"}, "giftable"),
        ({"store": 99}, "store"),
        ({"slug": "custom"}, "slug"),
        ({"variants": []}, "variants"),
    ],
)
def test_product_patch_input(user_api, product, body, field):
    response = user_api.patch(f"/api/v1/merchant/products/{product.id}/", body, format="json")

    if field is None:
        assert response.status_code == 200
    else:
        assert field in errors(response, 400)
        assert Product.objects.get(id=product.id).title == "Jasmine tea"


def test_another_stores_product_is_404_whatever_the_body(other_api, product):
    url = f"/api/v1/merchant/products/{product.id}/"

    errors(other_api.get(url), 404, "not_found")
    for body in ({"title": "Mine"}, {"title": ""}, {"junk": True}):
        errors(other_api.patch(url, body, format="json"), 404, "not_found")
    errors(other_api.get("/api/v1/merchant/products/999999/"), 404, "not_found")
    errors(other_api.get("/api/v1/merchant/products/99999999999999999999999/"), 404, "not_found")
    assert Product.objects.get(id=product.id).title == "Jasmine tea"


# --- variants ------------------------------------------------------------------------------


def test_add_update_and_delete_a_variant(user_api, product):
    added = user_api.post(
        f"/api/v1/merchant/products/{product.id}/variants/",
        {"name": "250 g", "sku": "JAS-250", "price_minor": 9900},
        format="json",
    )
    assert added.status_code == 201
    variant_id = added.json()["id"]
    assert (added.json()["stock"], added.json()["currency"]) == (0, "CNY")

    patched = user_api.patch(
        f"/api/v1/merchant/variants/{variant_id}/",
        {"price_minor": 8800, "stock": 5, "name": "250 grams"},
        format="json",
    )
    assert patched.status_code == 200
    assert {k: patched.json()[k] for k in ("name", "price_minor", "stock", "in_stock")} == {
        "name": "250 grams",
        "price_minor": 8800,
        "stock": 5,
        "in_stock": True,
    }

    assert user_api.delete(f"/api/v1/merchant/variants/{variant_id}/").status_code == 204
    assert list(product.variants.values_list("sku", flat=True)) == ["JAS-100"]


def test_the_last_variant_cannot_be_deleted(user_api, product):
    only = product.variants.get()

    errors(user_api.delete(f"/api/v1/merchant/variants/{only.id}/"), 400)

    assert Variant.objects.filter(id=only.id).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price_minor": 0}, "price_minor"),
        ({"price_minor": 1_000_000_001}, "price_minor"),
        ({"price_minor": "cheap"}, "price_minor"),
        ({"price_minor": 10**40}, "price_minor"),
        ({"stock": -1}, "stock"),
        ({"stock": 1_000_001}, "stock"),
        ({"stock": True}, "stock"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"currency": "USD"}, "currency"),
        ({"product": 1}, "product"),
    ],
)
def test_variant_patch_bad_input_is_400(user_api, product, body, field):
    variant = product.variants.get()

    assert field in errors(user_api.patch(f"/api/v1/merchant/variants/{variant.id}/", body, format="json"), 400)

    variant.refresh_from_db()
    assert (variant.price_minor, variant.stock, variant.name) == (4500, 7, "100 g")


def test_variant_create_with_a_used_sku_is_400(user_api, product):
    response = user_api.post(
        f"/api/v1/merchant/products/{product.id}/variants/",
        {"name": "dup", "sku": "JAS-100", "price_minor": 100},
        format="json",
    )

    assert "sku" in errors(response, 400)


def test_another_stores_variant_is_404_whatever_the_body(other_api, product):
    variant = product.variants.get()
    url = f"/api/v1/merchant/variants/{variant.id}/"

    for body in ({"price_minor": 1}, {"price_minor": -1, "junk": 1}):
        errors(other_api.patch(url, body, format="json"), 404, "not_found")
    errors(other_api.delete(url), 404, "not_found")
    errors(
        other_api.post(f"/api/v1/merchant/products/{product.id}/variants/", {"sku": "x"}, format="json"),
        404,
        "not_found",
    )
    variant.refresh_from_db()
    assert variant.price_minor == 4500
    assert product.variants.count() == 1


def test_bad_variant_ids_are_json_404(user_api, product):
    for path in ("abc", "0", "99999999999999999999999"):
        errors(user_api.patch(f"/api/v1/merchant/variants/{path}/", {"stock": 1}, format="json"), 404, "not_found")


def test_removing_another_stores_member_through_your_own_store_is_a_404(user_api, store, other_store):
    # The probe of issue 11 saw 400 invalid: the member id exists, but not in this store.
    theirs = other_store.members.get()

    response = user_api.delete(f"/api/v1/merchant/stores/{store.slug}/members/{theirs.id}/")

    errors(response, 404, "not_found")
    assert other_store.members.filter(id=theirs.id).exists()
    errors(user_api.delete(f"/api/v1/merchant/stores/{store.slug}/members/999999/"), 404, "not_found")
