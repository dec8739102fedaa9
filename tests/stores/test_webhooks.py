"""Merchant webhooks, end to end through the real services, the outbox and a real HTTP receiver on
loopback: what is emitted, how it is signed (checked with the published `standardwebhooks`
library), retried, given up on, rotated, and which URLs may ever be called."""

import json
import time
from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gifts.services.claims import claim_accept, claim_thank
from giftshop.errors import PermissionDenied
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_relay
from stores.models import Store, WebhookDelivery
from stores.webhooks import services
from stores.webhooks.delivery import MAX_ATTEMPTS, RETRY_SCHEDULE
from stores.webhooks.safety import UnsafeUrl, webhook_target
from stores.webhooks.signing import signed_headers
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift
from tests.stores.webhook_receiver import start_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback, over http
    receiver, stop = start_receiver()
    yield receiver
    stop()


@pytest.fixture
def variant():
    return VariantFactory(stock=10, price_minor=2500)


def endpoint_for(variant, url, events=services.EVENT_TYPES):
    store = variant.product.store
    return services.webhook_endpoint_create(store=store, actor=member_of(store), url=url, events=list(events))


def verified(endpoint_secret, request):
    return Webhook(endpoint_secret).verify(request.body, request.headers)


def test_a_gift_told_from_payment_to_thanks_arrives_signed_in_order_with_no_private_data(receiver, variant):
    # given an endpoint that listens to every event
    endpoint = endpoint_for(variant, receiver.url)
    friend = UserFactory(display_name="Mei Lin")
    address = AddressFactory(user=friend, is_default=True)

    # when a gift is paid, claimed and thanked for
    gift = paid_gift(sender=UserFactory(display_name="Wei"), variant=variant, message="For the tea lover")
    claim = claim_accept(gift=gift, user=friend, address_id=address.id)
    claim_thank(gift=gift, user=friend, note="Thank you so much")
    drain_outbox()

    # then each news arrived once, verified by the standard library with the endpoint's secret
    bodies = [verified(endpoint.secret, r) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["order.paid", "gift.paid", "gift.claimed", "gift.thanked"]
    paid = bodies[1]["data"]["gift"]
    assert paid["id"] == gift.id and paid["status"] == "open" and paid["quantity"] == 1
    assert bodies[2]["data"]["claim"] == {"id": claim.id, "status": "accepted", "variant_id": variant.id,
                                          "quantity": 1, "shipment_id": claim.shipment_id}
    assert bodies[0]["data"]["order"]["total_minor"] == 2500
    # and no name, message, note, address, phone or card link is in any of them
    raw = b" ".join(r.body for r in receiver.requests).decode()
    for private in ("Mei Lin", "Wei", "tea lover", "Thank you so much", address.street, address.phone, "/g/"):
        assert private not in raw
    # and the delivery log says so
    log = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {d.status for d in log} == {"succeeded"} and {d.last_status_code for d in log} == {200}
    assert receiver.requests[0].path == "/hooks/giftshop?src=test"


def test_the_same_news_told_twice_is_one_delivery(receiver, variant):
    endpoint = endpoint_for(variant, receiver.url, events=["gift.thanked"])
    friend = UserFactory()
    gift = paid_gift(sender=UserFactory(), variant=variant)
    claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)

    claim_thank(gift=gift, user=friend, note="Thanks!")
    claim_thank(gift=gift, user=friend, note="Thanks again, edited")
    drain_outbox()

    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    assert len(receiver.requests) == 1


def test_only_the_chosen_events_of_active_endpoints_are_sent(receiver, variant, settings):
    claimed_only = endpoint_for(variant, receiver.url, events=["gift.claimed"])
    paused = endpoint_for(variant, receiver.url, events=["gift.paid"])
    owner = member_of(variant.product.store)
    services.webhook_endpoint_update(endpoint=paused, actor=owner, is_active=False)

    paid_gift(sender=UserFactory(), variant=variant)
    drain_outbox()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.filter(endpoint__in=[claimed_only, paused]).exists()
    assert Store.objects.get(id=variant.product.store_id).webhook_events == ["gift.claimed"]


def test_a_store_that_listens_to_nothing_writes_nothing(variant):
    paid_gift(sender=UserFactory(), variant=variant)

    assert not OutboxMessage.objects.filter(topic=services.TOPIC_DELIVER).exists()


def _make_due(delivery):
    """Jump to the next scheduled attempt (the schedule is in the database, not in a timer)."""
    OutboxMessage.objects.filter(topic=services.TOPIC_DELIVER, key=f"webhook:{delivery.id}").update(
        available_at=Now())


def test_a_failing_receiver_is_retried_on_schedule_then_succeeds_with_one_delivery(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[500, 503, 200])
    try:
        endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
        paid_gift(sender=UserFactory(), variant=variant)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)

        # the first attempt (made as the gift opened) failed: the next is due 5 s later
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
        assert abs((delivery.next_attempt_at - delivery.last_attempt_at) - RETRY_SCHEDULE[0]) < timedelta(seconds=2)
        assert outbox_relay()["claimed"] == 0  # not due yet

        _make_due(delivery)
        outbox_relay()
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert abs((delivery.next_attempt_at - delivery.last_attempt_at) - RETRY_SCHEDULE[1]) < timedelta(seconds=2)

        _make_due(delivery)
        outbox_relay()
        delivery.refresh_from_db()
    finally:
        stop()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.next_attempt_at) == (
        "succeeded", 3, 200, None)
    # the same message each time (receivers deduplicate on webhook-id), signed afresh each time
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 3
    assert all(verified(endpoint.secret, r) for r in receiver.requests)


def test_a_receiver_that_never_answers_well_is_given_up_after_the_last_scheduled_try(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[410])
    try:
        endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
        paid_gift(sender=UserFactory(), variant=variant)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        for _ in range(MAX_ATTEMPTS - 1):
            _make_due(delivery)
            outbox_relay()
        delivery.refresh_from_db()
    finally:
        stop()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert delivery.last_error == "HTTP 410"
    assert len(receiver.requests) == MAX_ATTEMPTS == 8
    assert sum(RETRY_SCHEDULE, timedelta()) > timedelta(hours=24)  # "retried for a day"
    message = OutboxMessage.objects.get(key=f"webhook:{delivery.id}")
    assert message.status == "delivered"  # the outbox's part is done; the delivery says it failed


def test_a_failed_delivery_sent_again_is_one_more_attempt_with_the_same_id(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[500] * MAX_ATTEMPTS + [204])
    try:
        endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
        paid_gift(sender=UserFactory(), variant=variant)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        for _ in range(MAX_ATTEMPTS - 1):
            _make_due(delivery)
            outbox_relay()
        delivery.refresh_from_db()
        assert delivery.status == "failed"

        services.webhook_delivery_resend(delivery=delivery, actor=member_of(endpoint.store))
        drain_outbox()
        delivery.refresh_from_db()
    finally:
        stop()
    assert (delivery.status, delivery.attempts, delivery.resends, delivery.last_status_code) == (
        "succeeded", MAX_ATTEMPTS + 1, 1, 204)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1


def test_a_pending_delivery_cannot_be_sent_again(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[500])
    try:
        endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
        paid_gift(sender=UserFactory(), variant=variant)
    finally:
        stop()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending"

    with pytest.raises(services.DeliveryInProgress):
        services.webhook_delivery_resend(delivery=delivery, actor=member_of(endpoint.store))


def test_tampered_stale_and_wrongly_keyed_deliveries_do_not_verify(receiver, variant):
    endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
    paid_gift(sender=UserFactory(), variant=variant)
    [request] = receiver.requests
    hook = Webhook(endpoint.secret)
    assert hook.verify(request.body, request.headers)["type"] == "gift.paid"

    tampered = request.body.replace(b'"quantity":1', b'"quantity":9')
    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        hook.verify(tampered, request.headers)
    stale = signed_headers(secrets_=[endpoint.secret], msg_id=request.headers["webhook-id"],
                           timestamp=int(time.time()) - 600, body=request.body)
    with pytest.raises(WebhookVerificationError, match="too old"):
        hook.verify(request.body, stale)
    other = endpoint_for(variant, receiver.url, events=["gift.paid"])
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, request.headers)


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new(receiver, variant):
    endpoint = endpoint_for(variant, receiver.url, events=["gift.paid", "gift.claimed"])
    old_secret = endpoint.secret
    rotated = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=member_of(endpoint.store))
    assert rotated.secret.startswith("whsec_") and rotated.secret != old_secret

    gift = paid_gift(sender=UserFactory(), variant=variant)
    [during] = receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(old_secret, during) and verified(rotated.secret, during)

    type(rotated).objects.filter(id=rotated.id).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    friend = UserFactory()
    claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)
    drain_outbox()
    after = receiver.requests[-1]
    assert json.loads(after.body)["type"] == "gift.claimed"
    assert verified(rotated.secret, after)
    with pytest.raises(WebhookVerificationError):
        verified(old_secret, after)


@pytest.mark.parametrize("url", [
    "http://93.184.216.34/hook",  # not https
    "https://127.0.0.1/hook",
    "https://localhost:8443/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://172.16.5.5/hook",
    "https://169.254.169.254/latest/meta-data",  # cloud metadata
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://user:pass@93.184.216.34/hook",
    "ftp://93.184.216.34/hook",
    "https://no-such-host.invalid/hook",
    "https://[not-an-ip/hook",
])
def test_unsafe_urls_are_refused_at_registration(url, variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    store = variant.product.store

    with pytest.raises(services.UnsafeWebhookUrl) as refused:
        services.webhook_endpoint_create(store=store, actor=member_of(store), url=url, events=["gift.paid"])

    assert refused.value.code == "unsafe_url" and "url" in refused.value.fields
    assert not store.webhook_endpoints.exists()


def test_a_public_https_address_is_accepted_and_pinned(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    target = webhook_target("https://93.184.216.34:8443/hooks?x=1")

    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https", "93.184.216.34", 8443, "/hooks?x=1", "93.184.216.34")


def test_an_address_that_turned_private_after_registration_is_not_called(receiver, variant, settings):
    # given an endpoint registered while private addresses were allowed (think: a DNS answer that
    # was public then, and points inside the network now)
    endpoint = endpoint_for(variant, receiver.url, events=["gift.paid"])
    settings.WEBHOOK_ALLOW_PRIVATE = False

    # when an event is delivered
    paid_gift(sender=UserFactory(), variant=variant)

    # then the delivery-time check refused it: nothing reached the address
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending" and delivery.last_error.startswith("unsafe_url")
    with pytest.raises(UnsafeUrl):
        webhook_target(endpoint.url)


def test_store_events_follow_the_endpoints(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    store = variant.product.store
    owner = member_of(store)
    first = services.webhook_endpoint_create(store=store, actor=owner, url="http://127.0.0.1:9/a",
                                             events=["shipment.updated", "gift.paid"])
    second = services.webhook_endpoint_create(store=store, actor=owner, url="http://127.0.0.1:9/b",
                                              events=["order.paid"])
    store.refresh_from_db()
    assert store.webhook_events == ["gift.paid", "order.paid", "shipment.updated"]

    services.webhook_endpoint_update(endpoint=first, actor=owner, events=["gift.declined"])
    services.webhook_endpoint_delete(endpoint=second, actor=owner)
    store.refresh_from_db()
    assert store.webhook_events == ["gift.declined"]


def test_staff_may_not_manage_webhooks(variant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    store = variant.product.store
    staff = UserFactory()
    store.members.create(user=staff, role="staff")
    endpoint = services.webhook_endpoint_create(store=store, actor=member_of(store), url="http://127.0.0.1:9/a",
                                                events=["gift.paid"])

    for attempt in (
        lambda: services.webhook_endpoint_create(store=store, actor=staff, url="http://127.0.0.1:9/b",
                                                 events=["gift.paid"]),
        lambda: services.webhook_endpoint_update(endpoint=endpoint, actor=staff, is_active=False),
        lambda: services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=staff),
        lambda: services.webhook_endpoint_delete(endpoint=endpoint, actor=staff),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    endpoint.refresh_from_db()
    assert endpoint.is_active and store.webhook_endpoints.count() == 1
