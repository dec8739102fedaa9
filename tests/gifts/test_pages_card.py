"""The recipient's card page /g/<token>/: every state, the actions (accept, new address, variant
switch, decline, lottery entry and winner's address, thanks), the denied cases, Open Graph tags,
"GET changes nothing" and "no price anywhere in the page"."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_enter
from gifts.services.lifecycle import gift_cancel, gifts_draw_due, gifts_expire_due
from gifts.services.sending import gift_revoke_link
from gifts.tokens import gift_share_url
from giftshop.models import OutboxMessage
from logistics.models import Address, Shipment
from orders.models import Refund
from stores.services import product_image_add
from tests.conftest import make_image_bytes
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

PRICE = 12345
PRICE_STRINGS = ("¥123.45", "123.45", "12345", "12,345")
NEW_ADDRESS = {
    "new-recipient_name": "Wang Fang", "new-phone": "13700001111", "new-country": "CN", "new-region": "Beijing",
    "new-city": "Beijing", "new-district": "Haidian", "new-street": "5 Zhongguancun Street",
    "new-postal_code": "100080",
}


@pytest.fixture
def sender(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def friend(db):
    return UserFactory(username="fay", display_name="Fay")


@pytest.fixture
def home(friend):
    return AddressFactory(user=friend, is_default=True, street="1 Home Road")


@pytest.fixture
def office(friend, home):
    return AddressFactory(user=friend, street="2 Office Tower")


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


def card_path(gift):
    return urlsplit(gift_share_url(gift=gift)).path


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def page(response):
    return response.content.decode()


def assert_no_price(html):
    for text in PRICE_STRINGS:
        assert text not in html, f"the card page shows a price ({text})"


# --- not found, limits, methods -------------------------------------------------------------

@pytest.mark.parametrize("token", ["x" * 43, "short", "a b", "..", "%E2%9C%93", "<script>", "'%22", "A" * 500])
def test_unknown_and_malformed_tokens_get_the_same_friendly_404(client, db, token):
    response = client.get(f"/g/{token}/")

    assert response.status_code == 404
    assert "This gift link does not work" in page(response)


def test_a_revoked_link_is_the_same_404(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    old = card_path(gift)
    gift_revoke_link(gift=gift)

    response = client.get(old)

    assert response.status_code == 404 and "This gift link does not work" in page(response)


def test_repeated_bad_tokens_are_limited_with_a_429_page(client, db, settings):
    settings.RATELIMIT_TOKEN_FAILURES = "3/m"
    for _ in range(3):
        assert client.get(f"/g/{'y' * 43}/").status_code == 404

    response = client.get(f"/g/{'z' * 43}/")

    assert response.status_code == 429 and "Too many attempts" in page(response)


def test_claim_attempts_are_limited_per_user_with_a_429_page(sender, friend, home, variant, settings):
    settings.RATELIMIT_CLAIMS = "2/m"
    gift = paid_gift(sender=sender, variant=variant, mode="group", quantity=3)
    client = as_user(friend)
    for _ in range(2):
        client.post(card_path(gift), {"action": "nonsense"})

    response = client.post(card_path(gift), {"action": "accept", "address": str(home.id)})

    assert response.status_code == 429
    assert not Claim.objects.exists()


def test_actions_need_a_csrf_token(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(friend)

    response = client.post(card_path(gift), {"action": "accept", "address": str(home.id)})

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_anonymous_actions_are_sent_to_log_in_and_change_nothing(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)

    response = client.post(card_path(gift), {"action": "decline"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN


def test_an_unknown_action_changes_nothing(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)

    response = as_user(friend).post(card_path(gift), {"action": "steal"}, follow=True)

    assert "Choose what to do with the gift." in page(response)
    assert not Claim.objects.exists() and Gift.objects.get(id=gift.id).status == Gift.Status.OPEN


# --- what a visitor sees ---------------------------------------------------------------------

def test_anonymous_visitor_sees_the_card_with_og_tags_and_the_guest_screen(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant, message="Happy birthday, Fay!", cover="festival")
    path = card_path(gift)

    response = client.get(path)

    html = page(response)
    assert response.status_code == 200
    assert 'class="gift-card cover-festival"' in html
    assert "Sam sent you a gift" in html and "Happy birthday, Fay!" in html and "Jade teapot" in html
    assert variant.product.images.get().thumbnail.url in html
    assert '<meta property="og:title" content="Sam sent you a gift">' in html
    assert '<meta property="og:description" content="Happy birthday, Fay!">' in html
    assert f'<meta property="og:image" content="{settings.SITE_URL}{gift.card_image.url}">' in html
    assert settings.SITE_URL.startswith("http")
    assert '<meta property="og:type" content="website">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta property="og:url" content="{settings.SITE_URL}{path}">' in html
    assert '<meta property="og:site_name" content="giftshop">' in html
    assert f'href="{reverse("accounts:login")}?next={path}"' in html
    # One screen: the address, an email or phone, Accept (tests/gifts/test_guest_accept.py).
    assert 'name="action" value="guest"' in html and 'name="contact"' in html and 'name="new-street"' in html
    assert 'name="action" value="accept"' not in html
    assert_no_price(html)


def test_og_description_has_a_default_without_a_message(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant, message="")

    html = page(client.get(card_path(gift)))

    assert '<meta property="og:description" content="Open the card to see your gift.">' in html


def test_signed_in_friend_gets_one_tap_accept_with_the_default_address_chosen(sender, friend, home, office, variant):
    gift = paid_gift(sender=sender, variant=variant)

    html = page(as_user(friend).get(card_path(gift)))

    assert re.search(rf'value="{home.id}"[^>]*checked', html)
    assert not re.search(rf'value="{office.id}"[^>]*checked', html)
    assert "2 Office Tower" in html and 'value="new"' in html
    assert 'name="new-street"' in html
    assert 'name="action" value="accept"' in html and 'name="action" value="decline"' in html
    assert_no_price(html)


def test_a_friend_without_addresses_gets_the_new_address_form_chosen(sender, friend, variant):
    gift = paid_gift(sender=sender, variant=variant)

    html = page(as_user(friend).get(card_path(gift)))

    assert re.search(r'value="new"[^>]*checked', html) and 'name="new-recipient_name"' in html


def test_the_sender_sees_their_own_card_without_an_accept_button(sender, variant):
    gift = paid_gift(sender=sender, variant=variant)

    html = page(as_user(sender).get(card_path(gift)))

    assert "This is your gift" in html and reverse("gifts:detail", kwargs={"gift_id": gift.id}) in html
    assert 'value="accept"' not in html and 'value="decline"' not in html
    assert_no_price(html)


def test_the_sender_cannot_accept_their_own_gift(sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    address = AddressFactory(user=sender, is_default=True)

    response = as_user(sender).post(card_path(gift), {"action": "accept", "address": str(address.id)})

    assert "your own gift" in page(response)
    assert not Claim.objects.exists()


def _snapshot(gift):
    models = (Gift, Claim, Shipment, Address, Refund, OutboxMessage)
    counts = {model.__name__: model.objects.count() for model in models}
    return counts, Gift.objects.values().get(id=gift.id)


@pytest.mark.parametrize("who", ["anonymous", "friend", "sender"])
def test_opening_the_card_changes_nothing(client, sender, friend, home, variant, who):
    gift = paid_gift(sender=sender, variant=variant, mode="group", quantity=2)
    before = _snapshot(gift)
    visitor = {"anonymous": client, "friend": as_user(friend), "sender": as_user(sender)}[who]

    for _ in range(3):
        assert visitor.get(card_path(gift)).status_code == 200

    assert _snapshot(gift) == before


# --- accepting -------------------------------------------------------------------------------

def test_accept_with_the_default_address_creates_the_shipment_then_thanks(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant, message="Enjoy")
    client = as_user(friend)
    path = card_path(gift)

    response = client.post(path, {"action": "accept", "address": str(home.id)})

    assert response.status_code == 302 and response["Location"] == path
    claim = Claim.objects.get(gift=gift, recipient=friend)
    assert claim.status == Claim.Status.ACCEPTED
    assert claim.shipment.ship_to_street == "1 Home Road" and claim.shipment.gift_message == "Enjoy"
    html = page(client.get(path))
    assert "Accepted! It&#x27;s on its way soon" in html or "Accepted! It's on its way soon" in html
    assert 'name="action" value="thank"' in html
    assert_no_price(html)

    thanked = client.post(path, {"action": "thank", "note": "Thank you, Sam!"}, follow=True)

    html = page(thanked)
    assert "Thank you, Sam!" in html and 'name="action" value="thank"' not in html
    assert Claim.objects.get(id=claim.id).thank_you_note == "Thank you, Sam!"
    assert_no_price(html)


def test_accept_to_another_saved_address(sender, friend, home, office, variant):
    gift = paid_gift(sender=sender, variant=variant)

    as_user(friend).post(card_path(gift), {"action": "accept", "address": str(office.id)})

    assert Claim.objects.get(gift=gift).shipment.ship_to_street == "2 Office Tower"


def test_accept_to_someone_elses_address_is_refused(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    stranger = AddressFactory(street="9 Stranger Street")

    response = as_user(friend).post(card_path(gift), {"action": "accept", "address": str(stranger.id)})

    assert response.status_code == 200
    assert not Claim.objects.exists() and "9 Stranger Street" not in page(response)


def test_accept_with_a_new_address_saves_it_to_the_book(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)

    response = as_user(friend).post(card_path(gift), {"action": "accept", "address": "new", **NEW_ADDRESS})

    assert response.status_code == 302
    assert Claim.objects.get(gift=gift).shipment.ship_to_street == "5 Zhongguancun Street"
    assert friend.addresses.filter(street="5 Zhongguancun Street", phone="13700001111").exists()


def test_accept_with_an_incomplete_new_address_shows_the_errors_and_keeps_the_input(sender, friend, variant):
    gift = paid_gift(sender=sender, variant=variant)
    data = {**NEW_ADDRESS, "new-phone": "", "new-country": "XX"}

    response = as_user(friend).post(card_path(gift), {"action": "accept", "address": "new", **data})

    html = page(response)
    assert response.status_code == 200
    assert "This field is required." in html and "two-letter ISO country code" in html
    assert 'value="5 Zhongguancun Street"' in html
    assert not Claim.objects.exists() and not Address.objects.exists()
    assert_no_price(html)


def test_switching_to_another_option_of_the_same_price(sender, friend, home, product, variant):
    same = VariantFactory(product=product, name="Celadon", price_minor=PRICE, stock=3)
    VariantFactory(product=product, name="Gold edition", price_minor=PRICE * 3, stock=3)
    VariantFactory(product=product, name="Empty shelf", price_minor=PRICE, stock=0)
    gift = paid_gift(sender=sender, variant=variant)
    client = as_user(friend)

    html = page(client.get(card_path(gift)))
    assert "Celadon" in html and "Green" in html
    assert "Gold edition" not in html and "Empty shelf" not in html
    assert_no_price(html)

    client.post(card_path(gift), {"action": "accept", "address": str(home.id), "variant": str(same.id)})

    claim = Claim.objects.get(gift=gift)
    assert claim.variant == same and claim.shipment.lines[0]["variant_name"] == "Celadon"


def test_switching_to_an_option_that_is_not_allowed_is_refused(sender, friend, home, product, variant):
    dearer = VariantFactory(product=product, name="Gold edition", price_minor=PRICE * 3, stock=3)
    gift = paid_gift(sender=sender, variant=variant)

    response = as_user(friend).post(card_path(gift), {"action": "accept", "address": str(home.id),
                                                      "variant": str(dearer.id)})

    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert_no_price(page(response))


def test_decline_is_kind_and_refunds_the_sender(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    client = as_user(friend)

    response = client.post(card_path(gift), {"action": "decline"}, follow=True)
    drain_outbox()

    html = page(response)
    assert response.status_code == 200
    assert "Declined" in html and "You declined this gift" in html
    assert Gift.objects.get(id=gift.id).status == Gift.Status.DECLINED
    assert Refund.objects.get().amount_minor == PRICE
    assert_no_price(html)
    other = page(as_user(UserFactory()).get(card_path(gift)))
    assert "This gift was declined." in other


def test_a_group_gift_has_no_decline(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant, mode="group", quantity=3)
    client = as_user(friend)

    html = page(client.get(card_path(gift)))
    response = client.post(card_path(gift), {"action": "decline"})

    assert 'value="decline"' not in html and "3 left" in html
    assert "cannot be declined" in page(response)
    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN


# --- lottery ---------------------------------------------------------------------------------

def lottery(sender, variant, quantity=1):
    return paid_gift(sender=sender, variant=variant, mode="group", claim_rule="lottery", quantity=quantity,
                     claim_hours=48, draw_at=timezone.now() + timedelta(hours=2))


def run_the_draw(gift):
    Gift.objects.filter(id=gift.id).update(draw_at=Now())
    assert gifts_draw_due() == 1


def test_lottery_entry_then_winner_chooses_an_address(sender, friend, home, variant):
    gift = lottery(sender, variant)
    client = as_user(friend)
    path = card_path(gift)

    html = page(client.get(path))
    assert "Enter the draw" in html and 'name="action" value="enter"' in html
    assert_no_price(html)

    client.post(path, {"action": "enter"})
    assert Claim.objects.get(gift=gift).status == Claim.Status.ENTERED
    html = page(client.get(path))
    assert "You are in the draw" in html and 'value="enter"' not in html
    assert_no_price(html)

    run_the_draw(gift)
    html = page(client.get(path))
    assert "You won!" in html and 'name="action" value="address"' in html
    assert_no_price(html)

    client.post(path, {"action": "address", "address": str(home.id)})
    claim = Claim.objects.get(gift=gift)
    assert claim.status == Claim.Status.ACCEPTED and claim.shipment.ship_to_street == "1 Home Road"
    assert "on its way soon" in page(client.get(path))


def test_lottery_loser_sees_not_this_time_and_latecomers_see_the_draw_is_over(sender, variant):
    gift = lottery(sender, variant)
    first, second = UserFactory(), UserFactory()
    claim_enter(gift=gift, user=first)
    claim_enter(gift=gift, user=second)

    run_the_draw(gift)

    loser = Claim.objects.get(gift=gift, status=Claim.Status.LOST).recipient
    html = page(as_user(loser).get(card_path(gift)))
    assert "Not this time" in html and 'value="address"' not in html
    assert_no_price(html)
    late = as_user(UserFactory()).get(card_path(gift))
    assert late.status_code == 200 and "The draw is over" in page(late)
    assert_no_price(page(late))


def test_anonymous_visitor_of_a_lottery_enters_with_only_an_email_or_phone(client, sender, variant):
    gift = lottery(sender, variant)

    html = page(client.get(card_path(gift)))

    assert "Enter the draw" in html and 'name="contact"' in html and 'name="new-street"' not in html


# --- late arrivals ---------------------------------------------------------------------------

def test_all_claimed_card_for_a_late_friend(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    claim_accept(gift=gift, user=friend, address_id=home.id)

    response = as_user(UserFactory()).get(card_path(gift))

    assert response.status_code == 200
    assert "All claimed" in page(response) and 'value="accept"' not in page(response)
    assert_no_price(page(response))


def test_a_late_accept_is_told_it_was_all_claimed(sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    late = UserFactory()
    address = AddressFactory(user=late, is_default=True)
    late_client = as_user(late)
    late_client.get(card_path(gift))
    claim_accept(gift=gift, user=friend, address_id=home.id)

    response = late_client.post(card_path(gift), {"action": "accept", "address": str(address.id)})

    assert response.status_code == 200
    assert "Every unit of this gift has been claimed." in page(response) and "All claimed" in page(response)
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("swept", [True, False])
def test_expired_card(client, sender, variant, swept):
    gift = paid_gift(sender=sender, variant=variant)
    Gift.objects.filter(id=gift.id).update(expires_at=Now())
    if swept:
        gifts_expire_due()

    response = client.get(card_path(gift))

    assert response.status_code == 200
    assert "Expired" in page(response) and "Log in to accept" not in page(response)
    assert_no_price(page(response))


def test_cancelled_card(client, sender, variant):
    gift = paid_gift(sender=sender, variant=variant)
    gift_cancel(gift=gift, actor=sender)

    response = client.get(card_path(gift))

    assert response.status_code == 200 and "Cancelled" in page(response)
    assert_no_price(page(response))


def test_logging_in_from_the_card_comes_back_to_the_card(client, sender, friend, home, variant):
    gift = paid_gift(sender=sender, variant=variant)
    path = card_path(gift)
    login_href = re.search(r'href="(/accounts/login/\?next=[^"]+)"', page(client.get(path))).group(1)

    response = client.post(login_href, {"username": "fay", "password": "pass-word-123", "next": path})

    assert response.status_code == 302 and response["Location"] == path
    assert 'name="action" value="accept"' in page(client.get(path))


def test_a_winner_without_an_address_in_time_sees_the_gift_was_refunded(sender, friend, variant):
    gift = lottery(sender, variant)
    claim_enter(gift=gift, user=friend)
    run_the_draw(gift)
    Gift.objects.filter(id=gift.id).update(expires_at=Now())
    assert gifts_expire_due()["winners_refunded"] == 1

    response = as_user(friend).get(card_path(gift))

    html = page(response)
    assert response.status_code == 200 and "This gift could not be sent" in html
    assert 'value="address"' not in html and 'value="thank"' not in html
    assert_no_price(html)


# --- tokens never appear in logs -------------------------------------------------------------

def _logged(caplog):
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("django"))


def test_a_refused_card_link_is_logged_with_the_token_masked(client, db, caplog):
    token = "Q" * 43

    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get(f"/g/{token}/").status_code == 404
        assert client.put(f"/g/{token}/").status_code == 405

    logged = _logged(caplog)
    assert "Not Found: /g/<token>/" in logged and "Method Not Allowed" in logged
    assert token not in logged


def test_a_rate_limited_claim_is_logged_with_the_token_masked(sender, friend, variant, settings, caplog):
    settings.RATELIMIT_CLAIMS = "1/m"
    gift = paid_gift(sender=sender, variant=variant)
    client = as_user(friend)
    client.post(card_path(gift), {"action": "nonsense"})

    with caplog.at_level("WARNING", logger="django.request"):
        response = client.post(card_path(gift), {"action": "decline"})

    assert response.status_code == 429 and "Too many attempts" in page(response)
    logged = _logged(caplog)
    assert "/g/<token>/" in logged
    assert card_path(gift).split("/")[2] not in logged
    assert Gift.objects.get(id=gift.id).status == Gift.Status.OPEN
