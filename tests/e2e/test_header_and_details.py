"""Issue 10, "small things that add up", on a phone (390x844): the header (one compact row, a menu
that works without script, log-in and sign-up links that come back to the page, "Merchant console"
for store members only), the favicon, the footer, product tiles, one date format per language, the
draw time's zone, the sandbox carrier in both languages, the API docs page under its CSP, and the
demo seed's same-price options.
"""

import re
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from gifts.services.claims import claim_accept
from gifts.tokens import gift_share_url
from logistics.models import Shipment, TrackingEvent
from stores.models import Product
from tests.factories import AddressFactory, ProductFactory, StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = [pytest.mark.e2e]

HEADER_MAX_PX = 64


def session_cookie(user, base_url) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base_url}


def phone(new_phone, base_url, *, user=None, language="en"):
    context = new_phone()
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if user is not None:
        cookies.append(session_cookie(user, base_url))
    context.add_cookies(cookies)
    return context.new_page()


def watch(page):
    """Collect CSP violations (console) and failed asset requests (4xx/5xx) on this page."""
    seen = {"csp": [], "failed": []}
    page.on("console", lambda msg: seen["csp"].append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("response", lambda r: seen["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return seen


def header_height(page) -> float:
    return page.locator("header.topbar").evaluate("el => el.getBoundingClientRect().height")


def open_menu(page):
    page.locator("header details.menu > summary").click()
    assert page.locator("header details.menu").get_attribute("open") is not None


def next_of(href) -> str | None:
    return (parse_qs(urlsplit(href).query).get("next") or [None])[0]


def card_path(gift) -> str:
    return urlsplit(gift_share_url(gift=gift)).path


@pytest.fixture
def shop(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    sam = UserFactory(username="sam", display_name="Sam")
    mei = UserFactory(username="mei", display_name="Mei")
    store = StoreFactory(name="Tea House", slug="tea-house", owner=mei)
    product = ProductFactory(store=store, title="Jade teapot")
    variant = VariantFactory(product=product, name="Green", price_minor=12345, stock=50)
    return {"sam": sam, "mei": mei, "store": store, "product": product, "variant": variant}


# --- 1. every way into sign-up or log-in keeps the card -------------------------------------

def test_the_headers_sign_up_brings_a_stranger_back_to_the_card(shop, live_server, new_phone, artifacts):
    gift = paid_gift(sender=shop["sam"], variant=shop["variant"], message="For you!")
    path = card_path(gift)
    page = phone(new_phone, live_server.url)
    page.goto(live_server.url + path)

    open_menu(page)
    assert next_of(page.locator("header nav a", has_text="Log in").get_attribute("href")) == path
    assert next_of(page.locator("header nav a", has_text="Sign up").get_attribute("href")) == path
    page.screenshot(path=artifacts / "header-01-menu-open-visitor.png")
    page.locator("header nav a", has_text="Sign up").click()
    page.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    # the sign-up page's own "Log in" keeps it too
    assert next_of(page.locator("main a", has_text="Log in").get_attribute("href")) == path
    open_menu(page)  # and so does the header's, on the sign-up page itself
    assert next_of(page.locator("header nav a", has_text="Log in").get_attribute("href")) == path
    page.locator("header details.menu > summary").click()
    page.fill("#id_username", "newfriend")
    page.fill("#id_display_name", "New Friend")
    page.fill("#id_email", "newfriend@example.com")
    page.fill("#id_password1", "a-long-pass-phrase-42")
    page.fill("#id_password2", "a-long-pass-phrase-42")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(live_server.url + path)
    page.screenshot(path=artifacts / "header-02-back-on-the-card.png")


def test_sign_up_and_log_in_refuse_a_next_that_leaves_the_site(shop, live_server, new_phone):
    page = phone(new_phone, live_server.url)
    page.goto(f"{live_server.url}/accounts/signup/?next=https://evil.example/")

    assert "evil" not in page.locator("main form").get_attribute("action")
    assert "evil" not in page.locator("main a", has_text="Log in").get_attribute("href")
    open_menu(page)
    assert "evil" not in page.locator("header nav a", has_text="Log in").get_attribute("href")


# --- 2. "Merchant console" for store members, "Open a store" for the others -------------------

def test_the_console_link_shows_only_to_store_members(shop, live_server, new_phone, artifacts):
    member = phone(new_phone, live_server.url, user=shop["mei"])
    member.goto(live_server.url + "/")
    open_menu(member)
    assert member.locator("header nav a", has_text="Merchant console").is_visible()
    assert member.locator("header nav a", has_text="Open a store").count() == 0
    member.screenshot(path=artifacts / "header-03-menu-member.png")

    shopper = phone(new_phone, live_server.url, user=shop["sam"])
    shopper.goto(live_server.url + "/")
    open_menu(shopper)
    assert shopper.locator("header nav a", has_text="Merchant console").count() == 0
    shopper.screenshot(path=artifacts / "header-04-menu-shopper.png")
    shopper.locator("header nav a", has_text="Open a store").click()
    shopper.wait_for_url("**/merchant/stores/new/")


# --- 3. one compact header row; every link reachable -----------------------------------------

@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_header_is_one_compact_row_and_every_link_is_reachable(shop, live_server, new_phone, artifacts,
                                                                     language):
    for who, user in (("visitor", None), ("member", shop["mei"])):
        page = phone(new_phone, live_server.url, user=user, language=language)
        page.goto(live_server.url + "/")
        assert header_height(page) <= HEADER_MAX_PX, f"{who}/{language}: header is {header_height(page)} px"
        if user is not None:
            assert page.locator("header .notices-link").is_visible()  # outside the menu: always in sight
        page.screenshot(path=artifacts / f"header-05-closed-{who}-{language}.png")

        open_menu(page)
        page.screenshot(path=artifacts / f"header-06-open-{who}-{language}.png")
        links = page.locator("header nav a, header nav button")
        assert links.count() == (2 if user is None else 5)
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert links.nth(i).is_visible() and box["y"] + box["height"] <= 844 and box["x"] >= 0
            assert box["x"] + box["width"] <= 390
        assert header_height(page) <= HEADER_MAX_PX  # the menu drops over the page, the row stays

        # every link leads where it says
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        for href in filter(None, hrefs):
            assert page.request.get(live_server.url + href).status == 200, href


# --- 4. favicon, 5. footer -------------------------------------------------------------------

def test_pages_have_a_favicon_and_favicon_ico_answers(shop, live_server, new_phone):
    page = phone(new_phone, live_server.url)
    seen = watch(page)
    page.goto(live_server.url + "/")

    icon = page.locator("head link[rel=icon]")
    assert icon.get_attribute("type") == "image/svg+xml"
    assert page.request.get(live_server.url + icon.get_attribute("href")).status == 200
    response = page.request.get(live_server.url + "/favicon.ico")
    assert response.status in (200, 301) and response.headers["content-type"].startswith("image/")
    assert [f for f in seen["failed"] if "favicon" in f] == []


def test_the_footer_does_not_claim_every_product_is_giftable(shop, live_server, new_phone):
    page = phone(new_phone, live_server.url)
    page.goto(live_server.url + "/")

    footer = page.locator("footer").inner_text()
    assert "Every product here can be sent as a gift" not in footer
    assert "Products marked Giftable can be sent as a gift." in footer


# --- 6. product tiles -----------------------------------------------------------------------

def test_tiles_say_sold_out_and_from_only_when_prices_differ(shop, live_server, new_phone, artifacts):
    store = shop["store"]
    sold_out = ProductFactory(store=store, title="Jasmine pearls")
    VariantFactory(product=sold_out, name="50 g", price_minor=7800, stock=0)
    VariantFactory(product=sold_out, name="120 g", price_minor=16800, stock=0)
    same = ProductFactory(store=store, title="Glazed cup")
    VariantFactory(product=same, name="Celadon", price_minor=6800, stock=5)
    VariantFactory(product=same, name="Sky blue", price_minor=6800, stock=5)
    differ = ProductFactory(store=store, title="Longjing")
    VariantFactory(product=differ, name="50 g", price_minor=8800, stock=5)
    VariantFactory(product=differ, name="100 g", price_minor=16800, stock=5)
    page = phone(new_phone, live_server.url)
    page.goto(f"{live_server.url}/s/{store.slug}/")
    page.screenshot(path=artifacts / "tiles-01-store.png", full_page=True)

    def tile(title):
        return page.locator("a.tile", has_text=title).inner_text()

    assert "Sold out" in tile("Jasmine pearls") and "Giftable" not in tile("Jasmine pearls")
    assert "Giftable" in tile("Glazed cup") and "Sold out" not in tile("Glazed cup")
    assert "from" not in tile("Glazed cup") and "¥68.00" in tile("Glazed cup")
    assert "from ¥88.00" in tile("Longjing")


# --- 7. one date format per language ---------------------------------------------------------

@pytest.mark.parametrize("language,pattern,not_pattern", [
    ("en", r"[A-Z][a-z]{2} \d{1,2}, \d{4}", r"\d{2}/\d{2}/\d{4}|[A-Z][a-z]{2}\. \d"),
    ("zh-hans", r"\d{4}年\d{1,2}月\d{1,2}日", r"\d{2}/\d{2}/\d{4}"),
])
def test_a_date_reads_the_same_on_every_page(shop, live_server, new_phone, artifacts, language, pattern,
                                            not_pattern):
    paid_gift(sender=shop["sam"], variant=shop["variant"])
    page = phone(new_phone, live_server.url, user=shop["sam"], language=language)
    dates = {}
    for name, path in (("orders", "/orders/"), ("gifts", "/gifts/"), ("sent", "/me/?tab=sent")):
        page.goto(live_server.url + path)
        text = page.locator("main").inner_text()
        assert not re.search(not_pattern, text), f"{name}: {text}"
        found = re.findall(pattern, text)
        assert found, f"{name}: no date like {pattern} in {text}"
        dates[name] = found[0]
        page.screenshot(path=artifacts / f"dates-{name}-{language}.png", full_page=True)
    assert len(set(dates.values())) == 1, dates


# --- 8. the draw time says its zone ----------------------------------------------------------

def test_the_draw_time_field_says_which_time_zone_it_is_in(shop, live_server, new_phone, artifacts):
    page = phone(new_phone, live_server.url, user=shop["sam"])
    page.goto(f"{live_server.url}/gifts/new/?variant={shop['variant'].id}")
    page.locator("label.choice", has_text="A group").click()
    page.locator("label.choice", has_text="lottery").click()

    label = page.locator("label[for=id_draw_at]")
    assert label.is_visible()
    assert f"({settings.TIME_ZONE}, UTC+08:00)" in label.inner_text()
    page.screenshot(path=artifacts / "compose-draw-time-zone.png", full_page=True)

    # and a time typed there is read in that zone
    from gifts.forms import ComposeForm

    form = ComposeForm(variants=[shop["variant"]], data={
        "variant": shop["variant"].id, "quantity": 2, "mode": "group", "claim_rule": "lottery",
        "draw_at": "2030-01-02T10:30", "cover": "classic", "claim_hours": 48,
    })
    form.is_valid()
    assert "draw_at" not in form.errors
    assert form.cleaned_data["draw_at"].isoformat() == "2030-01-02T10:30:00+08:00"


# --- 9. the sandbox carrier speaks both languages; real carriers' text as it came -----------

def test_the_sandbox_carriers_news_is_translated_and_a_real_carriers_is_not(shop, live_server, new_phone,
                                                                           artifacts):
    fay = UserFactory(username="fay", display_name="Fay")
    AddressFactory(user=fay, is_default=True, street="1 Home Road", phone="13912345678")
    now = timezone.now()
    shipments = []
    for _ in range(2):
        gift = paid_gift(sender=shop["sam"], variant=shop["variant"])
        claim = claim_accept(gift=gift, user=fay, address_id=fay.addresses.get().id)
        shipments.append(claim.shipment)
    Shipment.objects.filter(id=shipments[0].id).update(carrier="sandbox", tracking_number="DLV1")
    Shipment.objects.filter(id=shipments[1].id).update(carrier="kuaidi100", tracking_number="KD1")
    TrackingEvent.objects.create(shipment=shipments[0], key="sbx:2", occurred_at=now - timedelta(minutes=5),
                                 status="out_for_delivery", location="Front door", description="Out for delivery")
    TrackingEvent.objects.create(shipment=shipments[1], key="kd:1", occurred_at=now - timedelta(minutes=4),
                                 status="out_for_delivery", location="Front door", description="Out for delivery")

    page = phone(new_phone, live_server.url, user=fay, language="zh-hans")
    page.goto(f"{live_server.url}/me/?tab=received")
    page.screenshot(path=artifacts / "carrier-zh-received.png", full_page=True)
    text = page.locator("main").inner_text()
    # the real carrier's news as it came; the sandbox's in Chinese (its strings are in the catalogue)
    assert text.count("Out for delivery") == 1, text
    assert text.count("Front door") == 1, text
    with translation.override("zh-hans"):
        assert re.search(r"[\u4e00-\u9fff]", translation.gettext("Out for delivery"))
        assert translation.gettext("Out for delivery") in text


# --- 10. the API docs page keeps its CSP and finds its files --------------------------------

def test_the_api_docs_page_keeps_its_csp_and_finds_its_assets(shop, live_server, new_phone, artifacts):
    page = phone(new_phone, live_server.url)
    seen = watch(page)
    page.goto(f"{live_server.url}/api/docs/", wait_until="networkidle")
    page.wait_for_selector(".swagger-ui .info .title")
    page.screenshot(path=artifacts / "api-docs.png")

    assert seen["csp"] == []
    assert seen["failed"] == []


# --- 11. the demo seed has products whose options cost the same ----------------------------

def test_the_demo_seed_lets_a_newcomer_try_same_price_options(transactional_db, live_server, new_phone,
                                                              artifacts, settings):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=StringIO())
    same_price = [
        p for p in Product.objects.filter(store__slug="lantern-leaf").prefetch_related("variants")
        if len(p.variants.all()) >= 2 and len({v.price_minor for v in p.variants.all()}) == 1
        and all(v.stock > 0 for v in p.variants.all())
    ]
    assert len(same_price) >= 2

    page = phone(new_phone, live_server.url)
    page.goto(f"{live_server.url}/s/lantern-leaf/")
    page.screenshot(path=artifacts / "seed-store.png", full_page=True)
    for product in same_price:
        tile = page.locator("a.tile", has_text=product.title).inner_text()
        assert "from" not in tile, tile
