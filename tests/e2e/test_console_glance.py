"""The merchant console at a glance (issue 10), on a phone (390 px) and a desktop (1280 px):

- the statistics chart fits its frame for any range, shows today's bars, has readable axes (y tick
  values, day labels that never overlap, dates in the page's language) and shows a day's numbers on
  hover, on a tap and on keyboard focus;
- the product page shows no stray "Stock seen:" label;
- no console page (products, variants, shipments, statistics, settings, team, webhooks) is wider
  than the phone.

The store's history is made by the real flow (gift_create → sandbox payment → claim / decline), the
clock moved afterwards by a queryset update, as in tests/gifts/test_stats.py.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gifts.models import Claim, Gift
from gifts.selectors.stats import store_today, store_zone
from gifts.services.claims import claim_accept, claim_decline
from orders.models import Order
from tests.e2e.conftest import PHONE
from tests.e2e.pages import session_cookie
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = [pytest.mark.e2e]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
TODAY_SENT = 5  # gifts sent today: the tallest bar, at the right end of the chart
TODAY_CLAIMED = 2


@dataclass
class Shop:
    merchant: object
    store: object
    variant: object
    shipment_id: int


def moment(days_ago: int, hour: int = 12):
    """A moment `days_ago` store days before today (today: a minute ago, so it is never tomorrow)."""
    if days_ago == 0:
        return timezone.now() - timedelta(minutes=1)
    day = store_today() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour), tzinfo=store_zone())


def sent(sender, variant, days_ago: int) -> Gift:
    gift = paid_gift(sender=sender, variant=variant)
    at = moment(days_ago)
    Gift.objects.filter(id=gift.id).update(opened_at=at)
    Order.objects.filter(id=gift.order_id).update(paid_at=at)
    gift.refresh_from_db()
    return gift


def accepted(gift: Gift, name: str, days_ago: int) -> Claim:
    friend = UserFactory(username=name)
    address = AddressFactory(user=friend, is_default=True)
    claim = claim_accept(gift=gift, user=friend, address_id=address.id)
    Claim.objects.filter(id=claim.id).update(accepted_at=max(moment(days_ago), gift.opened_at))
    return claim


@pytest.fixture
def shop(transactional_db):
    merchant = UserFactory(username="mei", display_name="Mei")
    store = StoreFactory(owner=merchant, name="Tea House of the Long Afternoon", slug="tea-house")
    variant = VariantFactory(product__store=store, product__title="Jasmine pearls, first flush, 250 g tin",
                             name="250 g tin", stock=500, price_minor=5000)
    sender = UserFactory(username="sam")
    first_claim = None
    for n in range(TODAY_SENT):
        gift = sent(sender, variant, 0)
        if n < TODAY_CLAIMED:
            claim = accepted(gift, f"today{n}", 0)
            first_claim = first_claim or claim
    for days_ago, count in ((3, 2), (9, 3), (16, 1), (24, 4), (29, 1), (60, 2), (85, 3)):
        for n in range(count):
            gift = sent(sender, variant, days_ago)
            if n == 0:
                accepted(gift, f"d{days_ago}", max(days_ago - 1, 0))
    declined = sent(sender, variant, 9)
    claim_decline(gift=declined, user=UserFactory(username="dan"))
    Gift.objects.filter(id=declined.id).update(closed_at=moment(8))
    drain_outbox()
    return Shop(merchant=merchant, store=store, variant=variant, shipment_id=first_claim.shipment_id)


def open_as(browser, base_url, user, viewport: str, language: str = "en"):
    context = browser.new_context(**VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    context.add_cookies([
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url},
        session_cookie(user, base_url),
    ])
    return context


def box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
                            " width: r.width, height: r.height}; }")


def page_overflow(tab) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    ordered = sorted(boxes, key=lambda b: b["left"])
    return [(i, i + 1) for i in range(len(ordered) - 1) if ordered[i]["right"] > ordered[i + 1]["left"] - 2]


def check_chart_fits(tab, *, days: int, viewport: str):
    frame = tab.locator(".stats-chart")
    svg = frame.locator("svg")
    panel = box(tab.locator(".stats-panel"))
    chart, outer = box(svg), box(frame)
    width = VIEWPORTS[viewport]["viewport"]["width"]
    assert page_overflow(tab) <= 0, f"{viewport}, {days} days: the page scrolls sideways"
    assert outer["left"] - 0.5 <= chart["left"] and chart["right"] <= outer["right"] + 0.5, (chart, outer)
    assert chart["right"] <= width and chart["width"] > width * 0.6, (chart, width)
    assert tab.locator(".stats-chart .day").count() == days
    # Today's bars: the last day, drawn inside the chart and in view.
    last = tab.locator(".stats-chart .day.last .hit")
    last_box = box(last)
    assert chart["left"] <= last_box["left"] and last_box["right"] <= chart["right"] + 0.5, (last_box, chart)
    assert last_box["width"] > 0
    # Readable axes: y ticks with values, inside the panel; day labels inside it, never overlapping.
    ticks = [box(t) for t in tab.locator(".stats-chart .tick").all()]
    assert len(ticks) >= 2 and all(panel["left"] <= t["left"] for t in ticks)
    assert tab.locator(".stats-chart .tick").first.text_content() == "0"
    labels = [box(t) for t in tab.locator(".stats-chart .day-label").all() if t.is_visible()]
    assert 2 <= len(labels) or days < 2
    assert all(panel["left"] <= b["left"] and b["right"] <= panel["right"] for b in labels), (labels, panel)
    assert overlapping(labels) == [], f"{viewport}, {days} days: day labels overlap"
    assert tab.locator(".stats-chart .day.last .day-label").is_visible()  # today is always labelled


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_chart_fits_any_range_and_shows_todays_numbers_on_focus(shop, live_server, browser, artifacts, viewport):
    # given: the merchant on their statistics page, default range (the last 30 days)
    context = open_as(browser, live_server.url, shop.merchant, viewport)
    tab = context.new_page()
    csp = []
    tab.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    url = live_server.url + reverse("stats:store", kwargs={"slug": shop.store.slug})
    tab.goto(url)
    tab.screenshot(path=artifacts / f"console-stats-30-{viewport}.png", full_page=True)

    # then: the chart fits its frame, today's bars are in view, the axes read
    check_chart_fits(tab, days=30, viewport=viewport)
    today = tab.locator(".stats-chart .day.last")
    assert today.locator(".bar.sent").count() == 1
    sent_bar = box(today.locator(".bar.sent"))
    assert sent_bar["height"] > 100  # the tallest bar of the range: most of the plot's 160 px
    assert TODAY_SENT <= int(tab.locator(".stats-chart .tick").last.text_content()) <= 2 * TODAY_SENT

    # when: the keyboard reaches the chart (one tab stop: today), then moves a day back and forth
    readout = today.locator(".readout")
    assert not readout.is_visible()
    tab.locator("#stats-end").focus()
    for _ in range(10):
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement.classList.contains('day')"):
            break
    assert tab.evaluate("() => document.activeElement.classList.contains('last')"), tab.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 200)")
    # then: today's numbers show, inside the chart
    assert readout.is_visible()
    text = readout.text_content()
    assert f"Sent {TODAY_SENT}" in text and f"Claimed {TODAY_CLAIMED}" in text, text
    read_box = box(readout)
    assert read_box["left"] >= box(tab.locator(".stats-panel"))["left"] and read_box["right"] <= box(
        tab.locator(".stats-panel"))["right"]
    tab.screenshot(path=artifacts / f"console-stats-focus-{viewport}.png")
    tab.keyboard.press("ArrowLeft")
    days = tab.locator(".stats-chart .day")
    assert days.nth(28).evaluate("e => e === document.activeElement")
    assert days.nth(28).locator(".readout").is_visible() and not readout.is_visible()
    tab.keyboard.press("End")
    assert today.evaluate("e => e === document.activeElement")

    # ... and a pointer: hovering (desktop) or tapping (phone) a day shows that day's numbers
    three_days_ago = days.nth(26)
    if viewport == "phone":
        three_days_ago.locator(".hit").tap()
    else:
        three_days_ago.locator(".hit").hover()
    assert three_days_ago.locator(".readout").is_visible()
    assert "Sent 2" in three_days_ago.locator(".readout").text_content()
    tab.screenshot(path=artifacts / f"console-stats-point-{viewport}.png")

    # ... and every range fits too: the other presets and the longest custom range
    for days_count, query in ((7, None), (90, None), (366, None)):
        if query is None:
            start = (store_today() - timedelta(days=days_count - 1)).isoformat()
            query = f"start={start}&end={store_today().isoformat()}"
        tab.goto(f"{url}?{query}")
        check_chart_fits(tab, days=days_count, viewport=viewport)
        tab.screenshot(path=artifacts / f"console-stats-{days_count}-{viewport}.png", full_page=True)
    assert csp == []
    context.close()


def test_the_chart_speaks_the_pages_language(shop, live_server, browser, artifacts):
    context = open_as(browser, live_server.url, shop.merchant, "phone", language="zh-hans")
    tab = context.new_page()
    tab.goto(live_server.url + reverse("stats:store", kwargs={"slug": shop.store.slug}))
    tab.screenshot(path=artifacts / "console-stats-30-phone-zh.png", full_page=True)

    check_chart_fits(tab, days=30, viewport="phone")
    today = store_today()
    assert tab.locator(".stats-chart .day.last .day-label").text_content() == f"{today.month}月{today.day}日"
    tab.locator(".stats-chart .day.last").focus()
    readout = tab.locator(".stats-chart .day.last .readout")
    assert readout.is_visible() and f"{today.year}年{today.month}月{today.day}日" in readout.text_content()
    context.close()


def test_the_product_page_shows_no_stray_stock_seen_label(shop, live_server, browser, artifacts):
    # given: the merchant on the console's product page and on a variant's page, on a phone
    context = open_as(browser, live_server.url, shop.merchant, "phone")
    tab = context.new_page()
    for name, path in (
        ("product", reverse("console:product", kwargs={"product_id": shop.variant.product_id})),
        ("variant", reverse("console:variant", kwargs={"variant_id": shop.variant.id})),
    ):
        tab.goto(live_server.url + path)
        tab.screenshot(path=artifacts / f"console-{name}-phone.png", full_page=True)

        # then: no "Stock seen" label anywhere; the hidden field is still sent with the form
        assert "Stock seen" not in tab.locator("main").inner_text()
        assert tab.locator("label[for=id_stock_seen]").count() == 0
        assert tab.locator("input[type=hidden][name=stock_seen]").count() == 1
        assert tab.locator("input[name=stock]").is_visible()
    context.close()


def test_no_console_page_is_wider_than_a_phone(shop, live_server, browser, artifacts):
    slug = shop.store.slug
    pages = {
        "home": reverse("console:home"),
        "store": reverse("console:store", kwargs={"slug": slug}),
        "settings": reverse("console:store_settings", kwargs={"slug": slug}),
        "team": reverse("console:team", kwargs={"slug": slug}),
        "webhooks": reverse("console:webhooks", kwargs={"slug": slug}),
        "product-new": reverse("console:product_create", kwargs={"slug": slug}),
        "product": reverse("console:product", kwargs={"product_id": shop.variant.product_id}),
        "variant": reverse("console:variant", kwargs={"variant_id": shop.variant.id}),
        "queue": reverse("shipping:queue", kwargs={"slug": slug}),
        "shipment": reverse("shipping:detail", kwargs={"shipment_id": shop.shipment_id}),
        "bulk-dispatch": reverse("shipping:bulk_dispatch", kwargs={"slug": slug}),
        "stats": reverse("stats:store", kwargs={"slug": slug}),
    }
    too_wide = {}
    for language in ("en", "zh-hans"):
        context = open_as(browser, live_server.url, shop.merchant, "phone", language=language)
        tab = context.new_page()
        for name, path in pages.items():
            response = tab.goto(live_server.url + path)
            assert response.status == 200, (name, response.status)
            tab.screenshot(path=artifacts / f"console-glance-{name}-{language}.png", full_page=True)
            # Anything wider than the viewport, or sticking out of it, outside a sideways-scrolling frame.
            sticking_out = tab.evaluate("""() => {
                const width = window.innerWidth, found = [];
                for (const el of document.querySelectorAll('main *')) {
                    if (el.closest('.table-wrap')) continue;
                    const r = el.getBoundingClientRect();
                    if (r.width && (r.right > width + 0.5 || r.left < -0.5)) found.push(
                        el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
                            ? '.' + String(el.className).split(' ').join('.') : ''));
                }
                return found.slice(0, 5);
            }""")
            if name == "shipment":  # the heading's reference (GS-…) is not broken at its dash
                heading = tab.locator("main h1")
                line = heading.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 1.2 * parseFloat("
                                        "getComputedStyle(e).fontSize)")
                assert box(heading)["height"] < 1.5 * line, f"the shipment heading wraps ({language})"
            if page_overflow(tab) > 0 or sticking_out:
                too_wide[f"{name} ({language})"] = (page_overflow(tab), sticking_out)
        context.close()
    assert too_wide == {}
