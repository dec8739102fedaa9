"""The web keeps serving when Redis is down (issue 9): the services mode's cache falls back to the
database, so rate-limited pages answer as usual (no 500) and the limits still count. Redis here is
a port where nothing listens."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from gifts.tokens import gift_share_url
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {"BACKEND": "giftshop.cache.FallbackCache", "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"}},
    "redis": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    },
    "database": {"BACKEND": "giftshop.cache.AtomicDatabaseCache", "LOCATION": "giftshop_cache"},
}


@pytest.fixture
def dead_redis():
    with override_settings(CACHES=DEAD_REDIS):
        caches["database"].clear()
        yield
        caches["database"].clear()


def test_the_card_page_the_claims_api_and_login_answer_without_redis(client, dead_redis):
    gift = paid_gift(sender=UserFactory(), variant=VariantFactory(stock=3))
    token = gift_share_url(gift=gift).rstrip("/").rsplit("/", 1)[-1]
    started = time.monotonic()

    card = client.get(f"/g/{token}/")
    api = client.get(f"/api/v1/claims/{token}/")
    login = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    assert (card.status_code, api.status_code, login.status_code) == (200, 200, 200)
    assert time.monotonic() - started < 5  # Redis was tried once, then left alone for a while


def test_rate_limits_still_count_in_the_database_while_redis_is_down(client, dead_redis, settings):
    # A different username each time: the per-IP limit (10 a minute) answers, not the lockout of one
    # username (5 wrong passwords, tests/accounts/test_lockout.py), which counts in the same cache.
    answers = [
        client.post("/api/v1/auth/token/", {"username": f"guess{n}", "password": "wrong"},
                    content_type="application/json").status_code
        for n in range(12)
    ]

    assert answers[:10] == [400] * 10 and answers[10:] == [429, 429]


def test_the_log_in_lockout_still_counts_while_redis_is_down(client, dead_redis):
    answers = [
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, content_type="application/json")
        .status_code
        for _ in range(6)
    ]

    assert answers == [400] * 4 + [429, 429]


def test_healthz_says_the_cache_is_down_while_the_shop_runs_on_its_fallback(client, dead_redis):
    response = client.get("/healthz")

    assert response.status_code == 503 and response.json()["cache"] == "down"
