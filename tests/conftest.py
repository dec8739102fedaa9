import io

import pytest
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


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
