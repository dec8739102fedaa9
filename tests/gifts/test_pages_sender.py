"""The sender's pages: compose, my gifts, my gift, its QR code, cancel / extend / new link; and the
whole loop through the pages (compose → sandbox checkout → webhook → share → accept → thanks)."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gifts.covers import COVERS
from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.sending import gift_create
from gifts.tokens import gift_share_url
from logistics.models import Shipment
from orders.models import Payment, Refund
from orders.payments.sandbox import sandbox_deliver_webhooks
from stores.services import product_image_add
from tests.conftest import make_image_bytes
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

PRICE = 12345  # ¥123.45: easy to spot in a page


@pytest.fixture
def sender(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def friend(db):
    friend = UserFactory(username="fay", display_name="Fay")
    AddressFactory(user=friend, is_default=True, phone="13912345678", street="7 Secret Lane")
    return friend


@pytest.fixture
def product(db):
    product = ProductFactory(title="Jade teapot")
    product_image_add(
        product=product, actor=member_of(product), upload=SimpleUploadedFile("p.jpg", make_image_bytes(), "image/jpeg")
    )
    return product


@pytest.fixture
def variant(product):
    return VariantFactory(product=product, name="Green", price_minor=PRICE, stock=10)


@pytest.fixture
def as_sender(client, sender):
    client.force_login(sender)
    return client


def compose_url(variant):
    return f"{reverse('gifts:compose')}?variant={variant.id}"


def detail_url(gift):
    return reverse("gifts:detail", kwargs={"gift_id": gift.id})


def form_data(variant, **overrides):
    data = {"variant": variant.id, "quantity": 1, "mode": "single", "claim_rule": "first_come", "message": "Enjoy!",
            "cover": "birthday", "claim_hours": 24, "draw_at": ""}
    data.update(overrides)
    return data


# --- compose ---------------------------------------------------------------------------------

def test_compose_sends_anonymous_visitors_to_log_in_and_back_with_the_variant(client, variant):
    url = compose_url(variant)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url.replace('?', '%3F').replace('=', '%3D')}"


def test_compose_shows_the_product_in_stock_options_with_prices_covers_and_windows(as_sender, product, variant):
    # given: another option that is sold out
    VariantFactory(product=product, name="Sold-out blue", price_minor=20000, stock=0)

    response = as_sender.get(compose_url(variant))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Jade teapot" in html and product.images.get().thumbnail.url in html
    assert "Green" in html and "¥123.45" in html
    assert "Sold-out blue" not in html
    for cover in COVERS.values():
        assert f'class="swatch cover-{cover.code}"' in html and str(cover.name) in html
    assert len(COVERS) >= 4
    for hours in (1, 3, 6, 12, 24, 48, 72, 120, 168):
        assert f'<option value="{hours}"' in html
    assert re.search(r'<option value="24" selected>', html)
    assert 'type="datetime-local"' in html
    assert 'maxlength="200"' in html and 'data-counter="message-count"' in html
    assert "js/gift.js" in html


def test_every_cover_theme_has_its_colours_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    for code in COVERS:
        assert re.search(rf"\.cover-{code} \{{[^}}]*--cover-top", css), code


@pytest.mark.parametrize("query", ["", "?variant=", "?variant=abc", "?variant=999999", f"?variant={'9' * 30}"])
def test_compose_without_a_valid_variant_is_a_404(as_sender, db, query):
    assert as_sender.get(reverse("gifts:compose") + query).status_code == 404


def test_compose_for_a_product_that_is_not_giftable_says_so(as_sender):
    variant = VariantFactory(product=ProductFactory(giftable=False, title="Plain mug"))

    response = as_sender.get(compose_url(variant))

    assert response.status_code == 200
    assert "cannot be sent as a gift" in response.content.decode()
    assert b'name="variant"' not in response.content


def test_compose_when_everything_is_sold_out_says_so(as_sender, product):
    variant = VariantFactory(product=product, stock=0)

    response = as_sender.get(compose_url(variant))

    assert response.status_code == 200
    assert "Sold out for now" in response.content.decode()
    assert b"Continue to payment" not in response.content


def test_compose_post_creates_the_gift_and_goes_to_the_sandbox_checkout(as_sender, sender, variant):
    response = as_sender.post(compose_url(variant), form_data(variant, quantity=2, message="Happy birthday!"))

    gift = Gift.objects.get(sender=sender)
    payment = gift.order.payments.get()
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url
    checkout_path = reverse("orders:sandbox-checkout", kwargs={"ref": payment.provider_ref})
    assert urlsplit(payment.checkout_url).path == checkout_path
    assert gift.status == Gift.Status.PENDING_PAYMENT
    assert (gift.quantity, gift.mode, gift.message, gift.cover, gift.claim_hours) == (
        2, "single", "Happy birthday!", "birthday", 24)
    assert gift.order.total_minor == 2 * PRICE


def test_compose_refuses_a_message_over_200_characters(as_sender, sender, variant):
    response = as_sender.post(compose_url(variant), form_data(variant, message="x" * 201))

    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Gift.objects.exists()


def test_compose_says_sold_out_when_the_stock_is_gone(as_sender, product):
    variant = VariantFactory(product=product, stock=1)

    response = as_sender.post(compose_url(variant), form_data(variant, quantity=2))

    assert response.status_code == 200
    assert "sold out" in response.content.decode()
    assert not Gift.objects.exists()


def test_compose_puts_service_errors_beside_their_fields(as_sender, variant):
    response = as_sender.post(compose_url(variant), form_data(variant, quantity=11))

    assert response.status_code == 200
    assert "Enter a whole number from 1 to 10." in response.content.decode()
    assert not Gift.objects.exists()


def test_compose_a_lottery_needs_a_draw_time(as_sender, variant):
    response = as_sender.post(compose_url(variant), form_data(variant, mode="group", claim_rule="lottery", quantity=3))

    assert response.status_code == 200
    assert "Choose when the draw takes place." in response.content.decode()
    assert not Gift.objects.exists()


def test_compose_a_lottery_reads_the_draw_time_in_the_current_time_zone(as_sender, sender, variant):
    local = (timezone.localtime() + timedelta(hours=5)).replace(second=0, microsecond=0, tzinfo=None)

    response = as_sender.post(compose_url(variant), form_data(
        variant, mode="group", claim_rule="lottery", quantity=3, claim_hours=48,
        draw_at=local.strftime("%Y-%m-%dT%H:%M"),
    ))

    assert response.status_code == 302
    gift = Gift.objects.get(sender=sender)
    assert gift.claim_rule == "lottery" and gift.mode == "group"
    assert gift.draw_at == local.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_compose_a_single_gift_ignores_a_posted_claim_rule(as_sender, sender, variant):
    as_sender.post(compose_url(variant), form_data(variant, claim_rule="lottery", draw_at="2000-01-01T00:00"))

    gift = Gift.objects.get(sender=sender)
    assert (gift.mode, gift.claim_rule, gift.draw_at) == ("single", "first_come", None)


# --- my gift ---------------------------------------------------------------------------------

def test_detail_and_qr_send_anonymous_visitors_to_log_in(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)

    for url in (detail_url(gift), reverse("gifts:qr", kwargs={"gift_id": gift.id}), reverse("gifts:list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_another_users_gift_is_a_404_on_every_sender_page(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    client.force_login(UserFactory())
    kwargs = {"gift_id": gift.id}

    assert client.get(reverse("gifts:detail", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("gifts:qr", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("gifts:cancel", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("gifts:cancel", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("gifts:extend", kwargs=kwargs), {"hours": 24}).status_code == 404
    assert client.post(reverse("gifts:revoke", kwargs=kwargs)).status_code == 404
    gift_before = Gift.objects.values().get(id=gift.id)
    assert Gift.objects.values().get(id=gift.id) == gift_before
    assert gift_before["status"] == "open" and not gift_before["extended"] and gift_before["token_version"] == 1


def test_detail_while_waiting_for_payment_refreshes_and_offers_to_pay(as_sender, sender, variant):
    gift = gift_create(sender=sender, variant_id=variant.id)

    response = as_sender.get(detail_url(gift))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for the payment to be confirmed…" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    assert f'href="{gift.order.payments.get().checkout_url}"' in html and "Pay now" in html
    assert "/g/" not in html


def test_detail_once_open_shows_the_card_link_qr_and_status_without_refreshing(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant, quantity=3, mode="group", message="For the team")

    response = as_sender.get(detail_url(gift))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in html
    assert f'value="{gift_share_url(gift=gift)}"' in html
    assert "Copy" in html and "data-share=" in html
    assert reverse("gifts:qr", kwargs={"gift_id": gift.id}) in html
    assert "Sam sent you a gift" in html and "For the team" in html and "Jade teapot" in html
    assert "waiting to be claimed" in html
    assert "0 of 3 claimed, 3 left" in html
    assert "¥370.35" in html  # the sender sees what they paid
    assert "Cancel unclaimed units" in html and "Revoke and renew the link" in html and "Extend" in html


def test_detail_shows_claims_with_milestones_and_notes_but_never_address_phone_or_tracking(
    as_sender, sender, friend, variant
):
    gift = paid_gift(sender=sender, variant=variant, quantity=2, mode="group")
    claim = claim_accept(gift=gift, user=friend, address_id=friend.addresses.get().id)
    Shipment.objects.filter(id=claim.shipment_id).update(carrier="sandbox", tracking_number="SBX99887766")
    Claim.objects.filter(id=claim.id).update(thank_you_note="Thank you so much!")

    response = as_sender.get(detail_url(gift))

    html = response.content.decode()
    assert "Fay" in html and "accepted" in html and "Thank you so much!" in html
    private_bits = ("13912345678", "7 Secret Lane", "Li Lei", "SBX99887766", "Xuhui", "200030",
                    claim.shipment.reference)
    for private in private_bits:
        assert private not in html


def test_qr_code_is_served_to_the_sender_privately(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)

    response = as_sender.get(reverse("gifts:qr", kwargs={"gift_id": gift.id}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("private")
    with gift.qr_image.open("rb") as png:
        assert response.content == png.read()
    assert response.content.startswith(b"\x89PNG")


def test_qr_code_not_rendered_yet_is_a_404(as_sender, sender, variant):
    gift = gift_create(sender=sender, variant_id=variant.id)

    assert as_sender.get(reverse("gifts:qr", kwargs={"gift_id": gift.id})).status_code == 404


def test_cancel_asks_first_then_refunds_the_unclaimed_units(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant, quantity=2)
    url = reverse("gifts:cancel", kwargs={"gift_id": gift.id})

    confirm = as_sender.get(url)
    assert confirm.status_code == 200 and "Yes, cancel it" in confirm.content.decode()
    assert Gift.objects.get(id=gift.id).status == "open"

    response = as_sender.post(url)
    drain_outbox()

    assert response.status_code == 302 and response["Location"] == detail_url(gift)
    gift.refresh_from_db()
    assert gift.status == Gift.Status.CANCELLED
    assert gift.order.payments.get().status == Payment.Status.REFUNDED
    page = as_sender.get(detail_url(gift)).content.decode()
    assert "Gift cancelled." in page and "Refunded to your payment: ¥246.90" in page
    assert "Revoke and renew the link" not in page


def test_cancel_of_a_closed_gift_shows_the_reason(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    as_sender.post(reverse("gifts:cancel", kwargs={"gift_id": gift.id}))

    response = as_sender.post(reverse("gifts:cancel", kwargs={"gift_id": gift.id}), follow=True)

    assert "This gift is no longer open." in response.content.decode()
    assert Refund.objects.count() == 1


def test_extend_works_once(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    url = reverse("gifts:extend", kwargs={"gift_id": gift.id})

    first = as_sender.post(url, {"hours": 48}, follow=True)
    second = as_sender.post(url, {"hours": 24}, follow=True)

    extended = Gift.objects.get(id=gift.id)
    assert extended.extended and extended.expires_at == gift.expires_at + timedelta(hours=48)
    assert "The claim window is longer now." in first.content.decode()
    assert "can be extended only once" in second.content.decode()


def test_extend_with_a_bad_number_of_hours_changes_nothing(as_sender, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)

    response = as_sender.post(reverse("gifts:extend", kwargs={"gift_id": gift.id}), {"hours": "9999"}, follow=True)

    assert "Choose how many hours to add." in response.content.decode()
    assert not Gift.objects.get(id=gift.id).extended


def test_revoke_gives_a_new_link_and_the_old_one_stops_working(as_sender, client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    old = gift_share_url(gift=gift)

    response = as_sender.post(reverse("gifts:revoke", kwargs={"gift_id": gift.id}), follow=True)

    gift.refresh_from_db()
    new = gift_share_url(gift=gift)
    assert new != old
    assert f'value="{new}"' in response.content.decode()
    assert as_sender.get(urlsplit(old).path).status_code == 404
    assert as_sender.get(urlsplit(new).path).status_code == 200


# --- my gifts --------------------------------------------------------------------------------

def test_list_empty_state_links_to_the_shop(as_sender):
    response = as_sender.get(reverse("gifts:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No gifts sent yet" in html and f'href="{reverse("home")}"' in html


def test_list_shows_only_my_gifts_with_status_badges(as_sender, sender, variant):
    mine = paid_gift(sender=sender, variant=variant)
    pending = gift_create(sender=sender, variant_id=variant.id)
    theirs = gift_create(sender=UserFactory(), variant_id=variant.id)

    html = as_sender.get(reverse("gifts:list")).content.decode()

    assert detail_url(mine) in html and detail_url(pending) in html and detail_url(theirs) not in html
    assert "waiting to be claimed" in html and "waiting for payment" in html


def test_list_is_paginated_by_20(as_sender, sender, product):
    variant = VariantFactory(product=product, stock=21)
    for _ in range(21):
        gift_create(sender=sender, variant_id=variant.id)

    first = as_sender.get(reverse("gifts:list")).content.decode()
    second = as_sender.get(reverse("gifts:list") + "?page=2").content.decode()

    assert first.count('class="product-link"') == 20 and "Page 1" in first and 'href="?page=2"' in first
    assert second.count('class="product-link"') == 1 and 'rel="next"' not in second and 'href="?page=1"' in second


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("gifts:list")).status_code == 200
    return len(queries)


def test_list_query_count_is_the_same_for_1_and_20_gifts(as_sender, sender, friend, variant):
    gift = paid_gift(sender=sender, variant=variant, quantity=2, mode="group")
    claim_accept(gift=gift, user=friend, address_id=friend.addresses.get().id)
    one = _list_queries(as_sender)

    for index in range(19):
        other = VariantFactory(product=ProductFactory(), stock=5)
        photo = SimpleUploadedFile(f"{index}.jpg", make_image_bytes(), "image/jpeg")
        product_image_add(product=other.product, actor=member_of(other.product), upload=photo)
        gift_create(sender=sender, variant_id=other.id)
    twenty = _list_queries(as_sender)

    assert one == twenty, "gifts:list runs more queries for more gifts: prefetch in gift_list_sent"


# --- the whole loop through the pages ----------------------------------------------------------

def test_the_whole_gift_loop_through_the_pages(client, sender, friend, variant):
    # given: the sender composes a gift
    client.force_login(sender)
    compose = client.post(compose_url(variant), form_data(variant, message="Happy birthday, Fay!"))
    checkout_path = urlsplit(compose["Location"]).path
    assert checkout_path.startswith("/pay/sandbox/")

    # when: they press "Pay" on the sandbox page, and the sandbox's webhook and the outbox run
    paid = client.post(checkout_path, {"outcome": "succeeded"})
    gift = Gift.objects.get(sender=sender)
    assert urlsplit(paid["Location"]).path == detail_url(gift)
    sandbox_deliver_webhooks()
    drain_outbox()

    # then: the sender's page shows the card link
    page = client.get(detail_url(gift)).content.decode()
    share_url = re.search(r'id="share-link"[^>]*value="([^"]+)"', page).group(1)
    assert share_url == gift_share_url(gift=Gift.objects.get(id=gift.id))

    # when: the friend (with a default address) opens it and accepts in one tap
    client.force_login(friend)
    card_path = urlsplit(share_url).path
    card = client.get(card_path).content.decode()
    address = friend.addresses.get()
    assert re.search(rf'value="{address.id}"[^>]*checked', card)
    accepted = client.post(card_path, {"action": "accept", "address": str(address.id)})
    assert accepted.status_code == 302

    claim = Claim.objects.get(gift=gift, recipient=friend)
    assert claim.status == Claim.Status.ACCEPTED and claim.shipment.ship_to_street == "7 Secret Lane"
    thanked = client.post(card_path, {"action": "thank", "note": "Thank you, Sam!"}, follow=True)
    assert "Thank you, Sam!" in thanked.content.decode()

    # then: the sender sees "accepted" and the note
    client.force_login(sender)
    page = client.get(detail_url(gift)).content.decode()
    assert "accepted" in page and "Thank you, Sam!" in page and "Fay" in page
    assert "7 Secret Lane" not in page and "13912345678" not in page
