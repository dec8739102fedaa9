"""Real providers' checkouts in Chromium, against the fake WeChat Pay API v3 and the fake Stripe
(tests/fakes/). A payment form's redirect leaves our origin for the provider's hosted page, which
the CSP's form-action must allow (settings/payments.py, CHECKOUT_ORIGINS).

A phone's browser is sent on to WeChat Pay's H5 page and comes back to the gift, card link ready;
a desktop browser gets the Native QR code, and the QR page goes back to the gift by itself once
the payment lands. Stripe's Checkout is reached from the gift form and returns to the card. The
providers' own pages (wx.tenpay.com, checkout.stripe.com) are not reachable here: the browser's
router answers for them.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Payment
from stores.services import product_image_add
from tests.conftest import make_image_bytes
from tests.e2e.conftest import PHONE
from tests.e2e.test_gift_flow import log_in, natural_width
from tests.factories import ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox
from tests.orders.test_stripe import deliver as stripe_deliver
from tests.orders.test_stripe import fake_stripe  # noqa: F401 - a fixture
from tests.orders.test_wechatpay import IPHONE, deliver, server, wechat  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def product_url(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    # as settings/payments.py makes it for PAYMENT_PROVIDER=wechatpay (read once, at start)
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
        **directives, "form-action": ["'self'", *settings.CHECKOUT_ORIGINS["wechatpay"]]}}
    UserFactory(username="sam", display_name="Sam")
    product = ProductFactory(store=StoreFactory(name="Jade House", slug="jade-house"), title="Jade teapot")
    product_image_add(product=product, actor=member_of(product),
                      upload=SimpleUploadedFile("teapot.jpg", make_image_bytes(), "image/jpeg"))
    VariantFactory(product=product, name="Green", price_minor=12345, stock=5)
    return f"{live_server.url}/s/jade-house/p/{product.id}/"


def send_a_gift(page, live_server, product_url):
    page.goto(f"{live_server.url}/accounts/login/?next={urlsplit(product_url).path}")
    log_in(page, "sam")
    page.wait_for_url(product_url)
    page.get_by_role("button", name="Send as a gift").click()
    page.wait_for_url("**/gifts/new/?variant=*")
    page.fill("#id_message", "For you, Fay")
    page.get_by_role("button", name="Continue to payment").click()


def test_a_phone_pays_on_wechat_pays_h5_page_and_comes_back_to_the_card(
    wechat, product_url, live_server, browser, artifacts  # noqa: F811
):
    context = browser.new_context(**PHONE, user_agent=IPHONE)
    page = context.new_page()
    sent_to = []
    page.route("https://wx.tenpay.com/**", lambda route: (
        sent_to.append(route.request.url),
        route.fulfill(content_type="text/html; charset=utf-8", body="<title>微信支付</title><h1>微信支付 ¥123.45</h1>"),
    ))

    send_a_gift(page, live_server, product_url)

    page.wait_for_url("https://wx.tenpay.com/**")
    page.screenshot(path=artifacts / "wechat-h5-01-wechat-pay.png")
    payment = Payment.objects.get()
    # made when the gift was, and asked again (a fresh h5_url) when the browser followed our link
    assert wechat.orders[payment.provider_ref]["trade_type"] == "MWEB" and wechat.h5_ips == ["127.0.0.1"] * 2
    # the payer pays in WeChat; WeChat Pay notifies us, and sends the payer back
    assert deliver(wechat.pay(payment.provider_ref)).status_code == 204
    drain_outbox()
    back = parse_qs(urlsplit(sent_to[0]).query)["redirect_url"][0]
    assert re.fullmatch(rf"{re.escape(live_server.url)}/gifts/\d+/", back)
    page.goto(back)
    page.wait_for_selector("#share-link")
    page.screenshot(path=artifacts / "wechat-h5-02-back-at-the-gift.png", full_page=True)
    context.close()


def test_a_desktop_scans_the_qr_code_and_the_page_goes_back_by_itself_once_paid(
    wechat, product_url, live_server, browser, artifacts  # noqa: F811
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)

    send_a_gift(page, live_server, product_url)

    page.wait_for_url("**/pay/wechat/?c=*")
    assert natural_width(page.locator(".qr img")) > 100
    assert "Open WeChat, tap Scan" in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "wechat-native-01-qr.png")
    payment = Payment.objects.get()
    assert wechat.orders[payment.provider_ref]["trade_type"] == "NATIVE"
    assert deliver(wechat.pay(payment.provider_ref)).status_code == 204
    drain_outbox()
    page.wait_for_url(re.compile(r".*/gifts/\d+/$"))  # the QR page's own refresh, no click
    page.wait_for_selector("#share-link")
    context.close()


def test_stripe_checkout_is_reached_from_the_gift_form_and_returns_to_the_card(
    product_url, live_server, browser, artifacts, settings, fake_stripe  # noqa: F811
):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
        **directives, "form-action": ["'self'", *settings.CHECKOUT_ORIGINS["stripe"]]}}
    page = browser.new_context(**PHONE, user_agent=IPHONE).new_page()
    page.route("https://checkout.stripe.com/**", lambda route: route.fulfill(
        content_type="text/html; charset=utf-8", body="<title>Stripe Checkout</title><h1>Pay ¥123.45</h1>"))

    send_a_gift(page, live_server, product_url)

    page.wait_for_url("https://checkout.stripe.com/c/pay/cs_test_*")
    payment = Payment.objects.get()
    assert stripe_deliver(fake_stripe.pay(payment.provider_ref)).status_code == 200
    drain_outbox()
    page.goto(fake_stripe.sessions[payment.provider_ref]["success_url"])  # Stripe sends the payer back
    page.wait_for_selector("#share-link")
    page.context.close()
