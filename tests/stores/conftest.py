"""Fixtures for the stores API, service and photo tests: state is built through stores.services."""

import io
import os

import pytest
from django.conf import settings
from PIL import Image

from stores import services
from tests.factories import UserFactory, member_of


@pytest.fixture
def store(user):
    """alice's store; alice is its owner."""
    return services.store_create(owner=user, name="Tea House", slug="tea-house", description="Green and oolong.")


@pytest.fixture
def other_store(other_user):
    """mallory's store."""
    return services.store_create(owner=other_user, name="Rival Shop", slug="rival-shop")


def _make_product(store, title="Jasmine tea", sku="JAS-100", **fields):
    variants = fields.pop("variants", None) or [{"name": "100 g", "sku": sku, "price_minor": 4500, "stock": 7}]
    return services.product_create(store=store, actor=member_of(store), title=title, variants=variants, **fields)


@pytest.fixture
def make_product(db):
    """make_product(store, title=..., sku=..., variants=[...], giftable=..., is_active=...)"""
    return _make_product


@pytest.fixture
def product(store):
    return _make_product(store)


@pytest.fixture
def other_product(other_store):
    return _make_product(other_store, title="Rival tea", sku="RIV-1")


@pytest.fixture
def staff_user(store, user):
    """bob, on alice's team as staff."""
    bob = UserFactory(username="bob", display_name="Bob")
    services.store_member_add(store=store, actor=user, username="bob", role="staff")
    return bob


@pytest.fixture
def make_image():
    """make_image("PNG", size=(64, 48), mode="RGB", color=..., **Pillow save options) -> bytes"""
    return _image_bytes


@pytest.fixture
def exif_jpeg():
    """A JPEG carrying a camera make, model and GPS position in its EXIF block."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS IFD: a latitude
    return _image_bytes("JPEG", exif=exif.tobytes())


@pytest.fixture
def media_files():
    """media_files() -> the set of files under MEDIA_ROOT (relative paths)."""
    return _media_files


def _image_bytes(fmt="JPEG", size=(64, 48), mode="RGB", color=(200, 40, 40), **save_kwargs):
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt, **save_kwargs)
    return buf.getvalue()


def _media_files():
    """Every file under MEDIA_ROOT, as relative paths."""
    root = settings.MEDIA_ROOT
    found = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found
