"""The console may never allow what the API refuses.

Each console action is paired with the API operation that does the same thing, and both are tried
by every kind of visitor: the store's owner, its staff, the owner of another store, a signed-in
shopper and an anonymous visitor. Where the API refuses (401, 403 or 404), the console must refuse
too (a redirect to log in, 403 or 404) and change nothing; where a domain rule refuses (400, 409),
the console changes nothing either; where the API allows, so does the console. The API's call is
rolled back before the console's, so both start from the same state.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from stores import services
from stores.models import Product, Store, StoreMember, WebhookDelivery, WebhookEndpoint
from stores.webhooks import services as webhook_services
from stores.webhooks.delivery import webhook_deliver
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

ROLES = ["owner", "staff", "other_owner", "shopper", "anonymous"]
API_REFUSALS = {401, 403, 404}


@dataclass
class World:
    store: object
    users: dict
    owner_member: object
    variant: object
    endpoint: object
    delivery: object  # a failed one: it may be sent again


def _failed_delivery(store, endpoint, owner):
    """Through the services, with no network: news the endpoint listens to, sent while it is paused."""
    webhook_services.webhook_emit(store=Store.objects.get(id=store.id), event_type="gift.paid", key="gift.paid:1",
                                  data={})
    webhook_services.webhook_endpoint_update(endpoint=endpoint, actor=owner, is_active=False)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert webhook_deliver(delivery_id=delivery.id) == "failed"
    webhook_services.webhook_endpoint_update(endpoint=endpoint, actor=owner, is_active=True)
    return delivery


@pytest.fixture
def world(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # receivers on loopback: no DNS here
    owner = UserFactory(username="olivia")
    staff = UserFactory(username="sam")
    other_owner = UserFactory(username="rita")
    shopper = UserFactory(username="shay")
    UserFactory(username="newbie")
    store = services.store_create(owner=owner, name="Tea House", slug="tea-house", ship_within_hours=48)
    services.store_member_add(store=store, actor=owner, username="sam", role=StoreMember.Role.STAFF)
    services.store_create(owner=other_owner, name="Rival", slug="rival")
    product = services.product_create(
        store=store,
        actor=member_of(store),
        title="Teapot",
        variants=[{"name": "Small", "sku": "S-1", "price_minor": 12900, "stock": 3}],
    )
    endpoint = webhook_services.webhook_endpoint_create(
        store=store, actor=owner, url="http://127.0.0.1:9/hook", events=["gift.paid"]
    )
    return World(
        store=store,
        users={"owner": owner, "staff": staff, "other_owner": other_owner, "shopper": shopper, "anonymous": None},
        owner_member=store.members.get(user=owner),
        variant=product.variants.get(),
        endpoint=endpoint,
        delivery=_failed_delivery(store, endpoint, owner),
    )


@dataclass
class Action:
    name: str
    api: Callable  # (APIClient, World) -> response
    console: Callable  # (Client, World) -> response
    state: Callable  # World -> a value that a refused action leaves as it was


def _store_state(w):
    w.store.refresh_from_db()
    return (w.store.name, w.store.ship_within_hours, w.store.is_active)


def _team_state(w):
    return sorted(w.store.members.values_list("user__username", "role"))


def _webhooks_state(w):
    endpoints = WebhookEndpoint.objects.filter(store=w.store)
    return sorted(endpoints.values_list("id", "url", "events", "is_active", "secret"))


def _delivery_state(w):
    return tuple(WebhookDelivery.objects.filter(id=w.delivery.id).values_list("status", "resends")[0])


def _webhook(name, **kwargs):
    return reverse(f"console:{name}", kwargs=kwargs)


ACTIONS = [
    Action(
        "store settings: rename, 720 h, close",
        api=lambda c, w: c.patch(f"/api/v1/merchant/stores/{w.store.slug}/",
                                 {"name": "Renamed", "ship_within_hours": 720, "is_active": False}, format="json"),
        console=lambda c, w: c.post(reverse("console:store_settings", kwargs={"slug": w.store.slug}),
                                    {"name": "Renamed", "description": "", "ship_within_hours": 720}),
        state=_store_state,
    ),
    Action(
        "store settings: the page",
        api=lambda c, w: c.patch(f"/api/v1/merchant/stores/{w.store.slug}/", {}, format="json"),
        console=lambda c, w: c.get(reverse("console:store_settings", kwargs={"slug": w.store.slug})),
        state=_store_state,
    ),
    Action(
        "team: the list",
        api=lambda c, w: c.get(f"/api/v1/merchant/stores/{w.store.slug}/members/"),
        console=lambda c, w: c.get(reverse("console:team", kwargs={"slug": w.store.slug})),
        state=_team_state,
    ),
    Action(
        "team: add an owner",
        api=lambda c, w: c.post(f"/api/v1/merchant/stores/{w.store.slug}/members/",
                                {"username": "newbie", "role": "owner"}, format="json"),
        console=lambda c, w: c.post(reverse("console:team", kwargs={"slug": w.store.slug}),
                                    {"username": "newbie", "role": "owner"}),
        state=_team_state,
    ),
    Action(
        "team: remove the owner",
        api=lambda c, w: c.delete(f"/api/v1/merchant/stores/{w.store.slug}/members/{w.owner_member.id}/"),
        console=lambda c, w: c.post(reverse("console:team_remove",
                                            kwargs={"slug": w.store.slug, "member_id": w.owner_member.id})),
        state=_team_state,
    ),
    Action(
        "product: create",
        api=lambda c, w: c.post(f"/api/v1/merchant/stores/{w.store.slug}/products/",
                                {"title": "Cup", "description": "", "giftable": True,
                                 "variants": [{"name": "One", "sku": "CUP-1", "price_minor": 900, "stock": 1}]},
                                format="json"),
        console=lambda c, w: c.post(reverse("console:product_create", kwargs={"slug": w.store.slug}),
                                    {"title": "Cup", "description": "", "giftable": "on", "is_active": "on",
                                     "variant_name": "One", "sku": "CUP-1", "price": "9.00", "stock": 1}),
        state=lambda w: Product.objects.filter(store=w.store).count(),
    ),
    Action(
        "webhooks: the list",
        api=lambda c, w: c.get(f"/api/v1/merchant/stores/{w.store.slug}/webhooks/"),
        console=lambda c, w: c.get(_webhook("webhooks", slug=w.store.slug)),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: add an endpoint",
        api=lambda c, w: c.post(f"/api/v1/merchant/stores/{w.store.slug}/webhooks/",
                                {"url": "http://127.0.0.1:9/new", "events": ["order.paid"]}, format="json"),
        console=lambda c, w: c.post(_webhook("webhooks", slug=w.store.slug),
                                    {"url": "http://127.0.0.1:9/new", "events": ["order.paid"]}),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: the endpoint and its delivery log",
        api=lambda c, w: c.get(f"/api/v1/merchant/webhooks/{w.endpoint.id}/deliveries/"),
        console=lambda c, w: c.get(_webhook("webhook", endpoint_id=w.endpoint.id)),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: pause an endpoint, other events",
        api=lambda c, w: c.patch(f"/api/v1/merchant/webhooks/{w.endpoint.id}/",
                                 {"events": ["shipment.updated"], "is_active": False}, format="json"),
        console=lambda c, w: c.post(_webhook("webhook", endpoint_id=w.endpoint.id), {"events": ["shipment.updated"]}),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: rotate the secret",
        api=lambda c, w: c.post(f"/api/v1/merchant/webhooks/{w.endpoint.id}/rotate-secret/"),
        console=lambda c, w: c.post(_webhook("webhook_rotate", endpoint_id=w.endpoint.id)),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: remove an endpoint",
        api=lambda c, w: c.delete(f"/api/v1/merchant/webhooks/{w.endpoint.id}/"),
        console=lambda c, w: c.post(_webhook("webhook_delete", endpoint_id=w.endpoint.id)),
        state=_webhooks_state,
    ),
    Action(
        "webhooks: send a failed delivery again",
        api=lambda c, w: c.post(f"/api/v1/merchant/webhook-deliveries/{w.delivery.id}/resend/"),
        console=lambda c, w: c.post(_webhook("webhook_delivery_resend", delivery_id=w.delivery.id)),
        state=_delivery_state,
    ),
    Action(
        "variant: change price and stock",
        api=lambda c, w: c.patch(f"/api/v1/merchant/variants/{w.variant.id}/", {"price_minor": 100, "stock": 9},
                                 format="json"),
        console=lambda c, w: c.post(reverse("console:variant", kwargs={"variant_id": w.variant.id}),
                                    {"name": "Small", "sku": "S-1", "price": "1.00", "stock": 9, "stock_seen": 3}),
        state=lambda w: tuple(type(w.variant).objects.filter(id=w.variant.id).values_list("price_minor", "stock")[0]),
    ),
]


def _api_client(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _console_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class _Undo(Exception):
    pass


def _try_and_undo(call):
    """The response of `call()`, with everything it wrote rolled back."""
    response = None
    try:
        with transaction.atomic():
            response = call()
            raise _Undo
    except _Undo:
        pass
    return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_the_console_refuses_what_the_api_refuses(world, action, role):
    user = world.users[role]
    before = action.state(world)

    api = _try_and_undo(lambda: action.api(_api_client(user), world))
    assert action.state(world) == before

    console = action.console(_console_client(user), world)

    if api.status_code in API_REFUSALS:
        login = console.status_code == 302 and reverse("accounts:login") in console["Location"]
        assert console.status_code in (403, 404) or (role == "anonymous" and login), (
            f"{action.name} as {role}: the API says {api.status_code}, the console {console.status_code}"
        )
        assert action.state(world) == before, f"{action.name} as {role}: the console changed what the API refused"
    elif api.status_code >= 400:  # a domain rule said no (the last owner cannot leave): the console changes nothing
        assert action.state(world) == before, f"{action.name} as {role}: the console did what the API refused"
    else:
        assert console.status_code in (200, 302), f"{action.name} as {role}: the API allows, the console refuses"


def test_the_matrix_sees_the_staff_refusals(world):
    """The matrix can fail: staff are refused the owners' actions by the API, so the console is held to it."""
    client = _api_client(world.users["staff"])
    assert client.patch(f"/api/v1/merchant/stores/{world.store.slug}/", {"name": "x"}, format="json").status_code == 403
    assert client.get(f"/api/v1/merchant/stores/{world.store.slug}/members/").status_code == 403
    assert client.get(f"/api/v1/merchant/stores/{world.store.slug}/webhooks/").status_code == 403
    assert client.post(f"/api/v1/merchant/webhook-deliveries/{world.delivery.id}/resend/").status_code == 403
