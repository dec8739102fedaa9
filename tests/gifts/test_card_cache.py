"""The card page /g/<token>/ cached whole for anonymous visitors (giftshop.page_cache): served
again while nothing it shows has changed, shown fresh on the next request after every write that
changes it, and never holding a session, a CSRF token or anyone's data."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gifts.models import Gift
from gifts.services.claims import claim_accept, claim_decline
from gifts.services.lifecycle import gift_cancel, gift_extend, gifts_expire_due
from gifts.services.sending import gift_revoke_link
from giftshop import page_cache
from stores.stock import stock_release, stock_reserve
from tests.factories import AddressFactory, UserFactory
from tests.gifts.helpers import paid_gift
from tests.gifts.test_pages_card import as_user, card_path, friend, home, product, sender, variant  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_margin(settings):
    # The margin keeps a page from being stored within a second of a change; tests run faster.
    settings.PAGE_CACHE_CLOCK_MARGIN_MS = 0


def warm(client, path):
    """GET until the page is stored (the first request makes its versions, the second stores it)
    and the next one is a hit; returns that hit."""
    for _ in range(2):
        assert client.get(path).status_code == 200
    hit = client.get(path)
    assert hit["X-Page-Cache"] == "hit", "the page was not served from the cache"
    return hit


def fresh(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response.get("X-Page-Cache") != "hit", "a stale page was served after a change"
    return response


@pytest.fixture
def gift(sender, variant):  # noqa: F811
    return paid_gift(sender=sender, variant=variant, quantity=2, mode=Gift.Mode.GROUP, message="Cheers!")


def test_an_anonymous_visitor_gets_the_stored_page_with_their_own_csrf_token(gift):
    path = card_path(gift)
    first = Client()
    warm(first, path)
    other = Client()
    hit = other.get(path)
    assert hit["X-Page-Cache"] == "hit"
    html = hit.content.decode()
    assert "Cheers!" in html and page_cache.CSRF_PLACEHOLDER not in html
    token = other.cookies["csrftoken"].value
    assert 'name="csrfmiddlewaretoken"' in html
    # Each visitor has their own CSRF cookie, and the form posts with it (the guest screen).
    assert first.cookies["csrftoken"].value != token
    # The stored copy holds the placeholder, never a real token, and no session.
    entry = page_cache.cache.get(page_cache._answer_key(hit.wsgi_request, False))
    assert page_cache.CSRF_PLACEHOLDER.encode() in entry[3]
    assert token.encode() not in entry[3] and b"sessionid" not in entry[3]
    assert "sessionid" not in hit.cookies


def test_a_signed_in_visitor_is_never_served_nor_stored(gift, friend):  # noqa: F811
    path = card_path(gift)
    signed_in = as_user(friend)
    for _ in range(3):
        response = signed_in.get(path)
        assert "X-Page-Cache" not in response
    assert "Fay" in response.content.decode() or response.status_code == 200
    # Anonymous visitors then never see what the signed-in page showed.
    anonymous = warm(Client(), path).content.decode()
    assert 'name="address"' not in anonymous and "1 Home Road" not in anonymous


def test_a_visitor_with_a_session_or_messages_is_not_served_from_the_cache(gift):
    path = card_path(gift)
    warm(Client(), path)
    with_session = Client()
    with_session.cookies["sessionid"] = "whatever"
    assert "X-Page-Cache" not in with_session.get(path)
    with_messages = Client()
    with_messages.cookies["messages"] = "x"
    assert "X-Page-Cache" not in with_messages.get(path)


def test_a_claim_shows_on_the_next_request(gift, friend, home):  # noqa: F811
    path = card_path(gift)
    client = Client()
    before = warm(client, path).content.decode()
    claim_accept(gift=gift, user=friend, address_id=home.id)
    after = fresh(client, path).content.decode()
    assert after != before


def test_the_last_unit_claimed_shows_the_gift_is_gone(gift, friend, home):  # noqa: F811
    path = card_path(gift)
    client = Client()
    assert "All claimed" not in warm(client, path).content.decode()
    claim_accept(gift=gift, user=friend, address_id=home.id)
    other = UserFactory(username="ola")
    claim_accept(gift=gift, user=other, address_id=AddressFactory(user=other).id)
    gift.refresh_from_db()
    assert gift.status == Gift.Status.CLAIMED
    assert "All claimed" in fresh(client, path).content.decode()
    assert "All claimed" in warm(client, path).content.decode()  # and stored again in its new state


@pytest.mark.parametrize("change", ["cancel", "extend", "expire", "stock"])
def test_every_change_of_the_gift_shows_on_the_next_request(change, sender, gift, variant, product):  # noqa: F811
    path = card_path(gift)
    client = Client()
    before = warm(client, path).content.decode()
    if change == "cancel":
        gift_cancel(gift=gift, actor=sender)
    elif change == "extend":
        gift_extend(gift=gift, hours=24, actor=sender)
    elif change == "expire":
        Gift.objects.filter(id=gift.id).update(expires_at=timezone.now() - timedelta(minutes=1))
        gifts_expire_due()
        gift.refresh_from_db()
        assert gift.status == Gift.Status.EXPIRED
    else:  # another option of the same price runs out: the guest screen's choices change
        other = product.variants.create(name="Blue", sku="B-1", price_minor=variant.price_minor, stock=5)
        warm(client, path)
        before = client.get(path).content.decode()
        assert "Blue" in before
        assert stock_reserve(variant_id=other.id, quantity=5)
        after = fresh(client, path).content.decode()
        assert "Blue" not in after
        stock_release(variant_id=other.id, quantity=5)
        assert "Blue" in fresh(client, path).content.decode()
        return
    assert fresh(client, path).content.decode() != before


def test_a_declined_single_gift_shows_on_the_next_request(sender, variant, friend):  # noqa: F811
    gift = paid_gift(sender=sender, variant=variant)
    path = card_path(gift)
    client = Client()
    before = warm(client, path).content.decode()
    claim_decline(gift=gift, user=friend)
    assert fresh(client, path).content.decode() != before


def test_a_revoked_link_is_a_404_on_the_next_request(sender, gift):  # noqa: F811
    old = card_path(gift)
    client = Client()
    warm(client, old)
    gift_revoke_link(gift=gift)
    assert fresh(client, old).status_code == 404


def test_a_product_change_shows_on_the_card(gift, product):  # noqa: F811
    path = card_path(gift)
    client = Client()
    warm(client, path)
    product.title = "Celadon teapot"
    product.save()
    assert "Celadon teapot" in fresh(client, path).content.decode()


def test_a_page_read_before_a_change_is_not_stored_under_the_new_version(gift, rf):
    """The race: a reader began before a write committed (and bumped); what it read is not
    stored, under the old versions or the new."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    request = rf.get(card_path(gift))
    request.user = AnonymousUser()
    assert page_cache.lookup(request) is None  # notes the start
    page_cache.depends_on(request, store=gift.variant.product.store_id, gift=gift)
    page_cache.bump(gift=gift)  # a write lands while this request renders what it read before
    response = page_cache.store(request, HttpResponse("old state"))
    assert "X-Page-Cache" not in response
    assert page_cache.cache.get(page_cache._answer_key(request, False)) is None
    # A request that begins after the change is stored, and served.
    later = rf.get(card_path(gift))
    later.user = AnonymousUser()
    assert page_cache.lookup(later) is None
    page_cache.depends_on(later, store=gift.variant.product.store_id, gift=gift)
    assert page_cache.store(later, HttpResponse("new state"))["X-Page-Cache"] == "miss"
    again = rf.get(card_path(gift))
    again.user = AnonymousUser()
    assert page_cache.lookup(again).content == b"new state"


def test_a_lost_version_makes_a_new_one_so_nothing_older_is_served(gift):
    path = card_path(gift)
    client = Client()
    warm(client, path)
    page_cache.cache.delete(page_cache._version_key(f"gift:{gift.id}"))
    assert fresh(client, path).status_code == 200


def test_the_draw_shows_on_the_next_request(sender, variant):  # noqa: F811
    """A draw writes only UPDATEs and transitions (no save, no stock): transition() bumps."""
    from gifts.services.claims import claim_enter
    from tests.gifts.test_pages_card import lottery, run_the_draw

    gift = lottery(sender, variant)
    claim_enter(gift=gift, user=UserFactory())
    path = card_path(gift)
    client = Client()
    assert "The draw is over" not in warm(client, path).content.decode()
    run_the_draw(gift)
    assert "The draw is over" in fresh(client, path).content.decode()
