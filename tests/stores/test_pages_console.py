"""Merchant console pages through the HTTP client: access (anonymous, other stores), happy paths,
domain errors shown as messages or form errors, and query counts."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores import services
from stores.models import Product, ProductImage, Store, StoreMember, Variant
from tests.conftest import make_image_bytes
from tests.factories import StoreFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def jpeg(name="photo.jpg", size=(32, 24), color=(200, 40, 40)):
    return SimpleUploadedFile(name, make_image_bytes(size=size, color=color), content_type="image/jpeg")


def make_product(store, n, *, image=True):
    product = services.product_create(
        store=store, actor=member_of(store),
        title=f"Teapot {n}",
        variants=[
            {"name": "Small", "sku": f"S-{n}", "price_minor": 12900, "stock": 3},
            {"name": "Large", "sku": f"L-{n}", "price_minor": 15900, "stock": 0},
        ],
    )
    if image:
        services.product_image_add(product=product, actor=member_of(product), upload=jpeg(f"p{n}.jpg", size=(16, 16)))
    return product


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def owner():
    return UserFactory(username="olivia")


@pytest.fixture
def store(owner):
    return StoreFactory(name="Tea House", slug="tea-house", owner=owner)


@pytest.fixture
def product(store, media):
    return make_product(store, 1)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def staff(store):
    user = UserFactory(username="sam")
    StoreMember.objects.create(store=store, user=user, role=StoreMember.Role.STAFF)
    return user


@pytest.fixture
def outsider_client(db):
    """Mallory runs a store of her own, so she is a merchant, just not of this store."""
    mallory = UserFactory(username="mallory")
    StoreFactory(name="Mallory Mart", slug="mallory-mart", owner=mallory)
    client = Client()
    client.force_login(mallory)
    return client


def console_urls(store, product):
    variant = product.variants.first()
    image = product.images.first()
    member = store.members.get(role="owner")
    return [
        ("GET", reverse("console:store", kwargs={"slug": store.slug})),
        ("GET", reverse("console:store_settings", kwargs={"slug": store.slug})),
        ("POST", reverse("console:store_settings", kwargs={"slug": store.slug})),
        ("GET", reverse("console:team", kwargs={"slug": store.slug})),
        ("POST", reverse("console:team", kwargs={"slug": store.slug})),
        ("POST", reverse("console:team_remove", kwargs={"slug": store.slug, "member_id": member.id})),
        ("GET", reverse("console:product_create", kwargs={"slug": store.slug})),
        ("POST", reverse("console:product_create", kwargs={"slug": store.slug})),
        ("GET", reverse("console:product", kwargs={"product_id": product.id})),
        ("POST", reverse("console:product", kwargs={"product_id": product.id})),
        ("POST", reverse("console:variant_create", kwargs={"product_id": product.id})),
        ("POST", reverse("console:photo_upload", kwargs={"product_id": product.id})),
        ("POST", reverse("console:photo_move", kwargs={"image_id": image.id})),
        ("POST", reverse("console:photo_delete", kwargs={"image_id": image.id})),
        ("GET", reverse("console:variant", kwargs={"variant_id": variant.id})),
        ("POST", reverse("console:variant", kwargs={"variant_id": variant.id})),
        ("POST", reverse("console:variant_delete", kwargs={"variant_id": variant.id})),
    ]


# --- access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_everywhere(client, store, product):
    urls = console_urls(store, product) + [("GET", reverse("console:home")), ("GET", reverse("console:store_create"))]
    for method, url in urls:
        response = client.get(url) if method == "GET" else client.post(url, {"title": "x"})
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), (method, url)


def test_another_stores_member_gets_404_everywhere_and_changes_nothing(outsider_client, store, product):
    # given: a full set of valid-looking bodies, so only access control can stop them
    body = {
        "name": "Hacked",
        "description": "",
        "ship_within_hours": 1,
        "is_active": "",
        "username": "mallory",
        "role": "owner",
        "title": "Hacked",
        "giftable": "",
        "variant_name": "X",
        "sku": "HACK",
        "price": "1.00",
        "stock": 1,
        "direction": "down",
        "photos": jpeg(),
    }
    # when / then
    for method, url in console_urls(store, product):
        response = outsider_client.get(url) if method == "GET" else outsider_client.post(url, body)
        assert response.status_code == 404, (method, url)
    store.refresh_from_db()
    product.refresh_from_db()
    assert store.name == "Tea House" and store.is_active
    assert product.title == "Teapot 1"
    assert product.variants.count() == 2 and product.images.count() == 1
    assert not Variant.objects.filter(sku="HACK").exists()
    assert not store.members.filter(user__username="mallory").exists()
    assert Product.objects.filter(store=store).count() == 1


def test_posts_need_a_csrf_token(owner, store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("console:store_settings", kwargs={"slug": store.slug}), {"name": "X"})
    assert response.status_code == 403
    store.refresh_from_db()
    assert store.name == "Tea House"


# --- console home and opening a store ----------------------------------------------------------


def test_console_home_lists_only_my_stores_with_product_counts(owner_client, store, media):
    make_product(store, 1, image=False)
    make_product(store, 2, image=False)
    StoreFactory(name="Not Mine")

    response = owner_client.get(reverse("console:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tea House" in html and "2 products" in html
    assert "Not Mine" not in html


def test_console_home_empty_state_offers_to_open_a_store(client, db):
    client.force_login(UserFactory(username="newbie"))
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert "You have no store yet" in response.content.decode()
    assert reverse("console:store_create") in response.content.decode()


def test_open_a_store_makes_me_its_owner(client, db):
    # given
    me = UserFactory(username="newbie")
    client.force_login(me)
    assert client.get(reverse("console:store_create")).status_code == 200
    # when
    response = client.post(
        reverse("console:store_create"),
        {"name": "Paper Cranes", "slug": "paper-cranes", "description": "Origami.", "ship_within_hours": 24},
        follow=True,
    )
    # then
    store = Store.objects.get(slug="paper-cranes")
    assert store.ship_within_hours == 24
    assert StoreMember.objects.get(store=store, user=me).role == StoreMember.Role.OWNER
    assert response.redirect_chain[-1][0] == reverse("console:store", kwargs={"slug": "paper-cranes"})
    assert "Your store “Paper Cranes” is open." in response.content.decode()


def test_open_a_store_with_a_taken_address_shows_the_error(owner_client, store):
    response = owner_client.post(
        reverse("console:store_create"), {"name": "Copy", "slug": "tea-house", "ship_within_hours": 48}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert Store.objects.filter(slug="tea-house").count() == 1


def test_open_a_store_with_bad_input_shows_errors(owner_client, db):
    body = {"name": "", "slug": "no spaces!", "ship_within_hours": 0}
    response = owner_client.post(reverse("console:store_create"), body)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "slug", "ship_within_hours"} <= set(errors)


# --- store dashboard and settings ------------------------------------------------------------


def test_dashboard_lists_products_with_cover_variants_and_badges(owner_client, store, product):
    hidden = make_product(store, 2, image=False)
    services.product_update(product=hidden, actor=member_of(hidden), is_active=False, giftable=False)

    response = owner_client.get(reverse("console:store", kwargs={"slug": store.slug}))

    assert response.status_code == 200
    html = response.content.decode()
    assert product.images.first().thumbnail.url in html
    assert "2 variants" in html
    assert "on sale" in html and "hidden" in html and "giftable" in html
    assert reverse("console:product", kwargs={"product_id": hidden.id}) in html


def test_dashboard_empty_state(owner_client, store):
    html = owner_client.get(reverse("console:store", kwargs={"slug": store.slug})).content.decode()
    assert "No products yet" in html
    assert reverse("console:product_create", kwargs={"slug": store.slug}) in html


def test_staff_sees_the_dashboard(client, store, staff, product):
    client.force_login(staff)
    response = client.get(reverse("console:store", kwargs={"slug": store.slug}))
    assert response.status_code == 200
    assert "Teapot 1" in response.content.decode()


def test_settings_update_the_store(owner_client, store):
    url = reverse("console:store_settings", kwargs={"slug": store.slug})
    assert 'value="Tea House"' in owner_client.get(url).content.decode()

    response = owner_client.post(
        url, {"name": "Tea Palace", "description": "Now bigger.", "ship_within_hours": 72}, follow=True
    )

    store.refresh_from_db()
    assert (store.name, store.description, store.ship_within_hours, store.is_active) == (
        "Tea Palace",
        "Now bigger.",
        72,
        False,
    )
    assert "Store settings saved." in response.content.decode()


def test_settings_with_bad_hours_show_an_error(owner_client, store):
    url = reverse("console:store_settings", kwargs={"slug": store.slug})
    response = owner_client.post(url, {"name": "Tea House", "ship_within_hours": 1000, "is_active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["ship_within_hours"]
    store.refresh_from_db()
    assert store.ship_within_hours == 48


# --- team ------------------------------------------------------------------------------------


def test_owner_adds_staff_by_username(owner_client, store):
    UserFactory(username="newhire")
    response = owner_client.post(
        reverse("console:team", kwargs={"slug": store.slug}), {"username": "newhire", "role": "staff"}, follow=True
    )
    assert store.members.get(user__username="newhire").role == StoreMember.Role.STAFF
    assert "newhire joined the team as staff." in response.content.decode()


def test_adding_an_unknown_username_shows_a_form_error(owner_client, store):
    response = owner_client.post(
        reverse("console:team", kwargs={"slug": store.slug}), {"username": "ghost", "role": "staff"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["No account has this username."]
    assert store.members.count() == 1


def test_owner_removes_a_member(owner_client, store, staff):
    member = store.members.get(user=staff)
    response = owner_client.post(
        reverse("console:team_remove", kwargs={"slug": store.slug, "member_id": member.id}), follow=True
    )
    assert not store.members.filter(user=staff).exists()
    assert "Removed from the team." in response.content.decode()


def test_the_last_owner_cannot_leave(owner_client, store, owner):
    member = store.members.get(user=owner)
    response = owner_client.post(
        reverse("console:team_remove", kwargs={"slug": store.slug, "member_id": member.id}), follow=True
    )
    assert store.members.filter(user=owner).exists()
    assert "A store needs at least one owner." in response.content.decode()


def test_staff_cannot_open_the_team_page_as_the_api_refuses_them(client, store, staff):
    client.force_login(staff)
    response = client.get(reverse("console:team", kwargs={"slug": store.slug}))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the store&#x27;s owners can do this." in html
    assert "olivia" not in html and 'name="username"' not in html


def test_staff_cannot_add_or_remove_members(client, store, staff, owner):
    client.force_login(staff)
    UserFactory(username="friend")

    added = client.post(reverse("console:team", kwargs={"slug": store.slug}), {"username": "friend", "role": "owner"})
    owner_member = store.members.get(user=owner)
    removed = client.post(reverse("console:team_remove", kwargs={"slug": store.slug, "member_id": owner_member.id}))

    assert added.status_code == 403 and removed.status_code == 403
    assert "Only the store&#x27;s owners can do this." in added.content.decode()
    assert not store.members.filter(user__username="friend").exists()
    assert store.members.filter(user=owner).exists()


# --- products and variants -------------------------------------------------------------------


def test_create_a_product_with_its_first_variant(owner_client, store):
    url = reverse("console:product_create", kwargs={"slug": store.slug})
    assert owner_client.get(url).status_code == 200

    response = owner_client.post(
        url,
        {
            "title": "Jade teapot",
            "description": "Green.",
            "giftable": "on",
            "is_active": "on",
            "variant_name": "Standard",
            "sku": "JADE-1",
            "price": "129.00",
            "stock": 5,
        },
        follow=True,
    )

    product = Product.objects.get(store=store, title="Jade teapot")
    assert product.giftable and product.is_active
    (variant,) = product.variants.all()
    assert (variant.name, variant.sku, variant.price_minor, variant.stock) == ("Standard", "JADE-1", 12900, 5)
    assert response.redirect_chain[-1][0] == reverse("console:product", kwargs={"product_id": product.id})
    assert "Product “Jade teapot” created." in response.content.decode()


@pytest.mark.parametrize("price", ["12.345", "abc", "0", "-5", "99999999999", "NaN", "Infinity"])
def test_create_a_product_with_a_bad_price_shows_an_error(owner_client, store, price):
    response = owner_client.post(
        reverse("console:product_create", kwargs={"slug": store.slug}),
        {"title": "Pot", "variant_name": "Standard", "sku": "P-1", "price": price, "stock": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["price"]
    assert not Product.objects.filter(store=store).exists()


def test_create_a_product_with_a_sku_taken_in_the_store_shows_the_service_error(owner_client, store, product):
    response = owner_client.post(
        reverse("console:product_create", kwargs={"slug": store.slug}),
        {"title": "Pot", "variant_name": "Standard", "sku": "S-1", "price": "10.00", "stock": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["This SKU is already used in this store."]
    assert Product.objects.filter(store=store).count() == 1


def test_edit_a_product(owner_client, product):
    url = reverse("console:product", kwargs={"product_id": product.id})
    page = owner_client.get(url)
    assert page.status_code == 200
    assert 'value="Teapot 1"' in page.content.decode()

    response = owner_client.post(url, {"title": "Big teapot", "description": "Bigger.", "is_active": "on"}, follow=True)

    product.refresh_from_db()
    assert (product.title, product.description, product.giftable, product.is_active) == (
        "Big teapot",
        "Bigger.",
        False,
        True,
    )
    assert "Product saved." in response.content.decode()


def test_edit_a_product_with_an_empty_title_shows_an_error(owner_client, product):
    response = owner_client.post(reverse("console:product", kwargs={"product_id": product.id}), {"title": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    product.refresh_from_db()
    assert product.title == "Teapot 1"


def test_product_page_shows_variants_and_photos(owner_client, product):
    html = owner_client.get(reverse("console:product", kwargs={"product_id": product.id})).content.decode()
    assert "S-1" in html and "L-1" in html and "¥129.00" in html
    assert product.images.first().thumbnail.url in html
    assert 'type="file" name="photos"' in html and "multiple" in html


def test_add_a_variant(owner_client, product):
    response = owner_client.post(
        reverse("console:variant_create", kwargs={"product_id": product.id}),
        {"name": "Huge", "sku": "H-1", "price": "199.90", "stock": 2},
        follow=True,
    )
    variant = product.variants.get(sku="H-1")
    assert (variant.name, variant.price_minor, variant.stock) == ("Huge", 19990, 2)
    assert "Variant “Huge” added." in response.content.decode()


def test_add_a_variant_with_a_taken_sku_shows_the_error(owner_client, product):
    response = owner_client.post(
        reverse("console:variant_create", kwargs={"product_id": product.id}),
        {"name": "Dup", "sku": "L-1", "price": "1.00", "stock": 2},
    )
    assert response.status_code == 200
    assert response.context["variant_form"].errors["sku"] == ["This SKU is already used in this store."]
    assert product.variants.count() == 2


def test_edit_a_variant(owner_client, product):
    variant = product.variants.get(sku="S-1")
    url = reverse("console:variant", kwargs={"variant_id": variant.id})
    assert 'value="129.00"' in owner_client.get(url).content.decode()

    response = owner_client.post(url, {"name": "Mini", "sku": "S-1", "price": "99.50", "stock": 0}, follow=True)

    variant.refresh_from_db()
    assert (variant.name, variant.price_minor, variant.stock) == ("Mini", 9950, 0)
    assert "Variant saved." in response.content.decode()


def test_edit_a_variant_with_a_bad_stock_shows_an_error(owner_client, product):
    variant = product.variants.get(sku="S-1")
    response = owner_client.post(
        reverse("console:variant", kwargs={"variant_id": variant.id}),
        {"name": "Small", "sku": "S-1", "price": "1.00", "stock": -1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["stock"]
    variant.refresh_from_db()
    assert variant.stock == 3


def test_delete_a_variant_but_never_the_last(owner_client, product):
    small, large = product.variants.all()

    first = owner_client.post(reverse("console:variant_delete", kwargs={"variant_id": large.id}), follow=True)
    last = owner_client.post(reverse("console:variant_delete", kwargs={"variant_id": small.id}), follow=True)

    assert list(product.variants.all()) == [small]
    assert "Variant “Large” deleted." in first.content.decode()
    assert "A product needs at least one variant." in last.content.decode()


def test_variant_delete_refuses_get(owner_client, product):
    response = owner_client.get(reverse("console:variant_delete", kwargs={"variant_id": product.variants.first().id}))
    assert response.status_code == 405
    assert product.variants.count() == 2


# --- photos ----------------------------------------------------------------------------------


def test_upload_several_photos_keeps_the_valid_ones_and_reports_the_broken_one(owner_client, store, media):
    product = make_product(store, 7, image=False)
    broken = SimpleUploadedFile("broken.jpg", make_image_bytes()[:200], content_type="image/jpeg")

    response = owner_client.post(
        reverse("console:photo_upload", kwargs={"product_id": product.id}),
        {"photos": [jpeg("a.jpg"), broken, jpeg("b.png")]},
        follow=True,
    )

    assert product.images.count() == 2
    msgs = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("broken.jpg: ") for m in msgs)
    assert "2 photos added." in msgs
    assert len(media_files()) == 4  # two photos and two thumbnails; nothing of the broken file


def test_upload_only_a_broken_file_stores_nothing(owner_client, store, media):
    product = make_product(store, 7, image=False)
    response = owner_client.post(
        reverse("console:photo_upload", kwargs={"product_id": product.id}),
        {"photos": [SimpleUploadedFile("notes.txt", b"just text", content_type="text/plain")]},
    )
    assert response.status_code == 302
    assert product.images.count() == 0
    assert media_files() == []
    assert messages_of(response) == ["notes.txt: This file is not a photo we can read."]


def test_upload_a_too_large_photo_is_refused_with_a_message(owner_client, store, media, settings):
    settings.IMAGE_MAX_BYTES = 500
    product = make_product(store, 7, image=False)
    response = owner_client.post(
        reverse("console:photo_upload", kwargs={"product_id": product.id}),
        {"photos": [jpeg("big.jpg", size=(200, 200))]},
    )
    assert response.status_code == 302
    assert product.images.count() == 0
    assert messages_of(response) == ["big.jpg: Photos can be at most 5 MB."]


def test_upload_without_a_file_asks_for_one(owner_client, product):
    response = owner_client.post(reverse("console:photo_upload", kwargs={"product_id": product.id}))
    assert response.status_code == 302
    assert messages_of(response) == ["Choose one or more photos to upload."]
    assert product.images.count() == 1


def test_move_photos_up_and_down(owner_client, product):
    for name in ("b.jpg", "c.jpg"):
        services.product_image_add(product=product, actor=member_of(product), upload=jpeg(name))
    a, b, c = product.images.all()

    first = owner_client.post(reverse("console:photo_move", kwargs={"image_id": c.id}), {"direction": "up"})
    assert list(product.images.all()) == [a, c, b]
    assert messages_of(first) == ["Photo moved."]
    owner_client.post(reverse("console:photo_move", kwargs={"image_id": a.id}), {"direction": "down"}, follow=True)
    assert list(product.images.all()) == [c, a, b]

    bad = owner_client.post(reverse("console:photo_move", kwargs={"image_id": a.id}), {"direction": "sideways"})
    assert messages_of(bad) == ["Choose to move the photo up or down."]
    assert list(product.images.all()) == [c, a, b]


def test_delete_a_photo_removes_its_files(owner_client, product, django_capture_on_commit_callbacks):
    image = product.images.get()
    assert len(media_files()) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("console:photo_delete", kwargs={"image_id": image.id}))

    assert response.status_code == 302
    assert not ProductImage.objects.filter(id=image.id).exists()
    assert media_files() == []
    assert messages_of(response) == ["Photo deleted."]


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_is_the_same_for_1_and_20_products(owner_client, store, media):
    url = reverse("console:store", kwargs={"slug": store.slug})
    make_product(store, 0)
    one = count_queries(owner_client, url)
    for n in range(1, 20):
        make_product(store, n)
    twenty = count_queries(owner_client, url)
    assert one == twenty, f"dashboard: {one} queries for 1 product, {twenty} for 20: a query runs per product"


def test_console_home_query_count_is_the_same_for_1_and_20_products_and_stores(owner_client, owner, store, media):
    url = reverse("console:home")
    make_product(store, 0)
    one = count_queries(owner_client, url)
    for n in range(1, 20):
        make_product(store, n)
        StoreFactory(owner=owner)
    twenty = count_queries(owner_client, url)
    assert one == twenty, f"console home: {one} queries for 1 row, {twenty} for 20"


def test_an_owner_can_leave_when_another_owner_stays(owner_client, store, owner):
    co_owner = UserFactory(username="cora")
    StoreMember.objects.create(store=store, user=co_owner, role=StoreMember.Role.OWNER)
    member = store.members.get(user=owner)

    response = owner_client.post(reverse("console:team_remove", kwargs={"slug": store.slug, "member_id": member.id}))

    assert response.status_code == 302 and response["Location"] == reverse("console:home")
    assert not store.members.filter(user=owner).exists()
    assert owner_client.get(reverse("console:store", kwargs={"slug": store.slug})).status_code == 404
