"""/api/v1/claims/<token>/: the card (public, changes nothing, no price), accepting with a saved or
typed address, switching variants, every error code of the Claims table, declining, thanking, and
the limits on failed lookups and on claim attempts."""

from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.forms.models import model_to_dict

from accounts.models import User
from gifts.models import Claim, Gift
from giftshop.models import OutboxMessage, StatusChange
from logistics.models import Address, Shipment
from orders.models import Payment, Refund
from stores.models import Variant
from tests.conftest import api_client_for
from tests.factories import AddressFactory, VariantFactory
from tests.gifts.conftest import GIFTS_URL, claim_url

pytestmark = pytest.mark.django_db

CARD_FIELDS = {"sender", "message", "cover", "card_image_url", "product", "variants", "status", "mode", "claim_rule",
               "remaining", "expires_at", "draw_at", "your_claim"}
NOT_FOUND = {"code": "not_found", "detail": "Not found."}


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


# --- GET: the card ------------------------------------------------------------------------------

def test_anyone_can_open_a_card_and_it_shows_no_price(api, open_gift, variant):
    Variant.objects.create(product=variant.product, name="Blue", sku="B", price_minor=12345, stock=3)
    Variant.objects.create(product=variant.product, name="Gold", sku="G", price_minor=99999, stock=3)
    Variant.objects.create(product=variant.product, name="Sold out", sku="S", price_minor=12345, stock=0)
    _, token = open_gift(message="Enjoy!", cover="birthday")

    response = api.get(claim_url(token))

    assert response.status_code == 200
    card = response.json()
    assert set(card) == CARD_FIELDS
    assert card["sender"] == {"display_name": "Alice"} and card["message"] == "Enjoy!" and card["cover"] == "birthday"
    assert card["product"] == {"title": variant.product.title, "images": []}
    assert card["variants"] == [
        {"id": variant.id, "name": "Red", "in_stock": True},
        {"id": Variant.objects.get(sku="B").id, "name": "Blue", "in_stock": True},
        {"id": Variant.objects.get(sku="S").id, "name": "Sold out", "in_stock": False},
    ]
    assert card["status"] == "open" and card["mode"] == "single" and card["remaining"] == 1
    assert card["your_claim"] is None and card["card_image_url"].startswith("http://testserver/media/cards/")
    text = response.content.decode()
    assert "12345" not in text and "99999" not in text
    assert not [k for k in _keys(card) if any(w in k for w in ("price", "total", "amount", "currency"))]


def _state():
    """Everything a card could change, as plain values."""
    return {
        model.__name__: [model_to_dict(row) | {"pk": row.pk} for row in model.objects.order_by("pk")]
        for model in (Gift, Claim, Shipment, Variant, Payment, Refund, Address, StatusChange, OutboxMessage)
    }


def test_opening_a_card_changes_nothing_for_anyone(api, user_api, other_api, open_gift, friend_address):
    _, token = open_gift(mode="group", quantity=2)
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")
    before = _state()

    answers = [client.get(claim_url(token)) for client in (api, user_api, other_api) for _ in range(3)]
    answers.append(api.head(claim_url(token)))

    assert all(a.status_code == 200 for a in answers)
    assert _state() == before


def test_your_claim_shows_your_own_claim_only(other_api, user_api, open_gift, friend_address, variant):
    _, token = open_gift(mode="group", quantity=2)
    accepted = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json").json()

    mine = other_api.get(claim_url(token)).json()["your_claim"]
    senders = user_api.get(claim_url(token)).json()["your_claim"]

    assert mine == {"id": accepted["claim"]["id"], "status": "accepted", "variant": {"id": variant.id, "name": "Red"},
                    "shipment_id": accepted["shipment_id"], "thank_you_note": ""}
    assert senders is None


def test_a_card_past_its_deadline_reads_as_expired_before_the_sweep(api, open_gift):
    gift_id, token = open_gift()
    Gift.objects.filter(id=gift_id).update(expires_at=Now() - timedelta(seconds=1))

    assert api.get(claim_url(token)).json()["status"] == "expired"
    assert Gift.objects.get(id=gift_id).status == Gift.Status.OPEN


@pytest.mark.parametrize("bad", ["A" * 43, "short", "x y", "礼物" * 20, "%00", "..", "A" * 44, "-" * 43, "' OR 1=1 --"])
def test_unknown_malformed_and_revoked_tokens_all_get_the_same_404(api, user_api, open_gift, bad):
    gift_id, revoked = open_gift()
    user_api.post(f"{GIFTS_URL}{gift_id}/revoke-link/")

    unknown = api.get(claim_url(bad))
    gone = api.get(claim_url(revoked))

    assert unknown.status_code == gone.status_code == 404
    assert unknown.json() == gone.json() == NOT_FOUND
    assert unknown.content == gone.content


def test_the_21st_failed_lookup_from_one_address_is_throttled_but_other_addresses_still_open_cards(api, open_gift):
    _, token = open_gift()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}

    for _good in range(30):  # good lookups never count
        assert api.get(claim_url(token), **attacker).status_code == 200
    failures = [api.get(claim_url(f"guess-{i}"), **attacker).status_code for i in range(20)]
    throttled = api.get(claim_url("guess-21"), **attacker)
    good_elsewhere = api.get(claim_url(token), REMOTE_ADDR="198.51.100.9")

    assert failures == [404] * 20
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert throttled.headers["Retry-After"]
    assert good_elsewhere.status_code == 200


# --- POST: accept -------------------------------------------------------------------------------

def test_accepting_needs_an_account(api, open_gift, friend_address):
    _, token = open_gift()

    response = api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert not Claim.objects.exists()


def test_a_typed_address_is_used_and_saved_to_the_book(other_api, other_user, open_gift):
    _, token = open_gift()
    typed = {"recipient_name": "Han Meimei", "phone": "+86 139 0000 1111", "country": "CN", "region": "Beijing",
             "city": "Beijing", "street": "9 Garden Road", "postal_code": "100000"}

    response = other_api.post(claim_url(token), {"address": typed}, format="json")

    assert response.status_code == 201, response.content
    saved = Address.objects.get(user=other_user)
    assert saved.street == "9 Garden Road" and saved.recipient_name == "Han Meimei"
    assert Shipment.objects.get(id=response.json()["shipment_id"]).ship_to_street == "9 Garden Road"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "address_id"),
        ({"address_id": "home"}, "address_id"),
        ({"address_id": 2**63}, "address_id"),
        ({"address": {"recipient_name": "Han"}}, "address.street"),
        ({"address": {"street": "x" * 201, "recipient_name": "H", "phone": "123456", "country": "CN",
                      "region": "R", "city": "C"}}, "address.street"),
        ({"address": {"recipient_name": "H", "phone": "call me", "country": "CN", "region": "R", "city": "C",
                      "street": "S"}}, "phone"),
        ({"address": {"recipient_name": "H", "phone": "123456", "country": "ZZ", "region": "R", "city": "C",
                      "street": "S"}}, "country"),
        ({"address": {"recipient_name": "H", "phone": "123456", "country": "CN", "region": "R", "city": "C",
                      "street": "S", "is_default": "yes", "evil": 1}}, "address.evil"),
        ({"address": "somewhere"}, "address"),
        ({"address_id": 1, "address": {"recipient_name": "H"}}, "address"),
        ({"variant_id": "blue"}, "variant_id"),
        ({"unknown": True}, "unknown"),
    ],
)
def test_bad_ship_to_input_is_a_400_and_claims_nothing(other_api, other_user, open_gift, body, field):
    gift_id, token = open_gift()

    response = other_api.post(claim_url(token), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert any(field in key for key in response.json()["fields"]), response.json()
    assert not Claim.objects.exists() and not Address.objects.filter(user=other_user).exists()
    assert Gift.objects.get(id=gift_id).claimed_units == 0


def test_someone_elses_saved_address_cannot_be_used(other_api, open_gift, user):
    _, token = open_gift()
    senders_address = AddressFactory(user=user)

    response = other_api.post(claim_url(token), {"address_id": senders_address.id}, format="json")

    assert response.status_code == 400 and "address_id" in response.json()["fields"]


def test_switching_to_another_option_at_the_same_price_moves_the_stock(other_api, open_gift, friend_address, variant):
    blue = Variant.objects.create(product=variant.product, name="Blue", sku="B", price_minor=12345, stock=5)
    _, token = open_gift(quantity=2)

    response = other_api.post(claim_url(token), {"address_id": friend_address.id, "variant_id": blue.id},
                              format="json")

    assert response.status_code == 201, response.content
    assert response.json()["claim"]["variant"] == {"id": blue.id, "name": "Blue"}
    variant.refresh_from_db()
    blue.refresh_from_db()
    assert (variant.stock, blue.stock) == (10, 3)
    assert Shipment.objects.get(id=response.json()["shipment_id"]).lines[0]["variant_name"] == "Blue"


def test_switching_to_another_price_or_product_is_variant_not_allowed(other_api, open_gift, friend_address, variant):
    gold = Variant.objects.create(product=variant.product, name="Gold", sku="G", price_minor=99999, stock=5)
    elsewhere = VariantFactory(price_minor=12345)
    _, token = open_gift()

    answers = [other_api.post(claim_url(token), {"address_id": friend_address.id, "variant_id": v.id},
                              format="json") for v in (gold, elsewhere)]

    for response in answers:
        assert response.status_code == 400 and response.json()["code"] == "variant_not_allowed"
        assert "variant_id" in response.json()["fields"]
    assert not Claim.objects.exists()


def test_switching_to_a_sold_out_option_is_out_of_stock_and_holds_nothing(other_api, open_gift, friend_address,
                                                                          variant):
    empty = Variant.objects.create(product=variant.product, name="Blue", sku="B", price_minor=12345, stock=0)
    gift_id, token = open_gift()

    response = other_api.post(claim_url(token), {"address_id": friend_address.id, "variant_id": empty.id},
                              format="json")

    assert response.status_code == 400 and response.json()["code"] == "out_of_stock"
    gift = Gift.objects.get(id=gift_id)
    assert gift.claimed_units == 0 and gift.status == Gift.Status.OPEN
    assert not Shipment.objects.exists()


def test_your_own_gift_is_403_own_gift(user_api, open_gift, user):
    _, token = open_gift()
    address = AddressFactory(user=user)

    response = user_api.post(claim_url(token), {"address_id": address.id}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "own_gift"


def test_a_single_gift_already_accepted_is_fully_claimed_for_the_next_friend(other_api, open_gift, friend_address,
                                                                             friends):
    _, token = open_gift()
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")
    (_, late_client, late_address), = friends(1)

    response = late_client.post(claim_url(token), {"address_id": late_address.id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "gift_fully_claimed"


def test_claiming_twice_is_already_claimed(other_api, open_gift, friend_address):
    gift_id, token = open_gift(mode="group", quantity=3)
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    again = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert again.status_code == 409 and again.json()["code"] == "already_claimed"
    assert Gift.objects.get(id=gift_id).claimed_units == 1


def test_retrying_an_accepted_single_gift_is_already_claimed_not_fully_claimed(other_api, open_gift, friend_address):
    _, token = open_gift()
    first = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    retry = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert first.status_code == 201
    assert retry.status_code == 409 and retry.json()["code"] == "already_claimed"


def test_entering_a_lottery_twice_is_already_claimed(other_api, open_gift):
    from django.utils import timezone

    gift_id, token = open_gift(mode="group", claim_rule="lottery", quantity=1,
                               draw_at=(timezone.now() + timedelta(hours=1)).isoformat())
    other_api.post(claim_url(token), {}, format="json")

    again = other_api.post(claim_url(token), {}, format="json")

    assert again.status_code == 409 and again.json()["code"] == "already_claimed"
    assert Claim.objects.filter(gift_id=gift_id).count() == 1


def test_a_gift_past_its_deadline_is_gift_expired_before_and_after_the_sweep(other_api, open_gift, friend_address):
    from gifts.services.lifecycle import gifts_expire_due

    gift_id, token = open_gift()
    Gift.objects.filter(id=gift_id).update(expires_at=Now() - timedelta(seconds=1))

    before_sweep = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")
    gifts_expire_due()
    after_sweep = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert before_sweep.status_code == after_sweep.status_code == 409
    assert before_sweep.json()["code"] == after_sweep.json()["code"] == "gift_expired"


def test_a_cancelled_gift_is_gift_not_open(user_api, other_api, open_gift, friend_address):
    gift_id, token = open_gift()
    user_api.post(f"{GIFTS_URL}{gift_id}/cancel/")

    response = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "gift_not_open"


def test_accepting_with_a_bad_token_is_the_same_404(other_api, friend_address):
    response = other_api.post(claim_url("nope"), {"address_id": friend_address.id}, format="json")

    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_claim_attempts_are_limited_per_user(user_api, open_gift, user):
    _, token = open_gift()
    address = AddressFactory(user=user)

    answers = [user_api.post(claim_url(token), {"address_id": address.id}, format="json").status_code
               for _ in range(31)]

    assert answers[:30] == [403] * 30 and answers[30] == 429


def test_an_accept_retried_with_its_idempotency_key_is_one_claim(other_api, open_gift, friend_address):
    gift_id, token = open_gift(mode="group", quantity=3)
    body = {"address_id": friend_address.id}

    first = other_api.post(claim_url(token), body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    retry = other_api.post(claim_url(token), body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")

    assert first.status_code == retry.status_code == 201 and first.json() == retry.json()
    assert Claim.objects.filter(gift_id=gift_id).count() == 1


# --- thanks -------------------------------------------------------------------------------------

def test_only_someone_who_accepted_can_thank(other_api, api, open_gift, friends):
    _, token = open_gift(mode="group", quantity=2)
    (_, stranger, _), = friends(1)

    not_claimed = stranger.post(claim_url(token, "thanks"), {"note": "thanks!"}, format="json")
    anonymous = api.post(claim_url(token, "thanks"), {"note": "thanks!"}, format="json")

    assert not_claimed.status_code == 409 and not_claimed.json()["code"] == "not_claimed"
    assert anonymous.status_code == 401


@pytest.mark.parametrize("body", [{"note": "x" * 201}, {"note": ""}, {"note": "   "}, {}, {"note": ["a"]}])
def test_a_thank_you_note_is_1_to_200_characters(other_api, open_gift, friend_address, body):
    _, token = open_gift()
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    response = other_api.post(claim_url(token, "thanks"), body, format="json")

    assert response.status_code == 400 and "note" in response.json()["fields"]
    assert Claim.objects.get().thank_you_note == ""


# --- lottery winners' address -------------------------------------------------------------------

def test_a_winners_address_needs_an_account_and_a_good_token(api, other_api, friend_address):
    anonymous = api.post(claim_url("x", "address"), {"address_id": 1}, format="json")
    unknown = other_api.post(claim_url("x", "address"), {"address_id": friend_address.id}, format="json")

    assert anonymous.status_code == 401
    assert unknown.status_code == 404 and unknown.json() == NOT_FOUND


def test_an_entrant_before_the_draw_is_not_a_winner_yet(other_api, open_gift, friend_address):
    from django.utils import timezone

    _, token = open_gift(mode="group", claim_rule="lottery", quantity=1,
                         draw_at=(timezone.now() + timedelta(hours=1)).isoformat())
    other_api.post(claim_url(token), {}, format="json")

    response = other_api.post(claim_url(token, "address"), {"address_id": friend_address.id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "not_a_winner"


def test_every_card_answer_for_a_recipient_is_free_of_prices(other_api, open_gift, friend_address):
    _, token = open_gift()
    answers = [
        other_api.get(claim_url(token)),
        other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json"),
        other_api.post(claim_url(token, "thanks"), {"note": "Lovely"}, format="json"),
        other_api.get(claim_url(token)),
    ]

    for response in answers:
        assert response.status_code in (200, 201)
        assert "12345" not in response.content.decode()
        assert not [k for k in _keys(response.json()) if any(w in k for w in ("price", "total", "amount"))]


def test_a_user_made_later_can_still_open_and_accept(open_gift):
    _, token = open_gift()
    newcomer = User.objects.create_user(username="newcomer", password="pass-word-123")
    client = api_client_for(newcomer)
    address = AddressFactory(user=newcomer)

    assert client.post(claim_url(token), {"address_id": address.id}, format="json").status_code == 201


def test_card_tokens_never_reach_the_request_log(other_api, api, open_gift, friend_address, caplog):
    gift_id, token = open_gift()
    Gift.objects.filter(id=gift_id).update(expires_at=Now() - timedelta(seconds=1))

    with caplog.at_level("INFO"):
        expired = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")
        anonymous = api.post(claim_url(token, "decline"))
        unknown = api.get(claim_url("A" * 43))

    assert (expired.status_code, anonymous.status_code, unknown.status_code) == (409, 401, 404)
    logged = [r.getMessage() for r in caplog.records]
    assert not [line for line in logged if token in line or "A" * 43 in line]
    assert "Conflict: /api/v1/claims/<token>/" in logged and "Not Found: /api/v1/claims/<token>/" in logged
