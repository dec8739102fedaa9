import io
import time

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

_DB_FIXTURES = {"db", "transactional_db", "live_server"}


class _PinnedClock:
    """The limiter's clock, stopped at the moment the test began."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture(autouse=True)
def fresh_rate_limits(request, monkeypatch):
    """Every test that touches the database starts with no rate-limit counts, and runs inside one
    rate-limit window. The counts live in the cache, which outlives a test's transaction: Redis in
    CI's stage 2, and the database cache table after a transactional test (a flush empties only the
    models' tables). Left there, one test's sign-in attempts throttle the next test's.

    django-ratelimit counts in fixed windows cut from the wall clock (`_get_window`), so a test
    whose eleventh attempt happened to fall just past a window's edge saw a fresh count and a 200
    (seen under load in CI). Its clock is stopped at the test's start: the real limiter still
    counts, in the real cache, and a test is never cut in two by a window edge."""
    monkeypatch.setattr(django_ratelimit.core, "time", _PinnedClock())
    if not (request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames)):
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language. A request in Chinese leaves its language active on
    the thread (LocaleMiddleware activates, nothing deactivates), so without this, a test that
    renders outside a request speaks whatever language the test before it last used (the suite
    runs in random order)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def memory_cache(settings):
    """A cache in memory: the embedded cache is a database table, whose reads a query count would
    count (for the tests that pin the queries of cached answers)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory(username="alice", display_name="Alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="mallory", display_name="Mallory")


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


def api_client_for(user):
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def user_api(user):
    return api_client_for(user)


@pytest.fixture
def other_api(other_user):
    return api_client_for(other_user)


def make_image_bytes(fmt="JPEG", size=(640, 480), color=(200, 40, 40)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def jpeg_bytes():
    return make_image_bytes()
