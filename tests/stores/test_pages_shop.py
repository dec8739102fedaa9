"""Public shop pages through the HTTP client: home, store, product (whose buttons lead to the buy and gift pages)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores import services
from tests.conftest import make_image_bytes
from tests.factories import StoreFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def make_product(store, n, *, title=None, image=True, giftable=True, is_active=True, stock=(987, 0)):
    """A product made through the services: two variants (the second sold out) and a photo."""
    product = services.product_create(
        store=store, actor=member_of(store),
        title=title or f"Teapot {n}",
        description=f"Hand-made teapot number {n}.",
        giftable=giftable,
        is_active=is_active,
        variants=[
            {"name": "Small", "sku": f"S-{n}", "price_minor": 12900, "stock": stock[0]},
            {"name": "Large", "sku": f"L-{n}", "price_minor": 15900, "stock": stock[1]},
        ],
    )
    if image:
        upload = SimpleUploadedFile(f"p{n}.jpg", make_image_bytes(size=(24, 24)), content_type="image/jpeg")
        services.product_image_add(product=product, actor=member_of(product), upload=upload)
    return product


def main_html(response):
    """The page's <main> only (base.html's header and footer hold the log-out and language forms)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def store():
    return StoreFactory(name="Tea House", slug="tea-house", owner=UserFactory(username="owner"))


def product_url(product):
    return reverse("stores:product", kwargs={"store_slug": product.store.slug, "product_id": product.id})


# --- home ------------------------------------------------------------------------------------


def test_home_shows_stores_and_latest_products_with_cover_and_price(client, store):
    # given
    product = make_product(store, 1)
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    html = main_html(response)
    assert "Tea House" in html and "Teapot 1" in html
    assert "from ¥129.00" in html
    assert product.images.first().thumbnail.url in html
    assert product_url(product) in html


def test_home_counts_each_stores_products_on_sale_and_marks_tiles_sold_out_or_single_priced(client, store):
    # given a store with two products on sale (one with every option sold out, one with a single
    # price) and one off sale, and a store with nothing yet
    make_product(store, 1, stock=(0, 0))
    services.product_create(
        store=store, actor=member_of(store), title="Tea cup", description="", giftable=False, is_active=True,
        variants=[{"name": "One", "sku": "C-1", "price_minor": 3000, "stock": 5}],
    )
    make_product(store, 3, is_active=False)
    StoreFactory(name="Empty Shop", slug="empty-shop")

    # when a visitor opens the home page
    html = main_html(client.get("/"))

    # then the stores show how many products each has on sale
    assert re.search(r"Tea House</strong></a>\s*<span[^>]*>2 products</span>", html)
    assert re.search(r"Empty Shop</strong></a>\s*<span[^>]*>0 products</span>", html)
    # and the tiles: all options sold out says so; one price is shown without "from"
    assert html.count("Sold out") == 1
    assert "¥30.00" in html and "from ¥30.00" not in html and "Teapot 3" not in html


def test_home_empty_state_invites_merchants(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No products yet" in main_html(response)
    assert reverse("console:store_create") in main_html(response)


def test_home_hides_inactive_products_and_stores(client, store):
    # given
    make_product(store, 1, title="Visible pot", image=False)
    make_product(store, 2, title="Hidden pot", image=False, is_active=False)
    closed = StoreFactory(name="Closed Shop", is_active=False)
    make_product(closed, 3, title="Closed-store pot", image=False)
    # when
    html = main_html(client.get("/"))
    # then
    assert "Visible pot" in html
    assert "Hidden pot" not in html
    assert "Closed-store pot" not in html
    assert "Closed Shop" not in html


def test_home_search_filters_products(client, store):
    make_product(store, 1, title="Jasmine tea", image=False)
    make_product(store, 2, title="Copper kettle", image=False)

    html = main_html(client.get("/", {"q": "jasmine"}))

    assert "Jasmine tea" in html
    assert "Copper kettle" not in html


def test_home_search_without_match_says_so(client, store):
    make_product(store, 1, image=False)
    response = client.get("/", {"q": "<b>zzz</b>"})
    assert response.status_code == 200
    assert "Nothing matches" in main_html(response)
    assert "<b>zzz</b>" not in response.content.decode()  # escaped


def test_home_paginates_twenty_per_page(client, store):
    for n in range(21):
        make_product(store, n, image=False)

    first = main_html(client.get("/"))
    second = main_html(client.get("/", {"page": 2}))

    assert first.count('class="tile"') == 20
    assert second.count('class="tile"') == 1
    assert "?page=2" in first
    assert client.get("/", {"page": "nonsense"}).status_code == 200


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_query_count_is_the_same_for_1_and_20_products(client, store):
    make_product(store, 0)
    one = count_queries(client, "/")
    for n in range(1, 20):
        make_product(store, n)
    twenty = count_queries(client, "/")
    assert one == twenty, f"home: {one} queries for 1 product, {twenty} for 20: a query runs per product"


# --- store page ------------------------------------------------------------------------------


def test_store_page_shows_info_and_products(client, store):
    make_product(store, 1)
    other = StoreFactory(name="Other Shop")
    make_product(other, 2, title="Elsewhere pot", image=False)

    response = client.get(reverse("stores:store", kwargs={"slug": "tea-house"}))

    assert response.status_code == 200
    html = main_html(response)
    assert "Tea House" in html and "A small shop." in html
    assert "Teapot 1" in html
    assert "Elsewhere pot" not in html
    assert "48 hours" in html


def test_store_page_search(client, store):
    make_product(store, 1, title="Jasmine tea", image=False)
    make_product(store, 2, title="Copper kettle", image=False)

    html = main_html(client.get(reverse("stores:store", kwargs={"slug": "tea-house"}), {"q": "kettle"}))

    assert "Copper kettle" in html
    assert "Jasmine tea" not in html


def test_store_page_empty_state(client, store):
    html = main_html(client.get(reverse("stores:store", kwargs={"slug": "tea-house"})))
    assert "no products on sale yet" in html


def test_inactive_or_unknown_store_is_404(client, store):
    services.store_update(store=store, actor=store.members.get().user, is_active=False)
    assert client.get(reverse("stores:store", kwargs={"slug": "tea-house"})).status_code == 404
    assert client.get(reverse("stores:store", kwargs={"slug": "nope"})).status_code == 404


def test_store_page_query_count_is_the_same_for_1_and_20_products(client, store):
    url = reverse("stores:store", kwargs={"slug": store.slug})
    make_product(store, 0)
    one = count_queries(client, url)
    for n in range(1, 20):
        make_product(store, n)
    twenty = count_queries(client, url)
    assert one == twenty, f"store page: {one} queries for 1 product, {twenty} for 20"


# --- product page ----------------------------------------------------------------------------


def test_product_page_shows_gallery_variants_and_both_buttons(client, store):
    # given
    product = make_product(store, 1)
    small, large = product.variants.all()
    # when
    response = client.get(product_url(product))
    # then
    assert response.status_code == 200
    html = main_html(response)
    assert product.images.first().image.url in html
    assert "Hand-made teapot number 1." in html
    assert "¥129.00" in html and "¥159.00" in html
    assert re.search(rf'value="{small.id}"\s+checked', html)
    assert re.search(rf'value="{large.id}"\s+disabled', html)  # sold out cannot be chosen
    assert "sold out" in html and "in stock" in html
    # Stock numbers are never shown: not in the page's text (attributes hold random photo names,
    # which may contain any digits), and not in any option's own markup.
    assert "987" not in re.sub(r"<[^>]+>", " ", html)
    options = re.findall(r'<label class="variant[^"]*">.*?</label>', html, flags=re.S)
    assert len(options) == 2 and not any("987" in option for option in options)
    # "Buy" and "Send as a gift" submit the chosen variant as ?variant= to the buy and gift pages.
    assert f'<form method="get" action="{reverse("orders:buy")}"' in html
    assert f'formaction="{reverse("gifts:compose")}"' in html
    assert "Send as a gift" in html


def test_product_page_without_gift_option_has_no_gift_button(client, store):
    product = make_product(store, 1, giftable=False, image=False)
    html = main_html(client.get(product_url(product)))
    assert "Buy" in html
    assert "Send as a gift" not in html


def test_product_page_all_sold_out_disables_buying(client, store):
    product = make_product(store, 1, stock=(0, 0), image=False)
    html = main_html(client.get(product_url(product)))
    assert "Sold out for now" in html
    assert re.search(r"<button[^>]*disabled>Buy</button>", html)


def test_product_page_404s(client, store):
    inactive = make_product(store, 1, is_active=False, image=False)
    active = make_product(store, 2, image=False)
    other_store = StoreFactory(slug="other")
    closed = StoreFactory(slug="closed", is_active=False)
    in_closed = make_product(closed, 3, image=False)

    assert client.get(product_url(inactive)).status_code == 404
    wrong_store = reverse("stores:product", kwargs={"store_slug": other_store.slug, "product_id": active.id})
    assert client.get(wrong_store).status_code == 404
    assert client.get(product_url(in_closed)).status_code == 404
    unknown = reverse("stores:product", kwargs={"store_slug": store.slug, "product_id": 999999})
    assert client.get(unknown).status_code == 404


# --- what the product page's buttons lead to -------------------------------------------------


def test_product_page_buy_button_leads_to_the_buy_page_with_the_chosen_variant(client, store):
    # given
    product = make_product(store, 1, image=False)
    small, _large = product.variants.all()
    buyer = UserFactory(username="buyer")
    client.force_login(buyer)
    # when: the product page's form is a GET form, so "Buy" asks for /orders/new/?variant=<id>
    response = client.get(reverse("orders:buy"), {"variant": small.id})
    # then
    assert response.status_code == 200
    html = main_html(response)
    assert "Teapot 1" in html and re.search(rf'value="{small.id}"\s+checked', html)


def test_product_page_gift_button_leads_to_the_gift_composer_with_the_chosen_variant(client, store):
    product = make_product(store, 1, image=False)
    small, _large = product.variants.all()
    client.force_login(UserFactory(username="sender"))

    response = client.get(reverse("gifts:compose"), {"variant": small.id})

    assert response.status_code == 200
    assert "Teapot 1" in main_html(response)


def test_shop_pages_refuse_post(client, store):
    product = make_product(store, 1, image=False)
    assert client.post(product_url(product)).status_code == 405
    assert client.post(reverse("stores:store", kwargs={"slug": store.slug})).status_code == 405
