"""The recipient's first minute, on a phone (issue 10): a stranger accepts on one screen with no
page leaving the card; the line above the sticky Accept button says where it goes and which
option; a returning friend gets a sign-in link and comes back to the card signed in; and every
way into sign-up or log-in keeps the card."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from gifts.models import Claim
from gifts.tokens import gift_share_url
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = [pytest.mark.e2e]

LINK = re.compile(r"https?://[^\s]+/accounts/signin/[^\s/]+/")


@pytest.fixture
def gift_with_options(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    sender = UserFactory(username="sam", display_name="Sam")
    product = ProductFactory(title="Jade teapot")
    green = VariantFactory(product=product, name="Green", price_minor=12345, stock=5)
    VariantFactory(product=product, name="Celadon", price_minor=12345, stock=5)
    return paid_gift(sender=sender, variant=green)


def in_viewport(page, locator):
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_stranger_accepts_on_one_screen_without_leaving_the_card(gift_with_options, new_phone, artifacts):
    card = gift_share_url(gift=gift_with_options)
    page = new_phone().new_page()
    visited, posts = [], []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.goto(card)
    page.screenshot(path=artifacts / "first-minute-01-guest-screen.png", full_page=True)

    # The one screen: option, address, email or phone, and the line above Accept.
    summary = page.locator(".guest-form [data-accept-summary]")
    assert "Green" in summary.inner_text()
    page.locator("label", has_text="Celadon").click()
    page.fill("#id_new-recipient_name", "Wang Fang")
    page.fill("#id_new-phone", "13700001111")
    page.fill("#id_new-region", "Beijing")
    page.fill("#id_new-city", "Beijing")
    page.fill("#id_new-street", "5 Zhongguancun Street")
    page.fill("#id_contact", "fay@example.com")
    text = summary.inner_text()
    assert "Wang Fang" in text and "5 Zhongguancun Street" in text and "Celadon" in text
    button = page.get_by_role("button", name="Accept", exact=True)
    assert in_viewport(page, button) and in_viewport(page, summary)  # the sticky bar: both in view
    summary_box, button_box = summary.bounding_box(), button.bounding_box()
    assert summary_box["y"] + summary_box["height"] <= button_box["y"] + 1  # the line sits above the button
    assert summary_box["height"] < 40  # one line
    page.screenshot(path=artifacts / "first-minute-02-filled.png")
    button.click()

    page.wait_for_selector("text=The store ships it soon")
    assert "We sent a sign-in link to fay@example.com" in page.locator(".messages").inner_text()
    assert {urlsplit(url).path for url in visited} == {urlsplit(card).path}  # no page left the card
    # The card is no-referrer (its token is in the URL): the browser's own POST says "Origin: null" and
    # no Referer, and passes CSRF by its Sec-Fetch-Site (giftshop.privacy_headers).
    sent = posts[0].all_headers()
    assert sent.get("origin") == "null" and "referer" not in sent and sent.get("sec-fetch-site") == "same-origin"
    claim = Claim.objects.get(gift=gift_with_options)
    assert claim.variant.name == "Celadon" and claim.recipient.email == "fay@example.com"
    assert "123.45" not in page.content()
    page.screenshot(path=artifacts / "first-minute-03-accepted.png", full_page=True)


def test_the_sticky_accept_says_where_a_saved_address_sends_it(gift_with_options, new_phone, artifacts, live_server):
    fay = UserFactory(username="fay", display_name="Fay")
    AddressFactory(user=fay, is_default=True, recipient_name="Fay Li", street="1 Home Road")
    AddressFactory(user=fay, recipient_name="Fay Li", street="2 Office Tower")
    context = new_phone()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={urlsplit(gift_share_url(gift=gift_with_options)).path}")
    page.fill("#id_username", "fay")
    page.fill("#id_password", "pass-word-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".accept-form")

    summary = page.locator(".accept-form [data-accept-summary]")
    assert "1 Home Road" in summary.inner_text() and "Green" in summary.inner_text()
    assert in_viewport(page, summary) and in_viewport(page, page.get_by_role("button", name="Accept", exact=True))
    page.locator("label.address-option", has_text="2 Office Tower").click()
    page.locator("label", has_text="Celadon").click()
    assert "2 Office Tower" in summary.inner_text() and "Celadon" in summary.inner_text()
    page.screenshot(path=artifacts / "first-minute-04-sticky-summary.png")


def test_a_returning_friend_gets_a_sign_in_link_and_comes_back_signed_in(gift_with_options, new_phone, artifacts):
    UserFactory(username="fay", email="fay@example.com", display_name="Fay")
    card = gift_share_url(gift=gift_with_options)
    page = new_phone().new_page()
    page.goto(card)

    page.locator("details.signin-link summary").click()
    page.fill("#id_signin_contact", "fay@example.com")
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.wait_for_selector("text=a sign-in link is on its way")
    drain_outbox()
    link = LINK.search(mail.outbox[-1].body).group(0)

    page.goto(link)
    page.screenshot(path=artifacts / "first-minute-05-sign-in-link.png", full_page=True)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(card)
    assert page.locator(".accept-form").count() == 1  # signed in: the saved-address screen
    assert "You are signed in." in page.locator(".messages").inner_text()


@pytest.mark.parametrize("link", ["Log in", "Sign up"])
def test_the_headers_log_in_and_sign_up_keep_the_card(gift_with_options, new_phone, link):
    card = gift_share_url(gift=gift_with_options)
    page = new_phone().new_page()
    page.goto(card)

    header = page.locator("header")
    menu = header.locator("summary")
    if menu.count() and menu.first.is_visible():  # a compact phone header opens its menu first
        menu.first.click()
    header.get_by_role("link", name=link).click()
    if link == "Sign up":
        page.fill("#id_username", "newfriend")
        page.fill("#id_password1", "a-long-pass-word-5")
        page.fill("#id_password2", "a-long-pass-word-5")
    else:
        UserFactory(username="fay")
        page.fill("#id_username", "fay")
        page.fill("#id_password", "pass-word-123")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(card)
    assert page.locator(".accept-form").count() == 1
