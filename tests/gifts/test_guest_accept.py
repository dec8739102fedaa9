"""A friend with no account accepts on the card's one screen (issue 10): the claim and a light
account in one request, a sign-in link by email or SMS that brings them back signed in, nothing
revealed about who has an account, nothing left behind by a refused claim, and limits."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.signin_links import signin_link_check, signin_token
from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.tokens import gift_share_url
from logistics.models import Address
from tests.factories import AddressFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

ADDRESS = {
    "new-recipient_name": "Wang Fang", "new-phone": "13700001111", "new-country": "CN", "new-region": "Beijing",
    "new-city": "Beijing", "new-district": "Haidian", "new-street": "5 Zhongguancun Street",
    "new-postal_code": "100080",
}
LINK = re.compile(r"https?://[^\s]+/accounts/signin/[^\s/]+/")


@pytest.fixture
def sender(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def variant(db):
    return VariantFactory(name="Green", price_minor=12345, stock=10)


@pytest.fixture
def gift(sender, variant):
    return paid_gift(sender=sender, variant=variant)


def card_path(gift):
    return urlsplit(gift_share_url(gift=gift)).path


def guest_accept(client, gift, contact="fay@example.com", **extra):
    return client.post(card_path(gift), {"action": "guest", "contact": contact, **ADDRESS, **extra})


def mailed_link():
    assert mail.outbox, "no email was sent"
    return LINK.search(mail.outbox[-1].body).group(0)


def test_a_stranger_accepts_on_one_screen_and_is_signed_in(client, gift):
    response = guest_accept(client, gift)

    assert response.status_code == 302 and response["Location"] == card_path(gift)
    claim = Claim.objects.get(gift=gift)
    guest = claim.recipient
    assert guest.email == "fay@example.com" and not guest.has_usable_password()
    assert claim.status == Claim.Status.ACCEPTED and claim.shipment.ship_to_street == "5 Zhongguancun Street"
    assert Address.objects.filter(user=guest, street="5 Zhongguancun Street").exists()
    assert int(client.session[SESSION_KEY]) == guest.id
    html = client.get(card_path(gift)).content.decode()
    assert "Accepted! The store ships it soon" in html and "Say thank you" in html
    assert Gift.objects.get(id=gift.id).status == Gift.Status.CLAIMED


def test_the_sign_in_link_brings_the_guest_back_to_the_card_once(client, gift):
    guest_accept(client, gift)
    drain_outbox()
    link = mailed_link()
    assert mail.outbox[-1].to == ["fay@example.com"]
    assert "12345" not in mail.outbox[-1].body and "123.45" not in mail.outbox[-1].body

    phone = Client()  # another device
    path = urlsplit(link).path
    shown = phone.get(path)
    assert shown.status_code == 200 and SESSION_KEY not in phone.session  # a GET signs nobody in
    assert shown["Cache-Control"] == "no-store, private"

    signed_in = phone.post(path)

    assert signed_in.status_code == 302 and signed_in["Location"] == card_path(gift)
    assert int(phone.session[SESSION_KEY]) == Claim.objects.get(gift=gift).recipient_id
    again = Client().post(path)
    assert again.status_code == 200 and "no longer works" in again.content.decode()


def test_a_link_is_refused_when_forged_expired_or_made_stale_by_a_password(gift, settings):
    user = UserFactory()
    token = signin_token(user, "/me/")
    assert signin_link_check(token).user == user
    assert signin_link_check(token[:-2] + "xx") is None
    user.set_password("a-new-pass-word-9")
    user.save()
    assert signin_link_check(token) is None
    settings.SIGNIN_LINK_HOURS = 0
    assert signin_link_check(signin_token(user, "/me/")) is None


def test_the_link_never_leads_off_the_site():
    user = UserFactory()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "me/"):
        assert signin_link_check(signin_token(user, target)).next_path == ""


def test_an_invalid_contact_is_shown_beside_its_field_and_nothing_is_made(client, gift):
    users_before = User.objects.count()

    response = guest_accept(client, gift, contact="not an address")

    assert response.status_code == 200
    assert "Enter a valid email address or mobile number." in response.content.decode()
    assert User.objects.count() == users_before and not Claim.objects.exists()


def test_a_missing_address_field_is_shown_and_nothing_is_made(client, gift):
    users_before = User.objects.count()

    response = client.post(card_path(gift), {"action": "guest", "contact": "fay@example.com",
                                             **{**ADDRESS, "new-street": ""}})

    assert response.status_code == 200 and "Please check the highlighted fields." in response.content.decode()
    assert User.objects.count() == users_before and not Claim.objects.exists()


def test_a_refused_claim_leaves_no_account_behind(client, gift):
    first = UserFactory()
    claim_accept(gift=gift, user=first, address_id=AddressFactory(user=first).id)
    users_before = User.objects.count()

    response = guest_accept(client, gift)

    assert response.status_code == 200 and "All claimed" in response.content.decode()
    assert User.objects.count() == users_before and Claim.objects.count() == 1


def test_an_email_that_has_an_account_is_not_revealed_and_that_account_is_untouched(gift, sender, variant):
    fay = UserFactory(username="fay", email="fay@example.com")
    other = paid_gift(sender=sender, variant=variant)

    known = guest_accept(Client(), gift, contact="FAY@example.com")
    unknown = guest_accept(Client(), other, contact="nobody@example.com")

    # The same answer either way, and the existing account gets no claim and no address.
    assert known.status_code == unknown.status_code == 302
    assert not Claim.objects.filter(recipient=fay).exists() and not Address.objects.filter(user=fay).exists()
    assert Claim.objects.get(gift=gift).recipient != fay


@pytest.mark.parametrize("exists", [True, False])
def test_asking_for_a_link_answers_the_same_whether_or_not_an_account_exists(client, exists):
    if exists:
        UserFactory(email="fay@example.com")

    response = client.post(reverse("accounts:signin_link_ask"), {"contact": "fay@example.com", "next": "/me/"},
                           follow=True)

    assert "If an account uses fay@example.com, a sign-in link is on its way there." in response.content.decode()
    drain_outbox()
    assert len(mail.outbox) == (1 if exists else 0)


def test_a_returning_guest_asks_the_card_for_a_link_and_comes_back_signed_in(gift):
    first = Client()
    guest_accept(first, gift)
    drain_outbox()
    mail.outbox.clear()
    new_device = Client()

    new_device.post(reverse("accounts:signin_link_ask"), {"contact": "fay@example.com", "next": card_path(gift)})
    drain_outbox()
    response = new_device.post(urlsplit(mailed_link()).path, follow=True)

    assert response.redirect_chain[-1][0] == card_path(gift)
    assert "Accepted! The store ships it soon" in response.content.decode()


def test_a_guest_with_a_phone_gets_the_link_by_text_message(client, gift):
    guest_accept(client, gift, contact="+86 139-1234-5678")
    drain_outbox()

    guest = Claim.objects.get(gift=gift).recipient
    assert guest.phone == "+8613912345678" and guest.email == ""
    texts = [p.read_text() for p in Path(settings.SMS_FILE_PATH).glob("*.txt")]
    mine = [t for t in texts if t.startswith("To: +8613912345678")]
    assert mine and LINK.search(mine[-1])
    assert signin_link_check(urlsplit(LINK.search(mine[-1]).group(0)).path.split("/")[-2]).user == guest


def test_a_guest_enters_a_lottery_with_only_an_email(client, sender, variant):
    from datetime import timedelta

    from django.utils import timezone

    gift = paid_gift(sender=sender, variant=variant, mode="group", quantity=2, claim_rule="lottery",
                     draw_at=timezone.now() + timedelta(hours=2), claim_hours=24)

    response = client.post(card_path(gift), {"action": "guest", "contact": "fay@example.com"})

    assert response.status_code == 302
    assert Claim.objects.get(gift=gift).status == Claim.Status.ENTERED
    assert "You are in the draw" in client.get(card_path(gift)).content.decode()


def test_guest_accepts_are_limited_per_address(gift, sender, variant, settings):
    settings.RATELIMIT_GUEST_ACCEPT = "1/h"
    client = Client()
    guest_accept(client, gift)
    second = paid_gift(sender=sender, variant=variant)

    response = guest_accept(Client(), second, contact="other@example.com")

    assert response.status_code == 429 and not Claim.objects.filter(gift=second).exists()


def test_links_are_limited_per_contact(settings):
    settings.RATELIMIT_SIGNIN_LINKS_PER_CONTACT = "2/h"
    UserFactory(email="fay@example.com")
    ask = {"contact": "fay@example.com", "next": "/me/"}
    for _ in range(2):
        Client(REMOTE_ADDR="10.0.0.1").post(reverse("accounts:signin_link_ask"), ask)

    response = Client(REMOTE_ADDR="10.0.0.2").post(reverse("accounts:signin_link_ask"), ask, follow=True)

    assert "Too many sign-in links" in response.content.decode()
    drain_outbox()
    assert len(mail.outbox) == 2


def test_a_light_account_sets_its_first_password_without_an_old_one(client, gift):
    guest_accept(client, gift)
    guest = Claim.objects.get(gift=gift).recipient

    response = client.post(reverse("accounts:password_change"),
                           {"new_password1": "a-fresh-pass-word-7", "new_password2": "a-fresh-pass-word-7"})

    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.check_password("a-fresh-pass-word-7")
