"""One rule for the options a recipient may switch to, and one for what the card shows: the card
page, GET /claims/<token>/ and claim_accept agree (issue 8: for a 3-unit gift the page offered an
option the API marked out of stock, and the claim then failed)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gifts.errors import VariantNotAllowed
from gifts.models import Gift
from gifts.selectors.gifts import card_state, claim_variant_options, gift_by_card_token
from gifts.services.claims import claim_accept
from gifts.tokens import gift_share_url
from orders.errors import OutOfStock
from tests.factories import AddressFactory, ProductFactory, UserFactory, VariantFactory
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    return ProductFactory(title="Jade teapot")


@pytest.fixture
def green(product):
    return VariantFactory(product=product, name="Green", price_minor=9900, stock=10)


@pytest.fixture
def friend(db):
    friend = UserFactory(username="fay")
    AddressFactory(user=friend, is_default=True)
    return friend


def token_of(gift):
    return urlsplit(gift_share_url(gift=gift)).path.strip("/").split("/")[-1]


def page_options(client, gift):
    html = client.get(f"/g/{token_of(gift)}/").content.decode()
    return {int(v) for v in re.findall(r'name="variant" value="(\d+)"', html)}


def api_options(gift):
    body = APIClient().get(f"/api/v1/claims/{token_of(gift)}/").json()
    return {v["id"]: v["in_stock"] for v in body["variants"]}


def test_a_3_unit_gift_offers_only_options_with_3_units_everywhere(client, product, green, friend):
    blue_two_left = VariantFactory(product=product, name="Blue", price_minor=9900, stock=2)
    white_plenty = VariantFactory(product=product, name="White", price_minor=9900, stock=5)
    VariantFactory(product=product, name="Gold", price_minor=19900, stock=50)  # another price: never an option
    gift = paid_gift(sender=UserFactory(), variant=green, quantity=3)
    client.force_login(friend)

    assert api_options(gift) == {green.id: True, blue_two_left.id: False, white_plenty.id: True}
    assert page_options(client, gift) == {green.id, white_plenty.id}
    with pytest.raises(OutOfStock):
        claim_accept(gift=Gift.objects.get(id=gift.id), user=friend, variant_id=blue_two_left.id)


def test_the_service_refuses_an_option_at_another_price(product, green, friend):
    gold = VariantFactory(product=product, name="Gold", price_minor=19900, stock=50)
    gift = paid_gift(sender=UserFactory(), variant=green)
    with pytest.raises(VariantNotAllowed):
        claim_accept(gift=gift, user=friend, variant_id=gold.id)


def test_the_price_paid_decides_not_todays_price(product, green, friend):
    """A variant repriced after payment to the gift's old price is an option; the gift's own variant,
    repriced, stays the gift's."""
    later = VariantFactory(product=product, name="Later", price_minor=5000, stock=5)
    gift = paid_gift(sender=UserFactory(), variant=green)
    type(green).objects.filter(id=green.id).update(price_minor=12000)
    type(later).objects.filter(id=later.id).update(price_minor=9900)

    options = claim_variant_options(gift=Gift.objects.prefetch_related("order__lines").get(id=gift.id))

    assert [(o.id, o.in_stock) for o in options] == [(green.id, True), (later.id, True)]


def test_the_card_page_and_the_api_agree_on_an_expired_gift_not_yet_swept(product, green, friend):
    gift = paid_gift(sender=UserFactory(), variant=green)
    Gift.objects.filter(id=gift.id).update(expires_at=gift.expires_at - timedelta(days=2))
    client = Client()
    client.force_login(friend)

    body = APIClient().get(f"/api/v1/claims/{token_of(gift)}/").json()
    page = client.get(f"/g/{token_of(gift)}/")
    html = page.content.decode()
    state = card_state(gift=gift_by_card_token(request=page.wsgi_request, token=token_of(gift)), user=friend,
                       claim=None)

    assert body["status"] == "expired" and state == "expired"
    assert 'name="action" value="accept"' not in html
