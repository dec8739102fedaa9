"""A merchant logs in on a phone, adds a product with a photo in the console; a shopper on another
phone finds it in the store with its photo loaded."""

import urllib.parse

import pytest
from PIL import Image

from tests.factories import StoreFactory, UserFactory

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's password

pytestmark = [pytest.mark.e2e]


def natural_width(locator):
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function("img => img.complete", arg=locator.element_handle())
    return locator.evaluate("img => img.naturalWidth")


def watch_csp(page, violations):
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


def test_merchant_adds_a_product_with_a_photo_and_a_shopper_sees_it(
    transactional_db, live_server, new_phone, artifacts, tmp_path
):
    # given: a merchant with a store, and a photo on disk
    merchant = UserFactory(username="mei", display_name="Mei")
    StoreFactory(name="Mei's Teas", slug="mei-teas", owner=merchant)
    photo = tmp_path / "teapot.jpg"
    Image.new("RGB", (800, 600), (30, 120, 60)).save(photo, "JPEG")
    csp_violations = []

    # when: the merchant logs in through the login page
    page = new_phone().new_page()
    watch_csp(page, csp_violations)
    page.goto(f"{live_server.url}/accounts/login/?next=/merchant/")
    page.fill("#id_username", "mei")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/merchant/")
    page.screenshot(path=artifacts / "01-console-home.png", full_page=True)

    # ... opens the store and creates a product with its first variant
    page.get_by_role("link", name="Mei's Teas").first.click()
    page.wait_for_url("**/merchant/s/mei-teas/")
    page.locator("main").get_by_role("link", name="New product").click()
    page.fill("#id_title", "Dragon Well teapot")
    page.fill("#id_description", "Glazed clay, 300 ml.")
    page.fill("#id_variant_name", "Green")
    page.fill("#id_sku", "DW-1")
    page.fill("#id_price", "129.00")
    page.fill("#id_stock", "5")
    page.screenshot(path=artifacts / "02-new-product.png", full_page=True)
    page.get_by_role("button", name="Create the product").click()
    page.wait_for_url("**/merchant/products/*/")
    assert "Dragon Well teapot" in page.locator(".messages").inner_text()

    # ... and uploads a photo
    page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/merchant/products/*/#photos")
    assert "1 photo added." in page.locator(".messages").inner_text()
    console_thumb = page.locator(".photo-list img").first
    assert natural_width(console_thumb) > 0
    page.screenshot(path=artifacts / "03-product-with-photo.png", full_page=True)

    # then: a shopper on another phone finds the product in the store, photo loaded
    shopper = new_phone().new_page()
    watch_csp(shopper, csp_violations)
    shopper.goto(f"{live_server.url}/s/mei-teas/")
    tile = shopper.locator("a.tile", has_text="Dragon Well teapot")
    assert tile.count() == 1
    assert "¥129.00" in tile.inner_text()
    assert natural_width(tile.locator("img")) > 0
    shopper.screenshot(path=artifacts / "04-store-page.png", full_page=True)

    tile.click()
    shopper.wait_for_url("**/s/mei-teas/p/*/")
    assert natural_width(shopper.locator(".gallery img").first) > 0
    assert shopper.get_by_role("button", name="Send as a gift").is_visible()
    shopper.screenshot(path=artifacts / "05-product-page.png", full_page=True)

    shopper.get_by_role("button", name="Send as a gift").click()
    # Not logged in: the composer asks to log in first and comes back afterwards.
    shopper.wait_for_url(lambda url: "/accounts/login/" in url)
    assert "/gifts/new/" in urllib.parse.unquote(shopper.url)
    shopper.screenshot(path=artifacts / "06-gift-needs-login.png", full_page=True)

    assert csp_violations == []
