"""Orders & Cards at /me/, through HTTP: the five tabs, what each side may see, empty states,
pagination, marking notices read, and flat query counts.

Gifts are paid through the sandbox provider's signed webhook, claimed through the claim service,
dispatched and tracked through the sandbox carrier: the pages show real state, nothing is set by hand.
"""

import itertools
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notice
from accounts.notices import notice_send
from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_thank
from gifts.services.lifecycle import gifts_draw_due, gifts_expire_due
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch, shipments_sync_quiet
from orders.models import Refund
from orders.services.checkout import order_create_purchase
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = pytest.mark.django_db

PRICE_MINOR = 876543  # ¥8,765.43
STREET, PHONE = "12 Quietwillow Alley", "13611112222"
PARCELS = itertools.count(1000)  # every parcel its own tracking number
TIMES = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")  # microseconds in datetime attributes could spell anything


def price_forms(minor=PRICE_MINOR):
    return [str(minor), f"{minor / 100:,.2f}", f"{minor / 100:.2f}", f"¥{minor // 100:,}"]


def later(steps):
    moment = timezone.now() + timedelta(seconds=settings.SANDBOX_CARRIER_STEP_SECONDS * steps + 1)
    return lambda: moment


def page_text(response):
    assert response.status_code == 200, response.status_code
    return TIMES.sub("<time>", response.content.decode())


# --- builders (real services all the way), shared with test_wallet_api ---------------------------------


def received_gifts(sender, friend, n=1, *, thank=False, dispatch=True):
    """`n` paid gifts from `sender`, each accepted by `friend` and dispatched; returns the claims."""
    address = AddressFactory(user=friend, street=STREET, phone=PHONE)
    claims = []
    for i in range(n):
        variant = VariantFactory(product__title=f"Jade cup {i}", price_minor=PRICE_MINOR, stock=3)
        gift = paid_gift(sender=sender, variant=variant, quantity=1, message=f"For you {i}")
        claim = claim_accept(gift=gift, user=friend, address_id=address.id)
        if dispatch:
            tracking_number = f"DLV7{next(PARCELS)}"
            shipment_dispatch(
                shipment=claim.shipment,
                actor=member_of(claim.shipment),
                carrier="sandbox",
                tracking_number=tracking_number,
            )
        if thank:
            claim_thank(gift=gift, user=friend, note=f"Thanks a lot {i}!")
        claims.append(claim)
    drain_outbox()
    return claims


def purchases(buyer, n=1):
    address = AddressFactory(user=buyer)
    orders = []
    for i in range(n):
        variant = VariantFactory(product__title=f"Teapot {i}", price_minor=2500, stock=5)
        order = order_create_purchase(buyer=buyer, variant_id=variant.id, quantity=2, address_id=address.id)
        pay(order)
        order.refresh_from_db()
        shipment_dispatch(
            shipment=order.shipment,
            actor=member_of(order.shipment),
            carrier="sandbox",
            tracking_number=f"DLV8{next(PARCELS)}",
        )
        orders.append(order)
    drain_outbox()
    return orders


def count_queries(client, path):
    client.get(path)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def sender():
    return UserFactory(display_name="Sender Sun")


@pytest.fixture
def friend():
    return UserFactory(display_name="Friend Fang")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- access ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    page = client.get("/me/?tab=sent")
    mark_read = client.post(reverse("wallet:notices_read"))

    assert page.status_code == 302 and page["Location"] == f"{reverse('accounts:login')}?next=/me/%3Ftab%3Dsent"
    assert mark_read.status_code == 302 and mark_read["Location"].startswith(reverse("accounts:login"))


def test_orders_and_cards_is_at_me_and_the_address_book_still_lives_under_it(as_user, friend):
    client = as_user(friend)

    home = client.get("/me/")
    addresses = client.get("/me/addresses/")

    assert reverse("wallet:home") == "/me/"
    assert home.status_code == 200 and "<h1>Orders & Cards</h1>" in home.content.decode()
    assert f'href="{reverse("wallet:home")}"' in home.content.decode()  # the nav's "My account"
    assert addresses.status_code == 200 and "Address book" in addresses.content.decode()
    assert client.get(reverse("logistics:address_create")).status_code == 200


def test_marking_notices_read_needs_a_post(as_user, friend):
    assert as_user(friend).get(reverse("wallet:notices_read")).status_code == 405


# --- received ---------------------------------------------------------------------------------------------


def test_received_shows_the_card_the_sender_the_product_and_every_checkpoint(as_user, sender, friend):
    claim, = received_gifts(sender, friend)
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()

    text = page_text(as_user(friend).get("/me/?tab=received"))

    assert "Sender Sun sent you a gift" in text and "For you 0" in text and "Jade cup 0" in text
    assert "cover-red_packet" in text
    assert f'id="claim-{claim.id}"' in text
    for words, place in [("Label created", "Shanghai"), ("In transit", "Shanghai hub"),
                         ("Out for delivery", "Local depot"), ("Delivered", "Front door")]:
        assert re.search(rf"<strong>{words}</strong>\s*<span class=\"muted\"><time [^>]+>[^<]+</time> · {place}</span>",
                         text), words
    claim.shipment.refresh_from_db()
    assert claim.shipment.tracking_number in text  # the recipient may follow the parcel at the carrier


def test_received_never_shows_the_price(as_user, sender, friend):
    received_gifts(sender, friend, thank=True)
    client = as_user(friend)

    texts = [page_text(client.get(path)) for path in ("/me/", "/me/?tab=received", "/me/?tab=notices")]

    for text in texts:
        for needle in price_forms():
            assert needle not in text


def test_a_lottery_winner_is_offered_the_card_to_choose_an_address(as_user, sender, friend):
    gift = paid_gift(sender=sender, variant=VariantFactory(price_minor=PRICE_MINOR), quantity=1, mode="group",
                     claim_rule="lottery", draw_at=timezone.now() + timedelta(hours=2))
    claim_accept(gift=gift, user=friend)
    entered = page_text(as_user(friend).get("/me/?tab=received"))
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))
    gifts_draw_due()

    won = page_text(as_user(friend).get("/me/?tab=received"))

    assert "You are in the draw" in entered and "/g/" not in entered
    assert "Choose an address" in won and re.search(r'href="[^"]*/g/[A-Za-z0-9_-]{43}/"', won)


# --- sent ---------------------------------------------------------------------------------------------


def test_sent_shows_status_claims_milestones_notes_and_refunds(as_user, sender, friend):
    claim, = received_gifts(sender, friend, thank=True)
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    group = paid_gift(sender=sender, variant=VariantFactory(product__title="Mooncakes", price_minor=1000, stock=9),
                      quantity=3, mode="group")
    cousin = UserFactory(display_name="Cousin Chen")
    claim_accept(gift=group, user=cousin, address_id=AddressFactory(user=cousin).id)
    Gift.objects.filter(id=group.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    gifts_expire_due()
    drain_outbox()

    text = page_text(as_user(sender).get("/me/?tab=sent"))

    assert "Jade cup 0" in text and "Friend Fang" in text and "Thanks a lot 0!" in text
    assert "badge claim-delivered" in text
    assert "Mooncakes" in text and "Cousin Chen" in text and "Expired — 1 of 3 claimed, the rest refunded" in text
    assert "badge status-expired" in text
    assert "Refunded to your payment: ¥20.00" in text


def test_sent_never_shows_the_friends_address_phone_tracking_number_or_shipment(as_user, sender, friend):
    claim, = received_gifts(sender, friend, thank=True)
    client = as_user(sender)

    texts = [page_text(client.get(path)) for path in ("/me/", "/me/?tab=sent", "/me/?tab=notices")]

    claim.shipment.refresh_from_db()
    secrets = [STREET, PHONE, "Quietwillow", claim.shipment.tracking_number, claim.shipment.reference]
    for text in texts:
        for needle in secrets:
            assert needle not in text
    assert "Friend Fang" in texts[1]


def test_an_overdue_claim_is_refunded_with_one_click_from_the_sent_tab(as_user, sender, friend):
    claim, = received_gifts(sender, friend, dispatch=False)
    client = as_user(sender)
    on_time = page_text(client.get("/me/?tab=sent"))
    url = reverse("wallet:refund_not_shipped", kwargs={"gift_id": claim.gift_id})
    too_early = page_text(client.post(url, {"claim_id": claim.id}, follow=True))
    Shipment.objects.filter(id=claim.shipment_id).update(ship_by=Now() - timedelta(hours=1))  # the test's clock
    late = page_text(client.get("/me/?tab=sent"))

    done = client.post(url, {"claim_id": claim.id}, follow=True)
    again = client.post(url, {"claim_id": claim.id}, follow=True)

    assert "Refund this one" not in on_time and "The store still has time" in too_early
    assert "badge overdue" in late and f'action="{url}"' in late
    assert done.redirect_chain[-1][0] == f"/me/?tab=sent#gift-{claim.gift_id}"
    assert "¥8,765.43 is being refunded to your payment." in page_text(done)
    assert again.status_code == 200 and Refund.objects.filter(reason="not_shipped").count() == 1
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REFUNDED and "Refund this one" not in page_text(again)


def test_a_one_click_refund_is_refused_for_anyone_but_the_sender(client, as_user, sender, friend):
    claim, = received_gifts(sender, friend, dispatch=False)
    Shipment.objects.filter(id=claim.shipment_id).update(ship_by=Now() - timedelta(hours=1))
    url = reverse("wallet:refund_not_shipped", kwargs={"gift_id": claim.gift_id})

    anonymous = client.post(url, {"claim_id": claim.id})
    by_the_friend = as_user(friend).post(url, {"claim_id": claim.id})
    garbage = as_user(sender).post(url, {"claim_id": "1e9"}, follow=True)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert by_the_friend.status_code == 404
    assert "Choose one of this gift" in page_text(garbage)
    assert not Refund.objects.exists()


# --- orders, addresses -----------------------------------------------------------------------------


def test_orders_show_the_purchase_its_total_line_and_parcel_timeline(as_user):
    buyer = UserFactory()
    order, = purchases(buyer)
    paid_gift(sender=buyer, variant=VariantFactory(product__title="A gift, not an order"))

    text = page_text(as_user(buyer).get("/me/?tab=orders"))

    assert f"Order {order.id}" in text and "Teapot 0" in text and "× 2" in text
    assert "¥50.00" in text and "paid" in text
    assert "label created" in text and "Label created" in text and "Parcel information received" in text
    assert "A gift, not an order" not in text  # a gift's order is followed under "sent"


def test_addresses_summarise_the_book_and_link_to_manage_it(as_user, friend):
    home = AddressFactory(user=friend, recipient_name="Fang at home", city="Hangzhou", is_default=True)

    text = page_text(as_user(friend).get("/me/?tab=addresses"))

    assert "Fang at home" in text and "Hangzhou" in text and "Default" in text
    for url in (reverse("logistics:addresses"), reverse("logistics:address_create"),
                reverse("logistics:address_edit", kwargs={"address_id": home.id})):
        assert f'href="{url}"' in text


# --- notices ---------------------------------------------------------------------------------------------


def test_notices_are_newest_first_unread_highlighted_and_can_be_marked_read(as_user, sender, friend):
    received_gifts(sender, friend)  # the sender is told: accepted, shipped
    other = notice_send(user=friend, kind="gift_claimed", key="friend-own", params={"friend": "X", "product": "Y"})
    client = as_user(sender)

    before = page_text(client.get("/me/?tab=notices"))
    marked = client.post(reverse("wallet:notices_read"), follow=True)
    after = page_text(marked)

    assert before.index("has shipped") < before.index("accepted your gift")  # newest first
    assert before.count('class="notice unread"') == 2 and "Mark all read" in before
    assert marked.redirect_chain[-1][0] == "/me/?tab=notices"
    assert "All notices are marked as read." in after
    assert 'class="notice unread"' not in after and "Mark all read" not in after
    assert not Notice.objects.filter(user=sender, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None  # nobody else's notices change


# --- whose data ------------------------------------------------------------------------------------------


def test_another_users_gifts_orders_addresses_and_notices_never_appear(as_user, sender, friend):
    received_gifts(sender, friend, thank=True)
    purchases(friend)
    AddressFactory(user=friend, recipient_name="Fang's office")
    stranger = as_user(UserFactory(display_name="Stranger"))

    texts = [page_text(stranger.get(f"/me/?tab={tab}")) for tab in ("received", "sent", "orders", "addresses",
                                                                     "notices")]

    for text in texts:
        for needle in ("Jade cup", "Sender Sun", "Friend Fang", "Teapot", "Fang's office", "Thanks a lot", STREET):
            assert needle not in text


# --- default tab, empty states, pagination -------------------------------------------------------------


def test_the_default_tab_is_received_then_sent_then_orders(as_user, sender, friend):
    received_gifts(sender, friend)
    buyer = UserFactory()
    purchases(buyer)

    assert as_user(friend).get("/me/").context["tab"] == "received"
    assert as_user(sender).get("/me/").context["tab"] == "sent"
    assert as_user(buyer).get("/me/").context["tab"] == "orders"
    assert as_user(UserFactory()).get("/me/").context["tab"] == "received"
    assert as_user(friend).get("/me/?tab=<script>").context["tab"] == "received"  # unknown: the default


@pytest.mark.parametrize("tab, says, link", [
    ("received", "No gifts received yet", "logistics:addresses"),
    ("sent", "No gifts sent yet", "home"),
    ("orders", "No orders yet", "home"),
    ("addresses", "No saved addresses yet", "logistics:address_create"),
    ("notices", "No notices yet", "home"),
])
def test_each_empty_tab_says_what_to_do_next(as_user, tab, says, link):
    text = page_text(as_user(UserFactory()).get(f"/me/?tab={tab}"))

    assert 'class="empty"' in text and says in text and f'href="{reverse(link)}"' in text


def test_tabs_are_paginated_by_20_and_keep_their_tab(as_user, friend):
    for i in range(21):
        notice_send(user=friend, kind="gift_claimed", key=f"page-{i}", params={"friend": f"F{i}", "product": "P"})
    client = as_user(friend)

    first = page_text(client.get("/me/?tab=notices"))
    second = page_text(client.get("/me/?tab=notices&page=2"))
    beyond = client.get("/me/?tab=notices&page=abc")

    assert first.count('<li class="notice') == 20 and 'href="?tab=notices&amp;page=2"' in first
    assert second.count('<li class="notice') == 1 and "F0 accepted" in second
    assert beyond.status_code == 200


# --- queries ---------------------------------------------------------------------------------------------


def _add_rows(tab, user, n):
    """`n` more rows of `tab` for `user`, made the real way; returns what each row shows once."""
    if tab == "received":
        received_gifts(UserFactory(), user, n)
        shipments_sync_quiet(quiet_seconds=0, clock=later(3))
        return "<strong>Delivered</strong>"
    if tab == "sent":
        for _ in range(n):
            received_gifts(user, UserFactory(), thank=True)
        return 'class="thanks"'
    if tab == "orders":
        purchases(user, n)
        return "Parcel information received"
    for _ in range(n):
        if tab == "addresses":
            AddressFactory(user=user, recipient_name="Person in the book")
        else:
            notice_send(user=user, kind="parcel_shipped", key=f"q-{next(PARCELS)}", params={"product": "P"})
    return "Person in the book" if tab == "addresses" else "has shipped"


@pytest.mark.parametrize("tab", ["received", "sent", "orders", "addresses", "notices"])
def test_each_tab_costs_the_same_queries_for_1_and_20_rows(as_user, tab):
    user = UserFactory()
    client = as_user(user)
    _add_rows(tab, user, 1)
    one, _ = count_queries(client, f"/me/?tab={tab}")
    every_row_shows = _add_rows(tab, user, 19)

    twenty, text = count_queries(client, f"/me/?tab={tab}")

    assert text.count(every_row_shows) == 20
    assert one == twenty, f"the {tab} tab grew from {one} to {twenty} queries: a missing prefetch?"


def test_orders_and_cards_links_the_console_only_for_store_members(client):
    shopper = UserFactory()
    merchant = member_of(VariantFactory().product)

    client.force_login(shopper)
    shopper_page = client.get(reverse("wallet:home")).content.decode()
    client.force_login(merchant)
    merchant_page = client.get(reverse("wallet:home")).content.decode()

    main = re.compile(r"<main.*</main>", re.S)
    console, open_one = f'href="{reverse("console:home")}"', f'href="{reverse("console:store_create")}"'
    assert console not in main.search(shopper_page).group(0) and open_one in main.search(shopper_page).group(0)
    assert console in main.search(merchant_page).group(0) and open_one not in main.search(merchant_page).group(0)


def test_a_drawn_winner_still_choosing_is_not_called_accepted_on_the_sent_tab(as_user, sender, friend):
    gift = paid_gift(sender=sender, variant=VariantFactory(price_minor=PRICE_MINOR), quantity=1, mode="group",
                     claim_rule="lottery", draw_at=timezone.now() + timedelta(hours=2))
    friend.display_name = "Fay"
    friend.save(update_fields=["display_name"])
    claim_accept(gift=gift, user=friend)
    Gift.objects.filter(id=gift.id).update(draw_at=Now() - timedelta(seconds=1))
    gifts_draw_due()

    text = page_text(as_user(sender).get("/me/?tab=sent"))

    assert "Won, choosing an address: Fay" in text
    assert "Accepted by" not in text


def test_a_drawn_lottery_whose_prize_went_unclaimed_says_so_not_all_claimed():
    from gifts.selectors.gifts import gift_sender_summary

    gift = Gift(mode="group", claim_rule="lottery", status="claimed", quantity=1, claimed_units=1)

    assert gift_sender_summary(gift=gift, refunded_minor=PRICE_MINOR) == "Drawn — unclaimed prizes refunded"
    assert gift_sender_summary(gift=gift, refund_pending_minor=PRICE_MINOR) == (
        "Drawn — unclaimed prizes are being refunded")
    assert gift_sender_summary(gift=gift) == "All 1 claimed"
