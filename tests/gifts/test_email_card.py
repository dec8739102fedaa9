"""The sender emails the card to a friend: one mail per address, through the outbox; the friend
then gets the reminder before the window closes, like the sender."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db.models.functions import Now
from django.urls import reverse

from gifts.models import Gift
from gifts.services.lifecycle import gifts_remind_due
from gifts.tokens import gift_share_url
from tests.conftest import api_client_for
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift():
    return paid_gift(sender=UserFactory(email="sender@example.com"), variant=VariantFactory(stock=3))


def test_the_sender_emails_the_card_once_per_address(gift):
    sender_api = api_client_for(gift.sender)
    mail.outbox.clear()

    first = sender_api.post(f"/api/v1/gifts/{gift.id}/email/", {"email": "Fay@Example.com"}, format="json")
    again = sender_api.post(f"/api/v1/gifts/{gift.id}/email/", {"email": "fay@example.com"}, format="json")
    drain_outbox()

    assert first.status_code == again.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fay@example.com"]
    assert gift_share_url(gift=gift) in mail.outbox[0].body
    assert "9,900" not in mail.outbox[0].body and "99.00" not in mail.outbox[0].body  # never the price


def test_bad_addresses_and_other_peoples_gifts_are_refused(gift):
    other = api_client_for(UserFactory())
    sender_api = api_client_for(gift.sender)

    assert sender_api.post(f"/api/v1/gifts/{gift.id}/email/", {"email": "not-an-email"},
                           format="json").json()["code"] == "invalid"
    assert other.post(f"/api/v1/gifts/{gift.id}/email/", {"email": "a@b.co"}, format="json").status_code == 404
    assert Gift.objects.get(id=gift.id).card_emailed_to == ""


def test_the_emailed_friend_gets_the_reminder_too(gift):
    api_client_for(gift.sender).post(f"/api/v1/gifts/{gift.id}/email/", {"email": "fay@example.com"}, format="json")
    drain_outbox()
    mail.outbox.clear()
    Gift.objects.filter(id=gift.id).update(expires_at=Now() + timedelta(minutes=90))

    assert gifts_remind_due() == 1
    assert gifts_remind_due() == 0
    drain_outbox()

    assert sorted(m.to[0] for m in mail.outbox) == ["fay@example.com", "sender@example.com"]


def test_the_page_form_sends_the_card(client, gift):
    client.force_login(gift.sender)
    mail.outbox.clear()

    response = client.post(reverse("gifts:email", kwargs={"gift_id": gift.id}), {"email": "fay@example.com"},
                           follow=True)
    drain_outbox()

    assert response.status_code == 200
    assert "The card is on its way to fay@example.com" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["fay@example.com"]]


def test_a_card_is_emailed_to_five_addresses_at_most(gift):
    sender_api = api_client_for(gift.sender)
    answers = [sender_api.post(f"/api/v1/gifts/{gift.id}/email/", {"email": f"friend{n}@example.com"}, format="json")
               for n in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [409]
    assert answers[-1].json()["code"] == "too_many_emails"
    assert sender_api.post(f"/api/v1/gifts/{gift.id}/email/", {"email": "friend0@example.com"},
                           format="json").status_code == 200  # resending to one of them is fine
