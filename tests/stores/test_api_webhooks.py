"""The webhook endpoints API (API.md, merchant): owners only, the secret shown once, unsafe URLs
refused with `unsafe_url`, the delivery log and resend."""

import pytest

from stores.models import WebhookDelivery
from tests.conftest import api_client_for
from tests.factories import StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift
from tests.stores.webhook_receiver import start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def owner_api(store):
    return api_client_for(member_of(store))


def hooks_url(store):
    return f"/api/v1/merchant/stores/{store.slug}/webhooks/"


def test_an_owner_registers_an_endpoint_and_sees_its_secret_only_then(store, owner_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    created = owner_api.post(hooks_url(store), {"url": "https://93.184.216.34/hooks", "events": [
        "gift.claimed", "gift.paid"]}, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["gift.paid", "gift.claimed"]  # in the documented order
    listed = owner_api.get(hooks_url(store)).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    detail = owner_api.get(f"/api/v1/merchant/webhooks/{body['id']}/").json()
    assert "secret" not in detail and body["secret"] not in str(detail)
    rotated = owner_api.post(f"/api/v1/merchant/webhooks/{body['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]


@pytest.mark.parametrize("url", ["https://127.0.0.1/x", "http://93.184.216.34/x", "https://10.0.0.8/x"])
def test_an_unsafe_url_is_a_400_unsafe_url(store, owner_api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    refused = owner_api.post(hooks_url(store), {"url": url, "events": ["gift.paid"]}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "unsafe_url" and "url" in refused.json()["fields"]
    assert not store.webhook_endpoints.exists()


@pytest.mark.parametrize("events", [[], ["gift.opened"], "gift.paid", [1], None])
def test_events_must_be_known(store, owner_api, events):
    refused = owner_api.post(hooks_url(store), {"url": "https://93.184.216.34/x", "events": events}, format="json")

    assert refused.status_code == 400
    assert any(field.split(".")[0] == "events" for field in refused.json()["fields"]), refused.json()


def test_staff_get_403_and_strangers_404_on_every_webhook_operation(store, owner_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    endpoint_id = owner_api.post(hooks_url(store), {"url": "http://127.0.0.1:9/x", "events": ["gift.paid"]},
                                 format="json").json()["id"]
    staff = UserFactory()
    store.members.create(user=staff, role="staff")
    calls = [
        ("get", hooks_url(store), None),
        ("post", hooks_url(store), {"url": "http://127.0.0.1:9/y", "events": ["gift.paid"]}),
        ("get", f"/api/v1/merchant/webhooks/{endpoint_id}/", None),
        ("patch", f"/api/v1/merchant/webhooks/{endpoint_id}/", {"is_active": False}),
        ("post", f"/api/v1/merchant/webhooks/{endpoint_id}/rotate-secret/", None),
        ("get", f"/api/v1/merchant/webhooks/{endpoint_id}/deliveries/", None),
        ("delete", f"/api/v1/merchant/webhooks/{endpoint_id}/", None),
    ]
    for who, expected in ((staff, 403), (member_of(StoreFactory()), 404)):
        api = api_client_for(who)
        answers = [getattr(api, method)(url, data, format="json").status_code for method, url, data in calls]
        assert answers == [expected] * len(calls), (who, answers)
    assert store.webhook_endpoints.get().is_active


def test_the_delivery_log_and_resend(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[500, 200])
    variant = VariantFactory(stock=5)
    store = variant.product.store
    api = api_client_for(member_of(store))
    try:
        endpoint = api.post(hooks_url(store), {"url": receiver.url, "events": ["gift.paid"]}, format="json").json()
        paid_gift(sender=UserFactory(), variant=variant)
        log = api.get(f"/api/v1/merchant/webhooks/{endpoint['id']}/deliveries/").json()
        [row] = log["results"]
        assert (row["event_type"], row["status"], row["attempts"], row["last_status_code"]) == (
            "gift.paid", "pending", 1, 500)
        assert row["next_attempt_at"] and row["event_id"].startswith("msg_")
        assert api.post(f"/api/v1/merchant/webhook-deliveries/{row['id']}/resend/").json()["code"] == (
            "delivery_pending")

        WebhookDelivery.objects.filter(id=row["id"]).update(status="failed")
        resent = api.post(f"/api/v1/merchant/webhook-deliveries/{row['id']}/resend/")
        assert resent.status_code == 202 and resent.json()["status"] == "pending"
        drain_outbox()
    finally:
        stop()
    failed_only = api.get(f"/api/v1/merchant/webhooks/{endpoint['id']}/deliveries/?status=failed").json()
    assert failed_only["count"] == 0
    done = api.get(f"/api/v1/merchant/webhooks/{endpoint['id']}/deliveries/?status=succeeded").json()
    assert done["results"][0]["last_status_code"] == 200
    assert api.get(f"/api/v1/merchant/webhooks/{endpoint['id']}/deliveries/?status=odd").status_code == 400
    other = api_client_for(member_of(StoreFactory()))
    assert other.post(f"/api/v1/merchant/webhook-deliveries/{row['id']}/resend/").status_code == 404
