"""`Retry-After` gives the time actually left in the window that refused the request (issue 11: it
said 60 while the failed-lookup window is 10 minutes, so a client that waited 65 s was refused
again). django-ratelimit's windows run on time.time(): a clock of our own moves them here."""

import pytest
from django.test import Client
from django_ratelimit import core

from tests.gifts.conftest import claim_url

pytestmark = pytest.mark.django_db
ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr(core, "time", clock)
    return clock


def test_a_client_that_waits_retry_after_is_let_in_and_not_a_second_sooner(api, open_gift, settings, clock):
    settings.RATELIMIT_TOKEN_FAILURES = "3/10m"
    _, token = open_gift()
    for i in range(3):
        assert api.get(claim_url(f"guess-{i}"), **ATTACKER).status_code == 404

    refused = api.get(claim_url(token), **ATTACKER)
    wait = int(refused.headers["Retry-After"])
    assert refused.status_code == 429
    assert 60 < wait <= 600  # this clock puts the window's end well past a minute away
    assert f"{-(-wait // 60)} minutes" in refused.json()["detail"]

    clock.now += wait - 1
    assert api.get(claim_url(token), **ATTACKER).status_code == 429
    clock.now += 1
    assert api.get(claim_url(token), **ATTACKER).status_code == 200


def test_the_card_page_says_the_same_wait(open_gift, settings, clock):
    settings.RATELIMIT_TOKEN_FAILURES = "2/10m"
    _, token = open_gift()
    browser = Client()
    for i in range(2):
        assert browser.get(f"/g/guess-{i}/", **ATTACKER).status_code == 404

    refused = browser.get(f"/g/{token}/", **ATTACKER)

    wait = int(refused.headers["Retry-After"])
    assert refused.status_code == 429 and 0 < wait <= 600
    assert f"{-(-wait // 60)} minute".encode() in refused.content


def test_claim_attempts_say_their_own_window(api, other_api, open_gift, friend_address, settings, clock):
    settings.RATELIMIT_CLAIMS = "1/h"
    _, token = open_gift()
    other_api.post(claim_url(token, "decline"))  # one attempt used: the limit counts every try

    refused = other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json")

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 3600
    clock.now += wait
    assert other_api.post(claim_url(token), {"address_id": friend_address.id}, format="json").status_code != 429
