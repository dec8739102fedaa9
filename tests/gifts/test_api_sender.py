"""/api/v1/gifts/: send, list, read, cancel, extend, revoke the link, ask for a not-shipped refund."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gifts.models import Gift
from gifts.services.claims import claim_accept
from giftshop.transitions import transition
from logistics.models import Shipment
from orders.models import Payment, Refund
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory
from tests.gifts.conftest import GIFTS_URL, claim_url, token_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

DETAIL_FIELDS = {"id", "status", "mode", "claim_rule", "quantity", "claimed_units", "expires_at", "message", "cover",
                 "product", "variant", "share_url", "card_image_url", "qr_url", "claims"}


# --- POST /gifts/ -------------------------------------------------------------------------------

def test_sending_a_gift_answers_its_order_and_payment_and_reserves_stock(user_api, variant):
    response = user_api.post(GIFTS_URL, {"variant_id": variant.id, "quantity": 3, "mode": "single",
                                         "message": "Hi", "cover": "birthday", "claim_hours": 48}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    gift = Gift.objects.get(id=body["id"])
    payment = Payment.objects.get(order_id=body["order_id"])
    assert body["status"] == "pending_payment" and gift.order_id == body["order_id"]
    assert body["total_minor"] == 3 * 12345 and body["currency"] == "CNY"
    assert body["payment"] == {"id": payment.id, "status": "pending", "checkout_url": payment.checkout_url}
    assert body["payment"]["checkout_url"].startswith(settings.SITE_URL + "/pay/sandbox/")
    assert gift.cover == "birthday" and gift.claim_hours == 48 and gift.message == "Hi"
    variant.refresh_from_db()
    assert variant.stock == 7


def test_a_lottery_gift_answers_its_draw_time_in_iso_8601_with_an_offset(user_api, variant):
    draw_at = timezone.now() + timedelta(hours=3)

    response = user_api.post(GIFTS_URL, {"variant_id": variant.id, "quantity": 2, "mode": "group",
                                         "claim_rule": "lottery", "draw_at": draw_at.isoformat()}, format="json")

    assert response.status_code == 201, response.content
    text = response.json()["draw_at"]
    assert text.endswith("+08:00")  # the site's time zone, Asia/Shanghai
    assert abs(parse_datetime(text) - draw_at) < timedelta(seconds=1)


def test_sending_needs_an_account(api, variant):
    response = api.post(GIFTS_URL, {"variant_id": variant.id}, format="json")

    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Token")
    assert not Gift.objects.exists()


def _hours(h):
    return (timezone.now() + timedelta(hours=h)).isoformat()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"quantity": "two"}, "quantity"),
        ({"quantity": 10**30}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 11}, "quantity"),  # a single gift holds 1..10
        ({"mode": "group", "quantity": 101}, "quantity"),
        ({"message": "x" * 201}, "message"),
        ({"message": ["not", "text"]}, "message"),
        ({"claim_hours": 0}, "claim_hours"),
        ({"claim_hours": 169}, "claim_hours"),
        ({"claim_hours": True}, "claim_hours"),
        ({"cover": "not-a-theme"}, "cover"),
        ({"mode": "triple"}, "mode"),
        ({"claim_rule": "lottery"}, "claim_rule"),  # a lottery needs a group
        ({"mode": "group", "claim_rule": "lottery"}, "draw_at"),  # ...and a draw time
        ({"mode": "group", "claim_rule": "lottery", "claim_hours": 24, "draw_at": _hours(24)}, "draw_at"),  # too late
        ({"mode": "group", "claim_rule": "lottery", "draw_at": _hours(0)}, "draw_at"),  # too early
        ({"mode": "group", "claim_rule": "lottery", "draw_at": "tomorrow"}, "draw_at"),
        ({"variant_id": 2**63}, "variant_id"),
        ({"variant_id": "abc"}, "variant_id"),
        ({"variant_id": 999999}, "variant_id"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_gift_input_is_a_400_on_its_field_and_makes_nothing(user_api, variant, body, field):
    response = user_api.post(GIFTS_URL, {"variant_id": variant.id, **body}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    assert not Gift.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 10


def test_a_product_that_is_not_giftable_cannot_be_sent(user_api):
    variant = VariantFactory(product=ProductFactory(giftable=False))

    response = user_api.post(GIFTS_URL, {"variant_id": variant.id}, format="json")

    assert response.status_code == 400 and "variant_id" in response.json()["fields"]


def test_sending_more_than_the_stock_is_out_of_stock(user_api):
    variant = VariantFactory(stock=1)

    response = user_api.post(GIFTS_URL, {"variant_id": variant.id, "quantity": 2}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "out_of_stock"


def test_malformed_json_is_a_parse_error(user_api):
    response = user_api.post(GIFTS_URL, "{not json", content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_the_same_idempotency_key_replays_the_first_gift_and_refuses_another_body(user_api, variant):
    body = {"variant_id": variant.id, "quantity": 1}

    first = user_api.post(GIFTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = user_api.post(GIFTS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = user_api.post(GIFTS_URL, {**body, "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Gift.objects.count() == 1


# --- GET /gifts/ and /gifts/<id>/ -------------------------------------------------------------

def test_the_list_shows_only_the_gifts_you_sent(user_api, other_api, send_gift, variant):
    mine = send_gift()
    send_gift(other_api)

    response = user_api.get(GIFTS_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1 and [g["id"] for g in response.json()["results"]] == [mine["id"]]


def test_the_list_needs_an_account(api):
    assert api.get(GIFTS_URL).status_code == 401


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(GIFTS_URL)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_the_sent_list_makes_as_many_queries_for_20_gifts_as_for_1(user, user_api):
    def gift_with_a_claim():
        gift = paid_gift(sender=user, variant=VariantFactory(stock=5), mode="group", quantity=2)
        friend = UserFactory()
        claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)

    gift_with_a_claim()
    one, body = _list_queries(user_api)
    for _ in range(19):
        gift_with_a_claim()
    twenty, body20 = _list_queries(user_api)

    assert body["count"] == 1 and body20["count"] == 20
    assert all(len(g["claims"]) == 1 and g["share_url"] for g in body20["results"])
    assert one == twenty, "the sent list must prefetch products, variants and claims, not query them per gift"


def test_a_gift_before_payment_has_no_link_yet(user_api, send_gift):
    created = send_gift()

    body = user_api.get(f"{GIFTS_URL}{created['id']}/").json()

    assert set(body) >= DETAIL_FIELDS
    assert body["status"] == "pending_payment"
    assert body["share_url"] is None and body["qr_url"] is None and body["card_image_url"] is None


def test_a_paid_gift_shows_its_link_card_and_qr_to_its_sender(user_api, open_gift, variant):
    gift_id, token = open_gift(message="For you")

    body = user_api.get(f"{GIFTS_URL}{gift_id}/").json()

    gift = Gift.objects.get(id=gift_id)
    assert body["share_url"] == f"{settings.SITE_URL}/g/{token}/" and len(token) == 43
    assert body["product"] == {"id": variant.product_id, "title": variant.product.title}
    assert body["variant"] == {"id": variant.id, "name": "Red"}
    assert body["message"] == "For you" and body["cover"] == "red_packet" and body["claims"] == []
    card = body["card_image_url"]
    assert card.startswith("http://testserver/media/cards/") and card.endswith(".png")
    assert token not in card and f"/{gift_id}/" not in card
    assert len(card.rsplit("/", 1)[-1]) >= 32  # a random name: nothing to guess from
    assert body["qr_url"] == f"http://testserver/gifts/{gift_id}/qr.png"
    assert parse_datetime(body["expires_at"]) == gift.expires_at


def test_another_users_gift_is_the_same_404_as_no_gift(user_api, other_api, send_gift):
    created = send_gift()

    theirs = other_api.get(f"{GIFTS_URL}{created['id']}/")
    missing = other_api.get(f"{GIFTS_URL}{created['id'] + 1000}/")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == {"code": "not_found", "detail": "Not found."}


def test_reading_a_gift_needs_an_account(api, send_gift):
    created = send_gift()

    assert api.get(f"{GIFTS_URL}{created['id']}/").status_code == 401


def test_the_sender_never_sees_the_recipients_address_phone_or_tracking(user_api, other_api, open_gift,
                                                                        friend_address):
    gift_id, token = open_gift()
    accepted = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json").json()
    shipment = Shipment.objects.get(id=accepted["shipment_id"])
    transition(shipment, Shipment.Status.INFO_RECEIVED, extra={"carrier": "sandbox", "tracking_number": "DLV12345678"})

    detail = user_api.get(f"{GIFTS_URL}{gift_id}/")
    listed = user_api.get(GIFTS_URL)

    for response in (detail, listed):
        text = response.content.decode()
        for secret in ("1 Secret Lane", "13912345678", "DLV12345678", "Shanghai", "200030", shipment.reference):
            assert secret not in text
        assert "shipment" not in text and "address" not in text and "phone" not in text and "tracking" not in text
    assert detail.json()["claims"][0].keys() == {"id", "recipient_display_name", "status", "claimed_at",
                                                 "thank_you_note"}


# --- cancel -------------------------------------------------------------------------------------

def test_cancelling_an_open_group_gift_refunds_its_unclaimed_units(user_api, other_api, open_gift, friend_address,
                                                                   variant):
    gift_id, token = open_gift(mode="group", quantity=3)
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    response = user_api.post(f"{GIFTS_URL}{gift_id}/cancel/")
    again = user_api.post(f"{GIFTS_URL}{gift_id}/cancel/")
    drain_outbox()

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["claims"][0]["status"] == "accepted"
    assert again.status_code == 409 and again.json()["code"] == "gift_not_open"
    payment = Payment.objects.get(order__gift__id=gift_id)
    assert payment.refunded_minor == 2 * 12345 and Refund.objects.filter(payment=payment).count() == 1
    variant.refresh_from_db()
    assert variant.stock == 9


def test_a_fully_claimed_gift_cannot_be_cancelled_or_extended(user_api, other_api, open_gift, friend_address):
    gift_id, token = open_gift()
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    cancel = user_api.post(f"{GIFTS_URL}{gift_id}/cancel/")
    extend = user_api.post(f"{GIFTS_URL}{gift_id}/extend/", {"hours": 5}, format="json")

    assert cancel.status_code == extend.status_code == 409
    assert cancel.json()["code"] == extend.json()["code"] == "gift_not_open"
    assert Gift.objects.get(id=gift_id).status == Gift.Status.CLAIMED
    assert not Refund.objects.exists()


def test_another_user_cannot_cancel_your_gift(other_api, open_gift):
    gift_id, _ = open_gift()

    response = other_api.post(f"{GIFTS_URL}{gift_id}/cancel/")

    assert response.status_code == 404
    assert Gift.objects.get(id=gift_id).status == Gift.Status.OPEN


def test_a_gift_not_paid_yet_cannot_be_cancelled(user_api, send_gift):
    created = send_gift()

    response = user_api.post(f"{GIFTS_URL}{created['id']}/cancel/")

    assert response.status_code == 409 and response.json()["code"] == "gift_not_open"


def test_cancelling_needs_an_account(api, open_gift):
    gift_id, _ = open_gift()

    assert api.post(f"{GIFTS_URL}{gift_id}/cancel/").status_code == 401


# --- extend -------------------------------------------------------------------------------------

def test_a_gift_can_be_extended_once(user_api, open_gift):
    gift_id, _ = open_gift()
    before = Gift.objects.get(id=gift_id).expires_at

    first = user_api.post(f"{GIFTS_URL}{gift_id}/extend/", {"hours": 12}, format="json")
    second = user_api.post(f"{GIFTS_URL}{gift_id}/extend/", {"hours": 12}, format="json")

    assert first.status_code == 200
    assert parse_datetime(first.json()["expires_at"]) == before + timedelta(hours=12)
    assert second.status_code == 409 and second.json()["code"] == "already_extended"
    assert Gift.objects.get(id=gift_id).expires_at == before + timedelta(hours=12)


@pytest.mark.parametrize("body", [{"hours": 0}, {"hours": 169}, {"hours": "lots"}, {"hours": 10**20}, {}])
def test_extend_hours_must_be_1_to_168(user_api, open_gift, body):
    gift_id, _ = open_gift()

    response = user_api.post(f"{GIFTS_URL}{gift_id}/extend/", body, format="json")

    assert response.status_code == 400 and "hours" in response.json()["fields"]
    assert not Gift.objects.get(id=gift_id).extended


def test_an_expired_or_closed_gift_cannot_be_extended(user_api, open_gift):
    gift_id, _ = open_gift()
    Gift.objects.filter(id=gift_id).update(expires_at=Now() - timedelta(seconds=1))

    response = user_api.post(f"{GIFTS_URL}{gift_id}/extend/", {"hours": 5}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "gift_not_open"
    assert response.json()["detail"] == "This gift has expired."


def test_another_user_cannot_extend_your_gift_whatever_the_body(other_api, open_gift):
    gift_id, _ = open_gift()

    response = other_api.post(f"{GIFTS_URL}{gift_id}/extend/", {"hours": "nonsense"}, format="json")

    assert response.status_code == 404


# --- revoke the link ----------------------------------------------------------------------------

def test_revoking_the_link_kills_the_old_one_and_gives_a_new_one(user_api, api, open_gift):
    gift_id, old_token = open_gift()

    response = user_api.post(f"{GIFTS_URL}{gift_id}/revoke-link/")
    drain_outbox()

    new_token = token_of(response.json()["share_url"])
    assert response.status_code == 200 and new_token != old_token
    assert api.get(claim_url(old_token)).status_code == 404
    assert api.get(claim_url(new_token)).status_code == 200
    gift = Gift.objects.get(id=gift_id)
    assert gift.qr_image  # rendered again, for the new link
    assert user_api.get(f"{GIFTS_URL}{gift_id}/").json()["share_url"].endswith(f"/g/{new_token}/")


def test_another_user_cannot_revoke_your_link(other_api, open_gift, api):
    gift_id, token = open_gift()

    assert other_api.post(f"{GIFTS_URL}{gift_id}/revoke-link/").status_code == 404
    assert api.get(claim_url(token)).status_code == 200


def test_the_schema_documents_the_gift_error_codes(api):
    schema = json.dumps(api.get("/api/schema/", HTTP_ACCEPT="application/json").json())

    for code in ("not_overdue", "already_extended", "gift_fully_claimed", "own_gift", "variant_not_allowed"):
        assert code in schema
