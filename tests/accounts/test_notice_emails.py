"""Every in-app notice also goes by email (issue 9): the same sentence, in the reader's language,
with a link and a one-click unsubscribe (List-Unsubscribe, RFC 8058); never to someone who switched
email notices off."""

import pytest
from django.core import mail
from django.db.models.functions import Now
from django.test import override_settings
from django.urls import reverse

from accounts.mail import unsubscribe_token
from accounts.models import Notice, User
from accounts.notices import KINDS, notice_send
from giftshop.models import OutboxMessage
from tests.factories import UserFactory
from tests.gifts.helpers import drain_outbox

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.com"

# Params each kind's producer really sends (gifts/notices.py, orders/notices.py, logistics).
PARAMS = {
    "gift_claimed": {"friend": "Mallory", "product": "Jasmine tea"},
    "gift_thanked": {"friend": "Mallory", "note": "Thank you!"},
    "gift_declined": {"friend": "Mallory", "product": "Jasmine tea"},
    "gift_expired": {"units": 2, "product": "Jasmine tea"},
    "gift_refunded": {"amount": 12345, "currency": "CNY", "reason": "expired", "product": "Jasmine tea"},
    "lottery_won": {"sender": "Alice", "product": "Jasmine tea"},
    "lottery_lost": {"sender": "Alice", "product": "Jasmine tea"},
    "parcel_shipped": {"product": "Jasmine tea", "gift": True, "sender": "Alice"},
    "parcel_out_for_delivery": {"product": "Jasmine tea"},
    "parcel_delivered": {"product": "Jasmine tea"},
    "parcel_returned": {"product": "Jasmine tea"},
    "parcel_return_resolved": {"outcome": "resent", "role": "recipient", "product": "Jasmine tea", "sender": "Alice"},
    "shipment_overdue": {"role": "sender", "product": "Jasmine tea", "refund_after_hours": 72},
    "order_refunded": {"amount": 12345, "currency": "CNY", "reason": "merchant", "order_id": 7},
    "refund_stuck": {"amount": 12345, "currency": "CNY", "order_id": 7, "attempts": 5},
}


def test_the_params_above_cover_every_kind():
    assert set(PARAMS) == set(KINDS)


@override_settings(SITE_URL=SITE)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_notice_kind_is_emailed_in_the_reader_s_language(kind, language):
    reader = UserFactory(language=language)

    notice_send(user=reader, kind=kind, key=f"k:{kind}", params=PARAMS[kind], link="/me/?tab=received")
    drain_outbox()

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.to == [reader.email]
    assert message.subject and "You have a new notice" not in message.body  # the kind's own sentence
    assert f"{SITE}/me/?tab=received" in message.body and f"{SITE}/me/?tab=received" in html
    if language == "zh-hans":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message.subject), message.subject
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/accounts/unsubscribe/") and unsubscribe.strip("<>") in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_nobody_is_emailed_who_switched_it_off_or_has_no_address():
    quiet = UserFactory(email_notices=False)
    no_address = UserFactory(email="")

    for user in (quiet, no_address):
        notice_send(user=user, kind="gift_claimed", key=f"k:{user.pk}", params=PARAMS["gift_claimed"])
    drain_outbox()

    assert mail.outbox == [] and Notice.objects.count() == 2
    assert not OutboxMessage.objects.filter(topic="accounts.notice_email").exists()


def test_switching_off_after_the_notice_but_before_the_mail_sends_nothing():
    user = UserFactory()
    notice_send(user=user, kind="gift_claimed", key="k", params=PARAMS["gift_claimed"])
    User.objects.filter(pk=user.pk).update(email_notices=False)

    drain_outbox()

    assert mail.outbox == []


def test_a_notice_email_relayed_twice_is_sent_once():
    user = UserFactory()
    notice_send(user=user, kind="gift_claimed", key="k", params=PARAMS["gift_claimed"])
    drain_outbox()
    # The relay died after sending, before marking it delivered: the message comes round again.
    OutboxMessage.objects.filter(topic="accounts.notice_email").update(
        status=OutboxMessage.Status.PENDING, available_at=Now(), payload={"notice_id": Notice.objects.get().id}
    )
    drain_outbox()

    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(client):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    user = UserFactory()
    url = reverse("accounts:unsubscribe", kwargs={"token": unsubscribe_token(user)})

    page = csrf_client.get(url)
    user.refresh_from_db()
    assert page.status_code == 200 and user.email_notices  # looking is not unsubscribing
    assert page["Cache-Control"] == "no-store, private"

    done = csrf_client.post(url, {"List-Unsubscribe": "One-Click"})
    user.refresh_from_db()
    assert done.status_code == 200 and not user.email_notices


def test_a_forged_or_broken_unsubscribe_token_changes_nothing(client):
    user = UserFactory()
    token = unsubscribe_token(user)
    for bad in (token[:-2] + "xx", "nonsense", unsubscribe_token(user).replace(":", ";")):
        response = client.post(reverse("accounts:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 404
    user.refresh_from_db()
    assert user.email_notices


def test_the_shop_remembers_the_language_a_user_reads_it_in(client):
    user = UserFactory(language="en")
    client.force_login(user)

    client.get("/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_the_header_counts_unread_notices_on_every_page(client):
    user = UserFactory()
    client.force_login(user)
    assert "badge count" not in client.get("/").content.decode()

    for n in range(3):
        notice_send(user=user, kind="gift_claimed", key=f"badge:{n}", params=PARAMS["gift_claimed"])
    page = client.get("/").content.decode()

    assert 'class="badge count" aria-label="3 unread">3</span>' in page
    assert "?tab=notices" in page


def test_the_profile_switches_notice_emails_off_and_back_on(client):
    user = UserFactory()
    client.force_login(user)
    assert 'name="email_notices"' in client.get(reverse("accounts:profile")).content.decode()

    client.post(reverse("accounts:profile"), {"display_name": user.display_name})  # unticked
    user.refresh_from_db()
    assert not user.email_notices

    client.post(reverse("accounts:profile"), {"display_name": user.display_name, "email_notices": "on"})
    user.refresh_from_db()
    assert user.email_notices
