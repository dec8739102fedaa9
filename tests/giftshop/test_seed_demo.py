from io import StringIO

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from accounts.models import User
from logistics.management.demo_catalog import PUBLISHED_PASSWORD
from logistics.management.demo_pictures import draw_product
from logistics.models import Address
from stores.models import Product, ProductImage, Store, StoreMember, Variant

_drawn = {}


@pytest.fixture(autouse=True)
def draw_once(monkeypatch):
    """The pictures are deterministic: draw each once for the whole module (drawing is the slow part)."""
    from logistics.management.commands import seed_demo

    def draw(kind, palette, label, view=0):
        key = (kind, label, view)
        if key not in _drawn:
            _drawn[key] = draw_product(kind, palette, label, view=view)
        return _drawn[key]

    monkeypatch.setattr(seed_demo, "draw_product", draw)


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Address, Store, StoreMember, Product, Variant, ProductImage)
    }


@pytest.fixture
def seeded(db):
    return _seed()


def test_seeding_twice_changes_nothing(seeded):
    before = _counts()

    output = _seed()

    assert _counts() == before
    assert "new: 0 accounts, 0 addresses, 0 products, 0 photos" in output


def test_it_prints_the_demo_logins(seeded):
    assert settings.DEMO_PASSWORD in seeded
    for username in ("merchant", "alice", "bob"):
        assert username in seeded


def test_the_merchant_owns_a_believable_store(seeded):
    store = Store.objects.get(slug="lantern-leaf")
    merchant = User.objects.get(username="merchant")

    assert "Lantern & Leaf" in store.name and store.description
    assert StoreMember.objects.get(store=store, user=merchant).role == StoreMember.Role.OWNER
    assert merchant.check_password(settings.DEMO_PASSWORD)


def test_products_have_photos_variants_prices_and_stock(seeded):
    products = list(Product.objects.filter(store__slug="lantern-leaf").prefetch_related("variants", "images"))

    assert len(products) >= 8
    for product in products:
        assert 1 <= len(product.images.all()) <= 3, product.title
        variants = product.variants.all()
        assert 2 <= len(variants) <= 4, product.title
        assert all(v.sku and v.currency == "CNY" and v.price_minor > 0 for v in variants)
    assert len({v.sku for p in products for v in p.variants.all()}) == sum(len(p.variants.all()) for p in products)
    sold_out = [p for p in products if all(v.stock == 0 for v in p.variants.all())]
    assert len(sold_out) == 1
    assert [p.giftable for p in products].count(False) == 1
    assert all(p.is_active for p in products)


def test_photos_are_real_pictures_with_thumbnails(seeded):
    image = ProductImage.objects.order_by("id").first()

    with default_storage.open(image.image.name) as f:
        picture = Image.open(f)
        picture.load()
    assert picture.format == "JPEG" and picture.size == (image.width, image.height) == (800, 800)
    assert default_storage.exists(image.thumbnail.name)
    assert len(picture.getcolors(1_000_000) or []) > 500  # drawn, not a flat colour


def test_shoppers_have_names_passwords_and_a_default_address(seeded):
    for username in ("alice", "bob"):
        shopper = User.objects.get(username=username)
        assert shopper.display_name and shopper.email
        assert shopper.check_password(settings.DEMO_PASSWORD)
        addresses = Address.objects.filter(user=shopper)
        assert addresses.count() >= 1
        assert addresses.filter(is_default=True).count() == 1


def test_it_leaves_existing_accounts_alone(db):
    # given alice signed up by herself before the demo was seeded
    from accounts.services import user_register

    user_register(username="alice", password="her-own-secret-1", display_name="Alice")

    _seed()

    alice = User.objects.get(username="alice")
    assert alice.check_password("her-own-secret-1")
    assert alice.display_name == "Alice"


def test_seed_demo_refuses_without_a_demo_password(db, settings):
    from django.core.management import CommandError

    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_once_published_password_is_replaced_by_the_install_s_own(db, settings):
    # Installs seeded by earlier versions gave every demo account a password printed in the README.
    from accounts.services import user_register

    user_register(username="merchant", password=PUBLISHED_PASSWORD, email="m@example.com", display_name="Mei")
    _seed()

    merchant = User.objects.get(username="merchant")
    assert not merchant.check_password(PUBLISHED_PASSWORD)
    assert merchant.check_password(settings.DEMO_PASSWORD)
