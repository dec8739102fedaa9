"""The card by email (issue 9): a sender may give the friend's email when creating the gift, and
the worker mails the card once it is paid: HTML with the card image inline, plain text, the link,
the sender's name, never a price; in the friend's language when the shop knows it."""

import pytest
from django.core import mail

from gifts.models import Gift
from gifts.services.sending import gift_create, gift_email_card
from giftshop.errors import InvalidInput
from giftshop.models import OutboxMessage
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, pay

pytestmark = pytest.mark.django_db

PRICE = 12345


@pytest.fixture
def sender():
    return UserFactory(display_name="Alice")


def _paid(sender, **kwargs):
    gift = gift_create(sender=sender, variant_id=VariantFactory(stock=5, price_minor=PRICE).id, **kwargs)
    pay(gift.order)
    drain_outbox()
    gift.refresh_from_db()
    return gift


def test_the_card_is_mailed_once_paid_with_its_image_and_link_and_no_price(sender):
    gift = gift_create(sender=sender, variant_id=VariantFactory(stock=5, price_minor=PRICE).id,
                       message="Happy birthday!", friend_email=" Fay@Example.com ")
    drain_outbox()
    assert mail.outbox == []  # not before the payment

    pay(gift.order)
    drain_outbox()

    gift.refresh_from_db()
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.to == ["fay@example.com"] and "Alice" in message.subject
    assert gift.status == Gift.Status.OPEN and "/g/" in message.body and "Happy birthday!" in message.body
    assert 'src="cid:gift-card"' in html
    [picture] = [part for part in message.attachments if getattr(part, "get_content_type", lambda: "")() == "image/png"]
    assert picture.get_payload(decode=True).startswith(b"\x89PNG")
    for text in (message.subject, message.body, html):
        assert "123.45" not in text and "12345" not in text
    # The outbox never kept the link (it holds the card token): only the gift's id and the address.
    row = OutboxMessage.objects.get(topic="gifts.card_email")
    assert "/g/" not in str(row.payload)


def test_the_card_speaks_the_friend_s_language_when_the_shop_knows_it(sender):
    UserFactory(email="mei@example.com", language="zh-hans")

    _paid(sender, friend_email="mei@example.com")

    [message] = mail.outbox
    assert "送" in message.subject or "礼物" in message.subject, message.subject


def test_a_card_emailed_again_later_is_one_more_mail_and_a_bad_address_is_refused(sender):
    gift = _paid(sender)
    assert mail.outbox == []

    gift_email_card(gift=gift, email="bob@example.com")
    gift_email_card(gift=gift, email="bob@example.com")  # the same address twice is one mail
    drain_outbox()

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    with pytest.raises(InvalidInput) as refused:
        gift_create(sender=sender, variant_id=VariantFactory().id, friend_email="not an address")
    assert "friend_email" in refused.value.fields


def test_the_api_takes_the_friend_s_email_and_refuses_a_bad_one(user_api):
    variant = VariantFactory(stock=5, price_minor=PRICE)

    refused = user_api.post("/api/v1/gifts/", {"variant_id": variant.id, "friend_email": "nope"}, format="json")
    created = user_api.post("/api/v1/gifts/", {"variant_id": variant.id, "friend_email": "fay@example.com"},
                            format="json")
    assert refused.status_code == 400 and "friend_email" in refused.json()["fields"]
    assert created.status_code == 201, created.content
    gift = Gift.objects.get(id=created.json()["id"])
    pay(gift.order)
    drain_outbox()

    assert [m.to for m in mail.outbox] == [["fay@example.com"]]
