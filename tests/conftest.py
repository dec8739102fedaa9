import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

_DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def fresh_rate_limits(request):
    """Every test that touches the database starts with no rate-limit counts. They live in the
    cache, which outlives a test's transaction: Redis in CI's stage 2, and the database cache
    table after a transactional test (a flush empties only the models' tables). Left there, one
    test's sign-in attempts throttle the next test's."""
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
