"""The authorization matrix: every route that takes an id, token, slug or reference, asked by every
actor (tests/authz/matrix.py lists the rows, tests/authz/world.py builds what they point at).

Each answer is checked for its status and then searched, field by field and as text:
- the recipient's street, phone and tracking number reach only the recipient and the store's
  members (never the sender, another user, another store or platform staff); the sender's own
  purchase address only the sender and the store; the other store's parcel only that store;
- where a row says so (the card, the claims, the recipient's parcel, packing slips), no price in any
  form: no `*_minor` money field and no amount in the text, for anyone;
- on the sender's gift views, no address, phone or tracking field at all;
- a refusal (400, 401, 403, 404, 409, a page's redirect to log in or its form again) changes
  nothing, nor does any GET, and the API's 404 is the plain `not_found` that a missing object gets;
  a success that should move something does;
- what the row says an actor must see is there (the controls that show the door opens).

The completeness test walks the URL resolver and fails on any route with a path parameter that is
neither in the matrix nor in its commented skip list.

The world is built once per module and every test runs in a transaction inside it that is rolled
back (as Django's TestCase.setUpTestData does), so the POSTs of one row never reach the next.
"""

import json
import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from gifts.models import Claim, Gift
from giftshop.models import OutboxMessage
from logistics.models import Address, Shipment
from orders.models import Order, Payment, Refund
from stores.models import Product, ProductImage, Store, StoreMember, Variant, WebhookDelivery, WebhookEndpoint
from tests.authz.matrix import ROWS, SKIPPED_PREFIXES, SKIPPED_ROUTES
from tests.authz.world import (
    ACTORS,
    ADDRESSEE,
    CITY,
    DISTRICT,
    OTHER_STORE_STREET,
    PHONE,
    POSTCODE,
    PRICE_KEYS,
    PRICE_TEXTS,
    SENDER_STREET,
    STREET,
    TRACKING,
    build_world,
)

# Who may read each secret, wherever it is shown.
READERS = {
    **{secret: {"recipient", "store_owner", "store_staff"}
       for secret in (STREET, PHONE, TRACKING, ADDRESSEE, CITY, DISTRICT, POSTCODE)},
    SENDER_STREET: {"sender", "store_owner", "store_staff"},
    OTHER_STORE_STREET: {"other_store_owner"},
}
# Fields a gift's sender never gets in a gift or card answer, whatever their value.
ADDRESS_KEYS = {"ship_to", "address", "recipient_name", "phone", "region", "city", "district", "street", "postal_code",
                "tracking_number", "carrier"}
TIMES = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")  # microseconds could spell anything
WATCHED = (Gift, Claim, Shipment, Address, Store, StoreMember, Product, Variant, ProductImage, WebhookEndpoint,
           WebhookDelivery, Order, Payment, Refund)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def fingerprint():
    """Every row of the models a request could move, and what was queued and mailed."""
    rows = tuple(tuple(model.objects.order_by("pk").values_list()) for model in WATCHED)
    return rows, OutboxMessage.objects.count(), len(mail.outbox)


def send(client, row, path, data):
    if row.method == "GET":
        return client.get(path)
    if row.fmt == "json":
        body = json.dumps(data) if data is not None else ""
        return client.generic(row.method, path, body, content_type="application/json")
    return client.post(path, data or {})  # a form, or multipart with files


def json_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from json_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_keys(inner)


def case_id(row, actor):
    return f"{row.label} as {'owner ' + actor if actor == row.owner else actor}"


CASES = [pytest.param(row, actor, id=case_id(row, actor)) for row in ROWS for actor in ACTORS]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "actor"), CASES)
def test_matrix(world, row, actor):
    path = row.path(world)
    assert resolve(path.split("?")[0]).route == row.route, "the row's path must reach the route it names"
    client = world.api(actor) if row.is_api else world.browser(actor)
    data = row.data(world) if row.data else None
    before = fingerprint()

    response = send(client, row, path, data)

    expected = row.expect[actor]
    assert response.status_code == expected, response.content[:500]
    text = TIMES.sub("<time>", response.content.decode("utf-8", errors="replace"))
    body = response.json() if row.is_api and response.content and "json" in response.get("Content-Type", "") else None

    for secret, readers in READERS.items():
        assert actor in readers or secret not in text, f"{actor} can see {secret!r}"
    if row.no_price:
        for price in PRICE_TEXTS:
            assert price not in text, f"{actor} can see the price ({price})"
        assert not set(PRICE_KEYS) & set(json_keys(body)), f"{actor} gets a price field"
    if row.sender_blind and actor == "sender":
        assert not ADDRESS_KEYS & set(json_keys(body)), "the sender gets an address or tracking field"

    sent_to_log_in = row.login_gated and actor == "anonymous"
    if expected in (400, 401, 403, 404, 409) or sent_to_log_in or actor in row.refused:
        assert fingerprint() == before, f"{actor} was refused, yet something changed"
    if row.method == "GET":
        assert fingerprint() == before, "a GET changed something (link previews and mail scanners fetch GETs)"
    if expected == 302 and row.login_gated:
        went_to_login = response["Location"].startswith("/accounts/login/")
        assert went_to_login == sent_to_log_in, response["Location"]
    if row.is_api and expected == 404:
        assert body["code"] == "not_found", body
    if row.is_api and expected == 401:
        assert body["code"] == "not_authenticated", body
    let_through = row.moves and not sent_to_log_in and actor not in row.refused
    if row.method != "GET" and let_through and expected in (200, 201, 202, 204, 302):
        assert fingerprint() != before, f"{actor} was let through, yet nothing moved (is the row's control real?)"
    if 200 <= expected < 300:
        for wanted in row.see.get(actor, ()):
            assert wanted in text, f"{actor} should see {wanted!r}"


# --- completeness ---------------------------------------------------------------------------------


def routes_with_parameters(resolver=None, prefix="", has_params=False):
    """Every route of the URL conf (as ResolverMatch.route spells it) with a parameter in its path."""
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = str(entry.pattern)
        # Joined as Django joins them (ResolverMatch.route): a nested regex loses its "^".
        route = prefix + (pattern[1:] if prefix and pattern.startswith("^") else pattern)
        params = has_params or bool(entry.pattern.regex.groupindex) or bool(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            yield from routes_with_parameters(entry, route, params)
        elif isinstance(entry, URLPattern) and params:
            yield route


def test_every_route_with_a_path_parameter_is_in_the_matrix():
    in_matrix = {row.route for row in ROWS}
    missing = [
        route for route in routes_with_parameters()
        if route not in in_matrix and route not in SKIPPED_ROUTES and not route.startswith(SKIPPED_PREFIXES)
    ]

    assert not missing, f"routes with a path parameter that the matrix does not ask: {missing}"


def test_the_skip_list_names_real_routes():
    """A skipped route that was renamed or removed must leave the list too."""
    assert SKIPPED_ROUTES <= set(routes_with_parameters())


def test_every_row_asks_every_actor():
    for row in ROWS:
        assert set(row.expect) == set(ACTORS), row.label
