"""The merchant console's webhook pages through the HTTP client: owners add, change, rotate and
remove endpoints and read their delivery log; the store's staff get 403 and everyone else 404, as
in the API (the matrix in test_console_matches_api.py holds the two together); a secret is shown
once; the pages speak Chinese."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from stores import services as store_services
from stores.models import Store, StoreMember, WebhookDelivery, WebhookEndpoint
from stores.webhooks import services
from stores.webhooks.delivery import webhook_deliver
from tests.factories import UserFactory
from tests.stores.webhook_receiver import start_receiver

pytestmark = pytest.mark.django_db

HOOK_URL = "http://127.0.0.1:9/hooks/giftshop"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def private_urls_allowed(settings):
    """No DNS here: receivers are IP literals on loopback, which the embedded mode allows."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def owner():
    return UserFactory(username="olivia")


@pytest.fixture
def store(owner):
    return store_services.store_create(owner=owner, name="Tea House", slug="tea-house")


@pytest.fixture
def staff(store, owner):
    user = UserFactory(username="sam")
    store_services.store_member_add(store=store, actor=owner, username="sam", role=StoreMember.Role.STAFF)
    return user


@pytest.fixture
def stranger():
    """Rita owns a store of her own: a merchant, just not of this store."""
    rita = UserFactory(username="rita")
    store_services.store_create(owner=rita, name="Rival", slug="rival")
    return rita


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def endpoint(store, owner):
    return services.webhook_endpoint_create(store=store, actor=owner, url=HOOK_URL, events=["gift.paid", "order.paid"])


def emit(store, n=1, event_type="gift.paid"):
    """n pending deliveries of news the store's endpoints listen to."""
    store = Store.objects.get(id=store.id)  # with the webhook_events its endpoints keep
    start = WebhookDelivery.objects.count()
    for i in range(n):
        services.webhook_emit(store=store, event_type=event_type, key=f"{event_type}:{start + i}", data={"n": i})
    return WebhookDelivery.objects.order_by("-id").first()


@pytest.fixture
def receiver_500():
    receiver, stop = start_receiver(answers=(500,))
    yield receiver
    stop()


@pytest.fixture
def failed_delivery(store, owner, receiver_500):
    """One delivery that a real receiver answered with HTTP 500, sent once: failed."""
    endpoint = services.webhook_endpoint_create(store=store, actor=owner, url=receiver_500.url, events=["gift.paid"])
    delivery = emit(store)
    assert webhook_deliver(delivery_id=delivery.id, once=True) == "failed"
    delivery.refresh_from_db()
    assert delivery.endpoint_id == endpoint.id and delivery.last_status_code == 500
    return delivery


# --- access: owners only, as in the API ---------------------------------------------------------


def webhook_requests(store, endpoint, delivery):
    body = {"url": "http://127.0.0.1:9/other", "events": ["gift.paid"], "description": "x"}
    return [
        ("GET", reverse("console:webhooks", kwargs={"slug": store.slug}), None),
        ("POST", reverse("console:webhooks", kwargs={"slug": store.slug}), body),
        ("GET", reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}), None),
        ("GET", reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}) + "?status=failed", None),
        ("POST", reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}), {"events": ["order.paid"]}),
        ("POST", reverse("console:webhook_rotate", kwargs={"endpoint_id": endpoint.id}), {}),
        ("POST", reverse("console:webhook_delete", kwargs={"endpoint_id": endpoint.id}), {}),
        ("POST", reverse("console:webhook_delivery_resend", kwargs={"delivery_id": delivery.id}), {}),
    ]


def webhook_state(store):
    return (
        sorted(WebhookEndpoint.objects.filter(store=store).values_list("id", "url", "events", "is_active", "secret")),
        sorted(WebhookDelivery.objects.values_list("id", "status", "resends")),
    )


@pytest.mark.parametrize("who, status", [("staff", 403), ("stranger", 404)])
def test_staff_get_403_and_others_404_on_every_webhook_page_and_nothing_changes(
    request, store, failed_delivery, who, status
):
    # given
    client = client_for(request.getfixturevalue(who))
    before = webhook_state(store)
    # when / then
    for method, url, body in webhook_requests(store, failed_delivery.endpoint, failed_delivery):
        response = client.get(url) if method == "GET" else client.post(url, body)
        assert response.status_code == status, (who, method, url)
        assert b"whsec_" not in response.content
    assert webhook_state(store) == before


def test_anonymous_is_sent_to_log_in(client, store, failed_delivery):
    for method, url, body in webhook_requests(store, failed_delivery.endpoint, failed_delivery):
        response = client.get(url) if method == "GET" else client.post(url, body)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_the_post_only_actions_refuse_a_get(owner_client, endpoint):
    for name in ("console:webhook_rotate", "console:webhook_delete"):
        assert owner_client.get(reverse(name, kwargs={"endpoint_id": endpoint.id})).status_code == 405
    assert WebhookEndpoint.objects.filter(id=endpoint.id, secret=endpoint.secret).exists()


def test_the_store_nav_shows_webhooks_to_owners_only(owner_client, store, staff):
    link = reverse("console:webhooks", kwargs={"slug": store.slug})
    assert link in owner_client.get(reverse("console:store", kwargs={"slug": store.slug})).content.decode()
    assert link not in client_for(staff).get(reverse("console:store", kwargs={"slug": store.slug})).content.decode()


# --- the list and adding an endpoint ----------------------------------------------------------------


def test_the_empty_list_explains_webhooks(owner_client, store):
    response = owner_client.get(reverse("console:webhooks", kwargs={"slug": store.slug}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Webhooks tell your own systems" in html and "Merchant webhooks" in html
    assert reverse("api-docs") in html
    assert 'value="shipment.updated"' in html and "A parcel was dispatched or moved on its way." in html


def test_owner_adds_an_endpoint_and_sees_its_secret_once(owner_client, store):
    url = reverse("console:webhooks", kwargs={"slug": store.slug})
    # when
    response = owner_client.post(url, {"url": HOOK_URL, "events": ["order.paid", "gift.paid"], "description": "ERP"})
    # then: the secret is on this page only, never cached, never in a message or the session
    endpoint = WebhookEndpoint.objects.get(store=store)
    assert (endpoint.url, endpoint.events, endpoint.description) == (HOOK_URL, ["gift.paid", "order.paid"], "ERP")
    assert response.status_code == 200
    html = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and f'value="{endpoint.secret}"' in html
    assert 'data-copy="webhook-secret"' in html and "you will not see it again" in html
    assert "no-store" in response["Cache-Control"]
    assert not any(endpoint.secret in m for m in messages_of(response))
    assert not any(endpoint.secret in str(v) for v in owner_client.session.values())
    # and: the list and the endpoint's page never show it again
    again = owner_client.get(url).content.decode()
    assert HOOK_URL in again and "ERP" in again and "gift.paid" in again
    assert endpoint.secret not in again and "whsec_" not in again
    page = owner_client.get(reverse("console:webhook", kwargs={"endpoint_id": endpoint.id})).content.decode()
    assert "whsec_" not in page
    assert Store.objects.get(id=store.id).webhook_events == ["gift.paid", "order.paid"]


def test_an_unsafe_url_is_refused_on_the_form_and_nothing_is_made(owner_client, store, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    response = owner_client.post(
        reverse("console:webhooks", kwargs={"slug": store.slug}),
        {"url": "https://127.0.0.1/x", "events": ["gift.paid"]},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["url"] == ["The URL points to a private or loopback address."]
    assert "private or loopback" in response.content.decode() and b"whsec_" not in response.content
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event(owner_client, store):
    response = owner_client.post(reverse("console:webhooks", kwargs={"slug": store.slug}), {"url": HOOK_URL})

    assert response.context["form"].errors["events"] == ["Choose at least one event."]
    assert not WebhookEndpoint.objects.exists()


# --- one endpoint: settings, rotation, removal ---------------------------------------------------


def test_owner_pauses_an_endpoint_and_changes_its_events(owner_client, store, endpoint):
    response = owner_client.post(
        reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}),
        {"events": ["shipment.updated"], "description": "warehouse"},  # "active" unticked
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Endpoint settings saved."]
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.description, endpoint.is_active) == (["shipment.updated"], "warehouse", False)
    assert Store.objects.get(id=store.id).webhook_events == []  # a paused endpoint hears nothing
    assert "paused" in owner_client.get(response["Location"]).content.decode()


def test_rotating_shows_a_new_secret_once_and_keeps_the_old_for_a_day(owner_client, endpoint):
    old = endpoint.secret
    page = reverse("console:webhook", kwargs={"endpoint_id": endpoint.id})
    assert "old secret keeps working for 24 hours" in owner_client.get(page).content.decode()

    response = owner_client.post(reverse("console:webhook_rotate", kwargs={"endpoint_id": endpoint.id}))

    endpoint.refresh_from_db()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert endpoint.secret != old and endpoint.previous_secret == old
    html = response.content.decode()
    assert f'value="{endpoint.secret}"' in html and old not in html
    assert "24 hours" in html and "you will not see it again" in html
    assert "whsec_" not in owner_client.get(page).content.decode()


def test_owner_removes_an_endpoint(owner_client, store, endpoint):
    emit(store)

    response = owner_client.post(reverse("console:webhook_delete", kwargs={"endpoint_id": endpoint.id}))

    assert response.status_code == 302
    assert response["Location"] == reverse("console:webhooks", kwargs={"slug": store.slug})
    assert messages_of(response) == [f"The endpoint {HOOK_URL} was removed; it hears nothing more."]
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert Store.objects.get(id=store.id).webhook_events == []
    assert owner_client.get(reverse("console:webhook", kwargs={"endpoint_id": endpoint.id})).status_code == 404


# --- the delivery log and sending again ------------------------------------------------------


def test_the_delivery_log_shows_how_sending_went(owner_client, failed_delivery):
    response = owner_client.get(reverse("console:webhook", kwargs={"endpoint_id": failed_delivery.endpoint_id}))

    html = response.content.decode()
    assert "gift.paid" in html and "HTTP 500" in html and failed_delivery.event_id in html
    assert ">failed<" in html
    assert reverse("console:webhook_delivery_resend", kwargs={"delivery_id": failed_delivery.id}) in html


def test_resending_a_failed_delivery_says_it_will_be_sent(owner_client, failed_delivery):
    url = reverse("console:webhook_delivery_resend", kwargs={"delivery_id": failed_delivery.id})

    response = owner_client.post(url, {"status": "failed"})

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("console:webhook", kwargs={"endpoint_id": failed_delivery.endpoint_id}) + "?status=failed"
    )
    assert messages_of(response) == ["The gift.paid event will be sent again in a moment."]
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.resends) == (WebhookDelivery.Status.PENDING, 1)
    # and: while it is on its way there is no button to send it again
    page = owner_client.get(reverse("console:webhook", kwargs={"endpoint_id": failed_delivery.endpoint_id}))
    assert url not in page.content.decode()


def test_resending_a_pending_delivery_shows_the_409_message(owner_client, store, endpoint):
    delivery = emit(store)

    response = owner_client.post(reverse("console:webhook_delivery_resend", kwargs={"delivery_id": delivery.id}))

    assert response.status_code == 302
    assert messages_of(response) == [str(services.DeliveryInProgress.default_detail)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.resends) == (WebhookDelivery.Status.PENDING, 0)


def test_the_delivery_log_filters_by_status_newest_first(owner_client, store, failed_delivery):
    emit(store, n=2)  # two pending, newer than the failed one
    page = reverse("console:webhook", kwargs={"endpoint_id": failed_delivery.endpoint_id})

    everything = owner_client.get(page).context["page"].object_list
    failed = owner_client.get(page + "?status=failed").context["page"].object_list
    pending = owner_client.get(page + "?status=pending").context["page"].object_list
    unknown = owner_client.get(page + "?status=nonsense").context["page"].object_list

    assert [d.id for d in everything] == sorted((d.id for d in everything), reverse=True)
    assert len(everything) == 3 and [d.id for d in unknown] == [d.id for d in everything]
    assert [d.id for d in failed] == [failed_delivery.id]
    assert len(pending) == 2 and all(d.status == "pending" for d in pending)
    assert "No deliveries match this filter." in owner_client.get(page + "?status=succeeded").content.decode()


def test_the_delivery_log_is_paginated_with_its_filter_kept(owner_client, store, endpoint):
    emit(store, n=25)
    page = reverse("console:webhook", kwargs={"endpoint_id": endpoint.id})

    first = owner_client.get(page + "?status=pending")
    second = owner_client.get(page + "?status=pending&page=2")

    assert len(first.context["page"].object_list) == 20 and len(second.context["page"].object_list) == 5
    assert "?status=pending&amp;page=2" in first.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_query_count_does_not_grow_with_rows(owner_client, store, owner, endpoint):
    log, listing = (reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}),
                    reverse("console:webhooks", kwargs={"slug": store.slug}))
    emit(store)
    one = (_queries(owner_client, log), _queries(owner_client, listing))
    emit(store, n=19)
    for i in range(9):
        services.webhook_endpoint_create(store=store, actor=owner, url=f"{HOOK_URL}/{i}", events=["gift.paid"])
    many = (_queries(owner_client, log), _queries(owner_client, listing))
    assert many == one, "the webhook pages' queries grew with their rows: a query per row crept in"


# --- in Chinese --------------------------------------------------------------------------------


def test_the_webhook_pages_speak_chinese(owner_client, store, failed_delivery):
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    endpoint = failed_delivery.endpoint
    with translation.override("zh-hans"):
        failed_label = str(WebhookDelivery.Status.FAILED.label)
    assert failed_label != "failed"

    listing = owner_client.get(reverse("console:webhooks", kwargs={"slug": store.slug}), **zh).content.decode()
    log = owner_client.get(reverse("console:webhook", kwargs={"endpoint_id": endpoint.id}), **zh).content.decode()
    created = owner_client.post(
        reverse("console:webhooks", kwargs={"slug": store.slug}), {"url": HOOK_URL, "events": ["gift.paid"]}, **zh
    ).content.decode()
    refused = owner_client.post(reverse("console:webhook_delivery_resend", kwargs={"delivery_id": emit(store).id}),
                                **zh)

    assert '<html lang="zh-hans">' in listing and "添加端点" in listing and "礼物已付款" in listing
    assert "Add an endpoint" not in listing
    assert "轮换密钥" in log and "再次发送" in log and failed_label in log and "Send again" not in log
    assert "它不会再显示" in created and "you will not see it again" not in created
    assert messages_of(refused) == ["这次投递仍在发送中；等它成功或失败后才能再次发送。"]
