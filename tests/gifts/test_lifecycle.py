"""The whole loop of each gift mode, through the HTTP API only (plus the sandbox's webhook and the
operators' commands): send, pay, open, claim, ship-to, thanks; first come first served; a lottery
from entries to the draw to winners' addresses and the refund of a winner who never chose one;
then the ways a gift ends early: declined by its recipient, or a claim refunded because the store
did not ship it by its promised time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.functions import Now
from django.utils import timezone

from gifts.models import Claim, Gift
from giftshop.transitions import transition
from logistics.models import Shipment
from orders.models import Payment, Refund
from stores.models import Variant
from tests.gifts.conftest import GIFTS_URL, claim_url
from tests.gifts.helpers import drain_outbox

pytestmark = pytest.mark.django_db


def test_single_gift_from_send_to_thank_you(user_api, other_api, open_gift, variant, friend_address):
    gift_id, token = open_gift(quantity=2, message="Happy birthday!")

    card = other_api.get(claim_url(token))
    accepted = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")
    thanked = other_api.post(claim_url(token, "thanks"), {"note": "Thank you so much!"}, format="json")
    seen_by_sender = user_api.get(f"{GIFTS_URL}{gift_id}/").json()

    assert card.status_code == 200 and card.json()["status"] == "open" and card.json()["remaining"] == 2
    assert accepted.status_code == 201, accepted.content
    body = accepted.json()
    assert body["claim"]["status"] == "accepted" and body["claim"]["variant"] == {"id": variant.id, "name": "Red"}
    shipment = Shipment.objects.get(id=body["shipment_id"])
    assert shipment.status == Shipment.Status.PENDING
    assert shipment.ship_to_street == "1 Secret Lane" and shipment.lines[0]["quantity"] == 2
    assert shipment.is_gift and shipment.gift_message == "Happy birthday!"
    assert thanked.status_code == 200 and thanked.json()["thank_you_note"] == "Thank you so much!"
    assert seen_by_sender["status"] == "claimed" and seen_by_sender["claimed_units"] == 2
    assert seen_by_sender["claims"] == [
        {"id": body["claim"]["id"], "recipient_display_name": "Mallory", "status": "accepted",
         "claimed_at": seen_by_sender["claims"][0]["claimed_at"], "thank_you_note": "Thank you so much!"}
    ]
    assert seen_by_sender["claims"][0]["claimed_at"]


def test_group_first_come_gives_one_unit_each_until_none_is_left(open_gift, friends, variant):
    gift_id, token = open_gift(quantity=3, mode="group", claim_rule="first_come")
    people = friends(4)

    answers = [client.post(claim_url(token), {"address_id": address.id}, format="json")
               for _, client, address in people]

    assert [a.status_code for a in answers] == [201, 201, 201, 409]
    assert answers[3].json()["code"] == "gift_fully_claimed"
    gift = Gift.objects.get(id=gift_id)
    assert gift.status == Gift.Status.CLAIMED and gift.claimed_units == 3
    assert Shipment.objects.filter(claim__gift=gift).count() == 3
    assert all(s.lines[0]["quantity"] == 1 for s in Shipment.objects.filter(claim__gift=gift))
    variant.refresh_from_db()
    assert variant.stock == 7


def _lottery(open_gift, quantity=2):
    draw_at = (timezone.now() + timedelta(hours=2)).isoformat()
    return open_gift(quantity=quantity, mode="group", claim_rule="lottery", claim_hours=24, draw_at=draw_at)


def test_lottery_entries_draw_winners_addresses_losers_and_the_unclaimed_prize(open_gift, friends, variant):
    gift_id, token = _lottery(open_gift, quantity=2)
    people = friends(4)

    entries = [client.post(claim_url(token), {}, format="json") for _, client, _ in people]
    Gift.objects.filter(id=gift_id).update(draw_at=Now() - timedelta(seconds=1))  # the test's clock
    call_command("draw_lotteries", stdout=StringIO())
    outcome = {user.id: client.get(claim_url(token)).json()["your_claim"]["status"] for user, client, _ in people}
    winners = [p for p in people if outcome[p[0].id] == "won"]
    losers = [p for p in people if outcome[p[0].id] == "lost"]
    _, winner_client, winner_address = winners[0]
    chosen = winner_client.post(claim_url(token, "address"), {"address_id": winner_address.id}, format="json")
    loser_tries = losers[0][1].post(claim_url(token, "address"), {"address_id": losers[0][2].id}, format="json")

    assert all(e.status_code == 201 for e in entries)
    assert all(e.json()["claim"]["status"] == "entered" and e.json()["shipment_id"] is None for e in entries)
    assert len(winners) == 2 and len(losers) == 2
    assert chosen.status_code == 200 and chosen.json()["claim"]["status"] == "accepted"
    assert Shipment.objects.get(id=chosen.json()["shipment_id"]).recipient == winners[0][0]
    assert loser_tries.status_code == 409 and loser_tries.json()["code"] == "not_a_winner"

    # The second winner never chooses an address: at the deadline the prize is refunded, once.
    Gift.objects.filter(id=gift_id).update(expires_at=Now() - timedelta(seconds=1))
    late_winner = Claim.objects.get(gift_id=gift_id, recipient=winners[1][0])
    first, second = StringIO(), StringIO()
    call_command("expire_gifts", stdout=first)
    call_command("expire_gifts", stdout=second)
    drain_outbox()

    late_winner.refresh_from_db()
    assert late_winner.status == Claim.Status.REFUNDED
    assert "refunded 1 winner without" in first.getvalue() and "refunded 0 winners" in second.getvalue()
    payment = Payment.objects.get(order__gift__id=gift_id)
    refunds = Refund.objects.filter(payment=payment)
    assert [(r.reason, r.amount_minor) for r in refunds] == [(Refund.Reason.LOTTERY, 12345)]
    assert payment.refunded_minor == 12345 and payment.status == Payment.Status.PARTIALLY_REFUNDED
    variant.refresh_from_db()
    assert variant.stock == 9  # one prize shipped, one back on sale
    late = winners[1][1].post(claim_url(token, "address"), {"address_id": winners[1][2].id}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "not_a_winner"


def test_lottery_with_fewer_entries_than_prizes_refunds_the_rest_at_the_draw(open_gift, friends):
    gift_id, token = _lottery(open_gift, quantity=3)
    (user, client, _), = friends(1)
    client.post(claim_url(token), {}, format="json")
    Gift.objects.filter(id=gift_id).update(draw_at=Now() - timedelta(seconds=1))

    call_command("draw_lotteries", stdout=StringIO())
    drain_outbox()

    assert client.get(claim_url(token)).json()["your_claim"]["status"] == "won"
    payment = Payment.objects.get(order__gift__id=gift_id)
    assert payment.refunded_minor == 2 * 12345


def test_entering_a_lottery_after_its_draw_time_is_draw_closed(open_gift, friends):
    gift_id, token = _lottery(open_gift)
    (_, client, _), = friends(1)
    Gift.objects.filter(id=gift_id).update(draw_at=Now() - timedelta(seconds=1))

    response = client.post(claim_url(token), {}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "draw_closed"


# --- decline ------------------------------------------------------------------------------------

def test_declining_a_single_gift_refunds_the_sender(other_api, open_gift, variant):
    gift_id, token = open_gift(quantity=2)

    response = other_api.post(claim_url(token, "decline"))
    again = other_api.post(claim_url(token, "decline"))
    drain_outbox()

    assert response.status_code == 200 and response.json() == {"status": "declined"}
    assert again.status_code == 409 and again.json()["code"] == "gift_not_open"
    payment = Payment.objects.get(order__gift__id=gift_id)
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_minor == 2 * 12345
    variant.refresh_from_db()
    assert variant.stock == 10


def test_a_group_gift_cannot_be_declined(other_api, open_gift):
    gift_id, token = open_gift(mode="group", quantity=2)

    response = other_api.post(claim_url(token, "decline"))

    assert response.status_code == 409 and response.json()["code"] == "cannot_decline_group"
    assert Gift.objects.get(id=gift_id).status == Gift.Status.OPEN


def test_the_sender_cannot_decline_and_strangers_must_sign_in(user_api, api, open_gift):
    gift_id, token = open_gift()

    own = user_api.post(claim_url(token, "decline"))
    anonymous = api.post(claim_url(token, "decline"))

    assert own.status_code == 403 and own.json()["code"] == "own_gift"
    assert anonymous.status_code == 401
    assert Gift.objects.get(id=gift_id).status == Gift.Status.OPEN


def test_an_accepted_single_gift_cannot_be_declined(other_api, open_gift, friend_address):
    _, token = open_gift()
    other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    response = other_api.post(claim_url(token, "decline"))

    assert response.status_code == 409 and response.json()["code"] == "gift_fully_claimed"


# --- refund request: the store did not ship in time ---------------------------------------------

def _claimed(other_api, open_gift, friend_address, **gift):
    gift_id, token = open_gift(**gift)
    accepted = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json").json()
    return gift_id, accepted["claim"]["id"], accepted["shipment_id"]


def test_a_refund_request_before_the_ship_by_time_is_not_overdue(user_api, other_api, open_gift, friend_address):
    gift_id, claim_id, shipment_id = _claimed(other_api, open_gift, friend_address)

    response = user_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": claim_id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "not_overdue"
    assert Shipment.objects.get(id=shipment_id).status == Shipment.Status.PENDING
    assert not Refund.objects.exists()


def test_an_overdue_claim_is_refunded_once_its_parcel_cancelled_and_its_stock_back(
    user_api, other_api, open_gift, friend_address, variant
):
    gift_id, claim_id, shipment_id = _claimed(other_api, open_gift, friend_address, quantity=2)
    Shipment.objects.filter(id=shipment_id).update(ship_by=Now() - timedelta(hours=1))  # the test's clock
    url = f"{GIFTS_URL}{gift_id}/refund-request/"

    first = user_api.post(url, {"claim_id": claim_id}, format="json")
    second = user_api.post(url, {"claim_id": claim_id}, format="json")
    drain_outbox()

    assert first.status_code == second.status_code == 200, first.content
    assert first.json() == second.json()
    assert first.json()["claim"] == {"id": claim_id, "status": "refunded"}
    assert first.json()["refund"]["amount_minor"] == 2 * 12345 and first.json()["refund"]["reason"] == "not_shipped"
    assert Shipment.objects.get(id=shipment_id).status == Shipment.Status.CANCELLED
    assert Claim.objects.get(id=claim_id).status == Claim.Status.REFUNDED
    variant.refresh_from_db()
    assert variant.stock == 10
    payment = Payment.objects.get(order__gift__id=gift_id)
    assert Refund.objects.filter(payment=payment).count() == 1
    assert payment.refunded_minor == 2 * 12345 and payment.status == Payment.Status.REFUNDED
    assert user_api.get(f"{GIFTS_URL}{gift_id}/").json()["claims"][0]["status"] == "refunded"


def test_a_switched_variant_goes_back_to_its_own_stock_on_a_not_shipped_refund(
    user_api, other_api, open_gift, friend_address, variant
):
    other = Variant.objects.create(product=variant.product, name="Blue", sku="BLUE", price_minor=12345, stock=4)
    gift_id, token = open_gift()
    accepted = other_api.post(claim_url(token), {"address_id": friend_address.id, "variant_id": other.id},
                              format="json").json()
    Shipment.objects.filter(id=accepted["shipment_id"]).update(ship_by=Now() - timedelta(minutes=1))

    response = user_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": accepted["claim"]["id"]},
                             format="json")

    assert response.status_code == 200
    variant.refresh_from_db()
    other.refresh_from_db()
    assert (variant.stock, other.stock) == (10, 4)


def test_a_parcel_that_has_left_cannot_be_refunded_as_not_shipped(user_api, other_api, open_gift, friend_address):
    gift_id, claim_id, shipment_id = _claimed(other_api, open_gift, friend_address)
    shipment = Shipment.objects.get(id=shipment_id)
    Shipment.objects.filter(id=shipment_id).update(ship_by=Now() - timedelta(hours=1))
    transition(shipment, Shipment.Status.INFO_RECEIVED, reason="dispatched late")

    response = user_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": claim_id}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "shipment_not_pending"
    assert not Refund.objects.exists()


def test_a_lottery_entry_has_no_parcel_to_be_late(user_api, other_api, open_gift):
    gift_id, token = open_gift(mode="group", claim_rule="lottery", quantity=2,
                               draw_at=(timezone.now() + timedelta(hours=1)).isoformat())
    entry = other_api.post(claim_url(token), {}, format="json").json()

    response = user_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": entry["claim"]["id"]},
                             format="json")

    assert response.status_code == 409 and response.json()["code"] == "not_overdue"


@pytest.mark.parametrize("claim_id", ["abc", 0, 2**63, None])
def test_a_refund_request_needs_a_claim_id(user_api, open_gift, claim_id):
    gift_id, _ = open_gift()

    response = user_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": claim_id}, format="json")

    assert response.status_code == 400 and "claim_id" in response.json()["fields"]


def test_a_claim_of_another_gift_is_not_refunded_through_yours(user_api, other_api, open_gift, friend_address):
    _, their_claim_id, shipment_id = _claimed(other_api, open_gift, friend_address)
    my_other_gift_id, _ = open_gift()
    Shipment.objects.filter(id=shipment_id).update(ship_by=Now() - timedelta(hours=1))

    response = user_api.post(f"{GIFTS_URL}{my_other_gift_id}/refund-request/", {"claim_id": their_claim_id},
                             format="json")

    assert response.status_code == 400 and "claim_id" in response.json()["fields"]
    assert Shipment.objects.get(id=shipment_id).status == Shipment.Status.PENDING


def test_only_the_sender_may_ask_for_the_refund(other_api, open_gift, friend_address, user_api):
    gift_id, claim_id, shipment_id = _claimed(other_api, open_gift, friend_address)
    Shipment.objects.filter(id=shipment_id).update(ship_by=Now() - timedelta(hours=1))

    response = other_api.post(f"{GIFTS_URL}{gift_id}/refund-request/", {"claim_id": claim_id}, format="json")

    assert response.status_code == 404
    assert not Refund.objects.exists()
