"""The whole gift loop on two phones: the sender sends a product as a gift and pays on the sandbox's
page; the friend opens the card link, logs in, accepts in one tap and says thank you; the sender
sees "Accepted" and the note.

No worker runs in tests: after the payment the test itself delivers the sandbox's signed webhook
(through Django's test client into the same database) and relays the outbox, as the worker would.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.payments.sandbox import sandbox_deliver_webhooks
from stores.services import product_image_add
from tests.conftest import make_image_bytes
from tests.factories import AddressFactory, ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's password

pytestmark = [pytest.mark.e2e]


def watch_csp(page, violations):
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


def log_in(page, username):
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()


def natural_width(locator):
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function("img => img.complete", arg=locator.element_handle())
    return locator.evaluate("img => img.naturalWidth")


def test_a_gift_goes_from_the_product_page_to_a_friends_thank_you_note(
    transactional_db, live_server, new_phone, artifacts, settings
):
    # given: the payment pages and card links point at this live server
    settings.SITE_URL = live_server.url
    UserFactory(username="sam", display_name="Sam")
    friend = UserFactory(username="fay", display_name="Fay")
    AddressFactory(user=friend, is_default=True, street="1 Home Road", phone="13912345678")
    store = StoreFactory(name="Jade House", slug="jade-house")
    product = ProductFactory(store=store, title="Jade teapot")
    product_image_add(
        product=product,
        actor=member_of(product),
        upload=SimpleUploadedFile("teapot.jpg", make_image_bytes(), "image/jpeg"),
    )
    VariantFactory(product=product, name="Green", price_minor=12345, stock=5)
    product_url = f"{live_server.url}/s/jade-house/p/{product.id}/"
    csp_violations = []

    # when: the sender logs in, opens the product and presses "Send as a gift"
    sender_context = new_phone()
    sender_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sender = sender_context.new_page()
    watch_csp(sender, csp_violations)
    sender.goto(f"{live_server.url}/accounts/login/?next=/s/jade-house/p/{product.id}/")
    log_in(sender, "sam")
    sender.wait_for_url(product_url)
    sender.screenshot(path=artifacts / "gift-01-product.png", full_page=True)
    sender.get_by_role("button", name="Send as a gift").click()
    sender.wait_for_url("**/gifts/new/?variant=*")

    # ... fills the composer: a message (counted as it is typed), a cover, a longer window
    sender.fill("#id_message", "Happy birthday, Fay!")
    assert sender.locator("#message-count").inner_text() == "20 / 200"
    sender.locator("label.swatch.cover-birthday").click()
    assert sender.locator("label.swatch.cover-birthday input").is_checked()
    assert sender.locator("#id_draw_at").is_hidden()  # lottery fields only for a lottery
    sender.select_option("#id_claim_hours", "48")
    sender.screenshot(path=artifacts / "gift-02-compose.png", full_page=True)
    sender.get_by_role("button", name="Continue to payment").click()

    # ... and pays on the sandbox's hosted page
    sender.wait_for_url("**/pay/sandbox/*/")
    assert "¥123.45" in sender.locator("main").inner_text()
    sender.screenshot(path=artifacts / "gift-03-sandbox-checkout.png", full_page=True)
    sender.get_by_role("button", name="Pay", exact=True).click()
    sender.wait_for_url(re.compile(r".*/gifts/\d+/$"))
    assert "Waiting for the payment to be confirmed" in sender.locator("main").inner_text()
    sender.screenshot(path=artifacts / "gift-04-waiting-for-payment.png", full_page=True)

    # the worker's part: the sandbox delivers its signed webhook, the outbox opens the gift
    assert sandbox_deliver_webhooks()["sent"] == 1
    drain_outbox()

    # then: the sender's page refreshes by itself and shows the card link, copy button and QR code
    sender.wait_for_selector("#share-link")
    share_url = sender.input_value("#share-link")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/g/[A-Za-z0-9_-]{{43}}/", share_url)
    sender.get_by_role("button", name="Copy").click()
    assert sender.evaluate("navigator.clipboard.readText()") == share_url
    assert natural_width(sender.locator("figure.qr img")) > 0
    sender.screenshot(path=artifacts / "gift-05-share-the-card.png", full_page=True)

    # when: the friend opens the link on another phone: the card shows, with no price
    friend_page = new_phone().new_page()
    watch_csp(friend_page, csp_violations)
    friend_page.goto(share_url)
    card_text = friend_page.locator("main").inner_text()
    assert "Sam sent you a gift" in card_text and "Happy birthday, Fay!" in card_text
    assert natural_width(friend_page.locator(".gift-card-product img")) > 0
    assert "123.45" not in friend_page.content()
    friend_page.screenshot(path=artifacts / "gift-06-card-before-login.png", full_page=True)

    # ... logs in from the card and comes back to it, with the default address chosen
    friend_page.locator(".have-account").get_by_role("link", name="Log in").click()
    log_in(friend_page, "fay")
    friend_page.wait_for_url(share_url)
    assert friend_page.locator("input[name=address]:checked").count() == 1
    assert "1 Home Road" in friend_page.locator("label.address-option:has(input:checked)").inner_text()
    assert friend_page.locator("fieldset.new-address").is_hidden()
    assert "123.45" not in friend_page.content()
    friend_page.screenshot(path=artifacts / "gift-07-card-one-tap.png", full_page=True)

    # ... accepts with one tap, and writes a thank-you note
    friend_page.get_by_role("button", name="Accept", exact=True).click()
    friend_page.wait_for_selector("text=The store ships it soon")
    friend_page.fill("#id_note", "Thank you, Sam! It is beautiful.")
    friend_page.screenshot(path=artifacts / "gift-08-accepted.png", full_page=True)
    friend_page.get_by_role("button", name="Send the note").click()
    friend_page.wait_for_selector("blockquote.thanks")
    assert "123.45" not in friend_page.content()
    friend_page.screenshot(path=artifacts / "gift-09-thanked.png", full_page=True)

    # then: back on the sender's phone, the gift is accepted and the note is there
    sender.reload()
    claims = sender.locator("ul.claims").inner_text()
    assert "Fay" in claims and "Accepted" in claims and "Thank you, Sam! It is beautiful." in claims
    assert "1 Home Road" not in sender.content() and "13912345678" not in sender.content()
    sender.screenshot(path=artifacts / "gift-10-sender-sees-the-note.png", full_page=True)

    assert csp_violations == []
