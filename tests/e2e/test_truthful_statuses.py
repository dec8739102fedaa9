"""Statuses that tell the truth (issue 10), on a phone: what the sender, the buyer, the recipient and
the merchant read about a gift, a payment, a parcel and a notice is what really happened.

State is built with the real services and the sandboxes (tests.gifts.helpers); each person is a
fresh phone context signed in with the session of Django's test client. No worker runs: the tests
relay the outbox themselves, and leave the payment webhook undelivered where they need "paid at the
provider, not yet confirmed here".
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models.functions import Now
from django.test import Client
from django.utils import timezone

from accounts.notices import KINDS, notice_send
from gifts.models import Gift
from gifts.services.claims import claim_accept, claim_decline, claim_enter
from gifts.services.lifecycle import gift_cancel
from gifts.services.sending import gift_create
from logistics.services.tracking import shipment_dispatch
from orders.payments.sandbox import sandbox_charge_complete
from orders.services.checkout import order_create_purchase
from tests.factories import AddressFactory, ProductFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = [pytest.mark.e2e]

PHONE_WIDTH = 390
TRACKING = "DLV77001"


@pytest.fixture
def shop(transactional_db, live_server, settings):
    """The Tea House with a teapot in two options at the same price, a sender and a friend."""
    settings.SITE_URL = live_server.url
    merchant = UserFactory(username="mei", display_name="Mei")
    store = StoreFactory(name="Tea House", slug="tea-house", owner=merchant)
    product = ProductFactory(store=store, title="Jade teapot")
    green = VariantFactory(product=product, name="Green", price_minor=9900, stock=10)
    blue = VariantFactory(product=product, name="Blue", price_minor=9900, stock=10)
    sender = UserFactory(username="sam", display_name="Sam")
    friend = UserFactory(username="fay", display_name="Fay")
    address = AddressFactory(user=friend, is_default=True, street="1 Home Road", recipient_name="Fay Wong")
    return {"url": live_server.url, "merchant": merchant, "store": store, "green": green, "blue": blue,
            "sender": sender, "friend": friend, "address": address}


def phone_of(new_phone, base_url, user):
    """A phone signed in as `user` (the session cookie of a test client's login)."""
    client = Client()
    client.force_login(user)
    context = new_phone()
    context.add_cookies([{
        "name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }])
    return context.new_page()


def main_text(page):
    return page.locator("main").inner_text()


# --- 1. a declined or cancelled gift says so ----------------------------------------------------------

def test_a_declined_and_a_cancelled_gift_say_so_on_the_gift_page_and_in_the_sent_lists(shop, new_phone, artifacts):
    # given: one gift the friend declined, one the sender cancelled; their refunds have landed
    declined = paid_gift(sender=shop["sender"], variant=shop["green"], message="For you")
    claim_decline(gift=declined, user=shop["friend"])
    cancelled = paid_gift(sender=shop["sender"], variant=shop["blue"], message="For you too")
    gift_cancel(gift=cancelled, actor=shop["sender"])
    drain_outbox()

    # when: the sender opens each gift's page, "Gifts I sent" and Orders & Cards' sent tab
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(f"{shop['url']}/gifts/{declined.id}/")
    declined_page = main_text(page)
    page.screenshot(path=artifacts / "truth-01-declined-gift.png", full_page=True)
    page.goto(f"{shop['url']}/gifts/{cancelled.id}/")
    cancelled_page = main_text(page)
    page.screenshot(path=artifacts / "truth-01-cancelled-gift.png", full_page=True)
    page.goto(f"{shop['url']}/gifts/")
    sent_list = main_text(page)
    page.goto(f"{shop['url']}/me/?tab=sent")
    sent_tab = {gift.id: page.locator(f"#gift-{gift.id} .gift-summary").inner_text() for gift in (declined, cancelled)}
    page.screenshot(path=artifacts / "truth-01-sent-tab.png", full_page=True)

    # then: each says what happened, and none says "0 of 1 claimed, 1 left"
    assert "Declined — refunded" in declined_page and "Cancelled — refunded" in cancelled_page
    assert sent_tab == {declined.id: "Declined — refunded", cancelled.id: "Cancelled — refunded"}
    assert "Declined — refunded" in sent_list and "Cancelled — refunded" in sent_list
    for text in (declined_page, cancelled_page, sent_list, main_text(page)):
        assert "1 left" not in text and "0 of 1 claimed" not in text


# --- 2. after a variant switch, the option the friend gets --------------------------------------------

def test_after_a_variant_switch_the_sender_sees_the_option_the_friend_gets(shop, new_phone, artifacts):
    # given: a gift of the green teapot, which the friend accepted as the blue one (same price)
    gift = paid_gift(sender=shop["sender"], variant=shop["green"])
    claim_accept(gift=gift, user=shop["friend"], address_id=shop["address"].id, variant_id=shop["blue"].id)
    drain_outbox()

    # when: the sender opens the gift's page and the sent tab
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(f"{shop['url']}/gifts/{gift.id}/")
    facts = page.locator("dl.facts").inner_text()
    friends = page.locator("ul.claims").inner_text()
    page.screenshot(path=artifacts / "truth-02-variant-switch-gift.png", full_page=True)
    page.goto(f"{shop['url']}/me/?tab=sent")
    row = page.locator(f"#gift-{gift.id} .product-link").inner_text()
    page.screenshot(path=artifacts / "truth-02-variant-switch-sent-tab.png", full_page=True)

    # then: the blue one is listed (the green one only as what it was switched from)
    assert "Jade teapot (Blue)" in facts and "Your friend switched from Green" in facts
    assert "Fay" in friends and "Blue" in friends
    assert "Blue" in row and "Green" not in row
    assert "1 Home Road" not in page.content()  # still no address for the sender


# --- 3. right after paying: confirming, not "Pay now" ---------------------------------------------------

def test_right_after_paying_the_gift_page_confirms_instead_of_offering_a_second_payment(shop, new_phone, artifacts):
    # given: a gift waiting for its payment; the sender pays on the sandbox's page, its webhook not yet here
    gift = gift_create(sender=shop["sender"], variant_id=shop["green"].id)
    checkout_url = gift.order.payments.get().checkout_url
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(checkout_url)
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(re.compile(rf".*/gifts/{gift.id}/$"))

    # then: the page says it is confirming, offers a refresh, and no second payment
    assert "Confirming your payment…" in main_text(page)
    assert page.get_by_role("link", name="Pay now").count() == 0
    assert page.locator(f'main a[href="{checkout_url}"]').count() == 0
    assert page.get_by_role("link", name="Refresh").count() == 1
    page.screenshot(path=artifacts / "truth-03-confirming-gift.png", full_page=True)

    # when: the webhook lands, the page (which refreshes itself) shows the card link
    pay(gift.order)  # the sandbox delivers its signed webhook; the outbox opens the gift
    page.wait_for_selector("#share-link")

    # and: a gift whose checkout was left without paying still offers "Pay now"
    abandoned = gift_create(sender=shop["sender"], variant_id=shop["blue"].id)
    page.goto(f"{shop['url']}/gifts/{abandoned.id}/")
    pay_now = page.get_by_role("link", name="Pay now")
    assert pay_now.count() == 1 and pay_now.get_attribute("href") == abandoned.order.payments.get().checkout_url
    page.screenshot(path=artifacts / "truth-03-abandoned-gift.png", full_page=True)


def test_right_after_paying_the_order_page_confirms_instead_of_offering_a_second_payment(shop, new_phone, artifacts):
    # given: the friend buys for herself and pays; the provider's webhook has not arrived
    buyer = shop["friend"]
    order = order_create_purchase(buyer=buyer, variant_id=shop["green"].id, quantity=1,
                                  address_id=shop["address"].id)
    payment = order.payments.get()
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded")

    # when: she opens her order
    page = phone_of(new_phone, shop["url"], buyer)
    page.goto(f"{shop['url']}/orders/{order.id}/")

    # then: "Confirming your payment…" with a refresh, no "Pay now"
    assert "Confirming your payment…" in main_text(page)
    assert page.get_by_role("link", name="Pay now").count() == 0
    assert page.locator(f'main a[href="{payment.checkout_url}"]').count() == 0
    assert page.get_by_role("link", name="Refresh").count() == 1
    page.screenshot(path=artifacts / "truth-03-confirming-order.png", full_page=True)


# --- 4. after dispatch: the carrier's name, and a true word about its news ------------------------------

def test_after_dispatch_the_shipment_page_names_the_carrier_and_says_news_is_coming(shop, new_phone, artifacts):
    # given: an accepted gift, dispatched with the sandbox carrier, no checkpoint from it yet
    gift = paid_gift(sender=shop["sender"], variant=shop["green"])
    shipment = claim_accept(gift=gift, user=shop["friend"], address_id=shop["address"].id).shipment
    shipment_dispatch(shipment=shipment, carrier="sandbox", tracking_number=TRACKING, actor=member_of(shipment))

    # when: the merchant opens the parcel and the queue; the friend opens Orders & Cards
    console = phone_of(new_phone, shop["url"], shop["merchant"])
    console.goto(f"{shop['url']}/merchant/shipments/{shipment.id}/")
    page = main_text(console)
    carrier = console.locator("#dispatch dl.facts dd").first.inner_text()
    console.screenshot(path=artifacts / "truth-04-dispatched-shipment.png", full_page=True)
    console.goto(f"{shop['url']}/merchant/s/tea-house/shipments/?status=all")
    queue = main_text(console)
    friend = phone_of(new_phone, shop["url"], shop["friend"])
    friend.goto(f"{shop['url']}/me/?tab=received")
    received = main_text(friend)
    friend.screenshot(path=artifacts / "truth-04-received-tab.png", full_page=True)

    # then: the carrier is named, and the tracking section no longer waits for a dispatch
    assert carrier == "Sandbox Express"
    assert f"Dispatched with Sandbox Express, tracking number {TRACKING}." in page
    assert "once the parcel is dispatched" not in page
    assert f"Sandbox Express {TRACKING}" in received and f"sandbox {TRACKING}" not in received
    assert f"sandbox {TRACKING}" not in queue


# --- 5. a gift whose payment failed is not "sent" -------------------------------------------------------

def test_a_gift_whose_payment_failed_is_not_listed_as_sent(shop, new_phone, artifacts):
    # given: a paid gift, a gift whose payment failed, and one still waiting for its payment
    sent = paid_gift(sender=shop["sender"], variant=shop["green"])
    failed = gift_create(sender=shop["sender"], variant_id=shop["blue"].id)
    pay(failed.order, outcome="failed")
    waiting = gift_create(sender=shop["sender"], variant_id=shop["blue"].id)

    # when: the sender opens Orders & Cards' sent tab and "Gifts I sent"
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(f"{shop['url']}/me/?tab=sent")
    page.screenshot(path=artifacts / "truth-05-sent-tab.png", full_page=True)

    # then: the failed one is not there; the waiting one says it is not confirmed, with no price as if sent
    assert page.locator(f"#gift-{sent.id}").count() == 1
    assert page.locator(f"#gift-{failed.id}").count() == 0
    waiting_row = page.locator(f"#gift-{waiting.id}")
    assert "Payment not confirmed yet" in waiting_row.inner_text()
    assert waiting_row.get_by_role("link", name="Check the payment").count() == 1
    page.goto(f"{shop['url']}/gifts/")
    assert page.locator(f'a[href="/gifts/{failed.id}/"]').count() == 0
    assert page.locator(f'a[href="/gifts/{sent.id}/"]').count() == 1
    # ... and the failed gift's own page still tells what happened
    page.goto(f"{shop['url']}/gifts/{failed.id}/")
    assert "The payment did not go through" in main_text(page)


# --- 6. notice labels in sentence case ---------------------------------------------------------------

def test_every_notice_label_is_in_sentence_case(shop, new_phone, artifacts):
    # given: one notice of every kind
    params = {"friend": "Fay", "product": "Jade teapot", "units": 1, "amount": 9900, "currency": "CNY",
              "reason": "declined", "sender": "Sam", "note": "Thanks!", "order_id": 1, "outcome": "resent"}
    for kind in KINDS:
        notice_send(user=shop["sender"], kind=kind, key=f"e2e:{kind}", params=params)

    # when: the sender opens the notices tab
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(f"{shop['url']}/me/?tab=notices")
    page.screenshot(path=artifacts / "truth-06-notices.png", full_page=True)

    # then: every badge starts with a capital letter ("Accepted", "Refunded", "Thank you", "New")
    labels = page.locator("ul.notices .badges .badge").all_inner_texts()
    assert len(labels) == 2 * len(KINDS)  # its kind, and "New"
    assert [label for label in labels if not label[:1].isupper()] == []


# --- 7. the selected tab is on screen ----------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_selected_tab_of_orders_and_cards_is_inside_a_phones_screen(shop, new_phone, artifacts, language):
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": shop["url"]}])
    for tab in ("received", "sent", "orders", "addresses", "notices"):
        page.goto(f"{shop['url']}/me/?tab={tab}")
        selected = page.locator("nav.wallet-tabs a[aria-current=page]")
        box = selected.bounding_box()
        assert box is not None, tab
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, (tab, box)
        strip = page.locator("nav.wallet-tabs").evaluate("nav => [nav.scrollWidth, nav.clientWidth]")
        assert strip[0] <= strip[1], (tab, strip)  # nothing hidden to the side
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, tab
    page.screenshot(path=artifacts / f"truth-07-tabs-notices-{language}.png")


# --- 8. typos ------------------------------------------------------------------------------------------

def test_the_sandbox_page_and_the_draw_command_speak_plain_english(shop, new_phone, artifacts, settings):
    # given: a gift paid on the sandbox's page
    gift = gift_create(sender=shop["sender"], variant_id=shop["green"].id)
    checkout_url = gift.order.payments.get().checkout_url
    page = phone_of(new_phone, shop["url"], shop["sender"])
    page.goto(checkout_url)
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(re.compile(rf".*/gifts/{gift.id}/$"))

    # when: the payer opens the sandbox's page again
    page.goto(checkout_url)
    page.screenshot(path=artifacts / "truth-08-sandbox-already-paid.png", full_page=True)

    # then: it says so in English
    assert "This payment has already succeeded." in main_text(page)
    assert "is already" not in main_text(page)

    # and: the draw command counts one lottery in the singular ("drew 1 lottery", not "1 lotteries")
    lottery = paid_gift(sender=shop["sender"], variant=shop["blue"], mode="group", claim_rule="lottery", quantity=1,
                        draw_at=timezone.now() + timedelta(hours=1))
    claim_enter(gift=lottery, user=shop["friend"])
    Gift.objects.filter(id=lottery.id).update(draw_at=Now() - timedelta(seconds=1))  # the draw time has come
    out = StringIO()
    call_command("draw_lotteries", stdout=out)
    assert out.getvalue().strip() == "draw_lotteries: drew 1 lottery"
