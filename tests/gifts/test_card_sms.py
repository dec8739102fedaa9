"""The card by text message (issue 9): a sender may give the friend's mobile number when creating
the gift; the worker texts the card link once it is paid, and a reminder before the window closes,
through the SMS adapter (the default backend writes each message to a file). No price, ever."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models.functions import Now

from gifts.models import Gift
from gifts.services.lifecycle import gifts_remind_due
from gifts.services.sending import gift_create
from gifts.tokens import gift_share_url
from giftshop.errors import InvalidInput
from giftshop.sms import phone_masked, phone_normalized
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, pay

pytestmark = pytest.mark.django_db

PRICE = 12345


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    return Path(settings.SMS_FILE_PATH)


def texts(sms_dir):
    return [p.read_text() for p in sorted(sms_dir.glob("*.txt"))] if sms_dir.exists() else []


def _paid(**kwargs):
    gift = gift_create(sender=UserFactory(display_name="Alice"),
                       variant_id=VariantFactory(stock=5, price_minor=PRICE).id, **kwargs)
    pay(gift.order)
    drain_outbox()
    gift.refresh_from_db()
    return gift


def test_the_card_is_texted_once_paid_with_its_link_and_no_price(sms_dir, caplog):
    gift = _paid(friend_phone="+86 138-0013-8000")

    [text] = texts(sms_dir)
    assert text.startswith("To: +8613800138000\n")
    assert "Alice sent you a gift!" in text and gift_share_url(gift=gift) in text
    assert "123" not in text.replace("+8613800138000", "")  # no price (123.45) anywhere
    drain_outbox()
    assert len(texts(sms_dir)) == 1  # relayed again: still one message
    # and the log holds neither the number nor the link
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "13800138000" not in logged and "*******8000" in logged


def test_the_reminder_goes_by_text_too(sms_dir):
    gift = _paid(friend_phone="13800138000", claim_hours=24)
    Gift.objects.filter(id=gift.id).update(expires_at=Now() + timedelta(hours=1))

    assert gifts_remind_due() == 1
    drain_outbox()

    card, reminder = texts(sms_dir)
    assert "closes soon" in reminder and gift_share_url(gift=gift) in reminder


def test_an_unpaid_gift_is_not_texted(sms_dir):
    gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=5).id, friend_phone="13800138000")
    drain_outbox()

    assert texts(sms_dir) == []


@pytest.mark.parametrize(
    "phone", ["12345", "call me", "+86 138 0013 8000 0000 0", "+86 138a0013", "13\u00a080", 13800138000]
)
def test_a_number_that_is_not_one_is_refused(phone):
    with pytest.raises(InvalidInput) as refused:
        gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=5).id, friend_phone=phone)
    assert "friend_phone" in refused.value.fields


def test_the_api_and_the_page_take_the_friend_s_number(user_api, client, sms_dir):
    variant = VariantFactory(stock=5, price_minor=PRICE)
    refused = user_api.post("/api/v1/gifts/", {"variant_id": variant.id, "friend_phone": "x"}, format="json")
    created = user_api.post("/api/v1/gifts/", {"variant_id": variant.id, "friend_phone": "(021) 6432-1234"},
                            format="json")

    assert refused.status_code == 400 and "friend_phone" in refused.json()["fields"]
    assert created.status_code == 201, created.content
    assert Gift.objects.get(id=created.json()["id"]).card_texted_to == "02164321234"


def test_phone_helpers():
    assert phone_normalized(" +1 (415) 555-0100 ") == "+14155550100"
    assert phone_masked("+14155550100") == "********0100"
    with pytest.raises(ValueError):
        phone_normalized("+")
