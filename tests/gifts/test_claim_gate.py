"""The sold-out gate (gifts.services.claim_gate) and the token cache (accounts.authentication):
a loser's claim on a fully claimed gift is answered without a single database query, and the gate
changes no one's answer: winners, the sender and replays still get theirs from the service."""

import uuid

import pytest
from django.core.cache import cache

from gifts.services.claim_gate import _key
from gifts.tokens import token_hash
from tests.conftest import api_client_for
from tests.gifts.conftest import claim_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def token_cache_in_memory(memory_cache, settings):
    settings.TOKEN_AUTH_CACHE_SECONDS = 30


def claim(client, token, address, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(claim_url(token), {"address_id": address.id}, format="json", **headers)


@pytest.fixture
def sold_out(open_gift, friends, django_capture_on_commit_callbacks):
    """A single gift claimed by the first friend (after the commit: the gate is closed)."""
    _gift_id, token = open_gift()
    (winner, winner_api, winner_address), *losers = friends(3)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        won = claim(winner_api, token, winner_address, key)
    assert won.status_code == 201, won.content
    assert cache.get(_key(token_hash(token))) is not None
    return token, (winner_api, winner_address, key, won.json()), losers


def test_a_loser_is_answered_409_from_the_gate_with_no_query(sold_out, django_assert_num_queries):
    token, _winner, losers = sold_out
    _user, client, address = losers[0]
    first = claim(client, token, address)  # reads the token's user once, into the cache
    assert first.status_code == 409 and first.json()["code"] == "gift_fully_claimed"
    with django_assert_num_queries(0):
        again = claim(client, token, address, key=str(uuid.uuid4()))
    assert again.status_code == 409 and again.json()["code"] == "gift_fully_claimed"


def test_the_winner_and_the_sender_still_get_their_own_answers(sold_out, user_api):
    token, (winner_api, winner_address, key, body), _losers = sold_out
    replay = claim(winner_api, token, winner_address, key)
    assert replay.status_code == 201 and replay.json() == body  # the idempotent replay
    retry = claim(winner_api, token, winner_address)
    assert retry.status_code == 409 and retry.json()["code"] == "already_claimed"
    sender = claim(user_api, token, winner_address)
    assert sender.status_code == 403 and sender.json()["code"] == "own_gift"


def test_a_lost_gate_is_made_again_by_the_next_refusal(sold_out, django_capture_on_commit_callbacks,
                                                        django_assert_num_queries):
    token, _winner, losers = sold_out
    cache.delete(_key(token_hash(token)))
    _user, client, address = losers[0]
    with django_capture_on_commit_callbacks(execute=True):
        refused = claim(client, token, address)  # through the database: the gift row says so
    assert refused.json()["code"] == "gift_fully_claimed"
    assert cache.get(_key(token_hash(token))) is not None
    with django_assert_num_queries(0):
        assert claim(client, token, address).json()["code"] == "gift_fully_claimed"


def test_an_open_gift_has_no_gate(open_gift, friends):
    _gift_id, token = open_gift(quantity=3, mode="group")
    (_u, client, address), = friends(1)
    assert claim(client, token, address).status_code == 201
    assert cache.get(_key(token_hash(token))) is None


# --- the token cache ---------------------------------------------------------------------------

def test_a_deactivated_user_is_refused_at_once(sold_out, django_assert_num_queries):
    token, _winner, losers = sold_out
    user, client, address = losers[0]
    claim(client, token, address)
    with django_assert_num_queries(0):
        claim(client, token, address)
    user.is_active = False
    user.save()
    assert claim(client, token, address).status_code == 401


def test_a_deleted_token_is_refused_at_once(sold_out):
    token, _winner, losers = sold_out
    user, client, address = losers[0]
    claim(client, token, address)
    user.auth_token.delete()
    assert claim(client, token, address).status_code == 401
    fresh = api_client_for(user)  # a new token works at once
    assert claim(fresh, token, address).status_code == 409


def test_an_unknown_token_is_never_cached(api, open_gift, friends):
    _gift_id, token = open_gift()
    (_u, _client, address), = friends(1)
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    for _ in range(2):
        assert claim(api, token, address).status_code == 401
