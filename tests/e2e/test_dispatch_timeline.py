"""On phones: the merchant opens the shipping queue, opens the accepted gift's parcel, dispatches it
with the sandbox carrier; the carrier's timeline runs to the end; the recipient sees every
checkpoint, delivered, on Orders & Cards (/me/).

The gift is built with services (paid through the sandbox's signed webhook, accepted with
claim_accept). No worker runs in tests: the test relays the outbox and moves the sandbox carrier's
clock itself, as the worker and the courier would; the carrier's pushes go through our real webhook
endpoint (SANDBOX_WEBHOOK_TRANSPORT is "inprocess" in tests).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from gifts.services.claims import claim_accept
from logistics.carriers.sandbox import SandboxCarrier
from logistics.models import Shipment
from tests.factories import AddressFactory, ProductFactory, StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's password
TRACKING = "DLV20240501"

pytestmark = [pytest.mark.e2e]


def log_in(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}{next_path}")


def test_the_merchant_dispatches_from_the_console_and_the_recipient_follows_it_to_delivered(
    transactional_db, live_server, new_phone, artifacts, settings
):
    # given: an accepted gift waiting in the Tea House's queue
    settings.SITE_URL = live_server.url
    settings.SANDBOX_CARRIER_STEP_SECONDS = 60
    merchant = UserFactory(username="mei", display_name="Mei")
    store = StoreFactory(name="Tea House", slug="tea-house", owner=merchant)
    variant = VariantFactory(product=ProductFactory(store=store, title="Jade teapot"), name="Green", stock=3)
    sender = UserFactory(username="sam", display_name="Sam")
    friend = UserFactory(username="fay", display_name="Fay")
    address = AddressFactory(user=friend, is_default=True, street="1 Home Road", recipient_name="Fay Wong")
    gift = paid_gift(sender=sender, variant=variant, message="Happy new home, Fay!")
    shipment = claim_accept(gift=gift, user=friend, address_id=address.id).shipment
    drain_outbox()

    # when: the merchant logs in on a phone and opens the shipping queue
    console = new_phone().new_page()
    queue_path = "/merchant/s/tea-house/shipments/"
    log_in(console, live_server.url, "mei", queue_path)
    queue = console.locator("ul.shipments")
    assert shipment.reference in queue.inner_text() and "Fay Wong" in queue.inner_text()
    console.screenshot(path=artifacts / "dispatch-01-queue.png", full_page=True)

    # ... opens the parcel: address, what to pack, the gift card to print
    console.get_by_role("link", name=shipment.reference).click()
    console.wait_for_url(f"{live_server.url}/merchant/shipments/{shipment.id}/")
    main = console.locator("main").inner_text()
    assert "1 Home Road" in main and "Happy new home, Fay!" in main and "Jade teapot" in main
    console.screenshot(path=artifacts / "dispatch-02-shipment.png", full_page=True)

    # ... and dispatches it with the sandbox carrier
    console.select_option("#id_carrier", "sandbox")
    console.fill("#id_tracking_number", TRACKING)
    console.locator("form.dispatch-form button[type=submit]").click()
    console.wait_for_url(f"{live_server.url}/merchant/shipments/{shipment.id}/")
    console.wait_for_selector(f"text=dispatched: Sandbox Express {TRACKING}")
    console.screenshot(path=artifacts / "dispatch-03-dispatched.png", full_page=True)
    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == ("info_received", "sandbox", TRACKING)

    # the worker's part: the parcel is registered at the carrier, whose timeline then runs to its end
    drain_outbox()
    now = timezone.now()
    assert SandboxCarrier(clock=lambda: now + timedelta(seconds=60 * 4)).push_due() == 1
    drain_outbox()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED

    # then: the merchant's page shows the whole timeline
    console.reload()
    timeline = console.locator("ol.timeline > li")
    assert timeline.count() == 4
    assert "Delivered" in console.locator("ol.timeline").inner_text()
    console.screenshot(path=artifacts / "dispatch-04-merchant-timeline.png", full_page=True)

    # ... and the recipient, on their own phone, sees it delivered on Orders & Cards
    phone = new_phone().new_page()
    log_in(phone, live_server.url, "fay", "/me/?tab=received")
    card = phone.locator(f"#claim-{shipment.claim.id}")
    card.locator("ol.timeline").wait_for()
    steps = card.locator("ol.timeline > li > strong").all_inner_texts()
    assert steps == ["Delivered", "Out for delivery", "In transit", "Label created"]  # newest first
    assert "Delivered, signed by the recipient" in card.inner_text()
    assert "delivered" in card.locator(".badge").first.inner_text().lower()
    assert "99.00" not in phone.content()  # never a price on the recipient's side
    phone.screenshot(path=artifacts / "dispatch-05-recipient-timeline.png", full_page=True)
