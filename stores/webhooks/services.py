"""Webhook endpoints (owners only, checked here with the actor) and the news they hear.

`webhook_emit` is called by gifts.events, orders.events and logistics.events in the transaction
that made the news. For each active endpoint of the store that listens to the event type it writes
one WebhookDelivery (one per event and endpoint: the event's business key is unique per endpoint)
and its outbox row, which stores.webhooks.delivery sends. A store that listens to nothing pays no
query: `Store.webhook_events`, kept here, says which types anyone listens to.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giftshop.errors import Conflict, InvalidInput
from giftshop.outbox import outbox_put
from giftshop.transitions import transition
from stores.models import Store, WebhookDelivery, WebhookEndpoint
from stores.selectors import ensure_store_owner
from stores.webhooks.safety import UnsafeUrl, webhook_target
from stores.webhooks.signing import event_id, secret_new

EVENT_TYPES = (
    "gift.paid",
    "gift.claimed",
    "gift.declined",
    "gift.expired",
    "gift.refunded",
    "gift.thanked",
    "order.paid",
    "shipment.updated",
)
MAX_ENDPOINTS_PER_STORE = 10
# After a rotation the old secret keeps signing too, so receivers can switch over without a gap.
ROTATION_OVERLAP = timedelta(hours=24)
TOPIC_DELIVER = "stores.webhook_deliver"


class UnsafeWebhookUrl(InvalidInput):
    code = "unsafe_url"


class DeliveryInProgress(Conflict):
    code = "delivery_pending"
    # Lazy: a class attribute is read at import, in no request's language (gifts/services/ship_by.py).
    default_detail = gettext_lazy(
        "This delivery is still being sent; it can be sent again once it has succeeded or failed."
    )


def _checked_url(url) -> str:
    url = (url or "").strip() if isinstance(url, str) else ""
    if not url or len(url) > 500:
        raise InvalidInput(_("Give the https URL of your receiver (up to 500 characters)."), field="url")
    try:
        webhook_target(url)
    except UnsafeUrl as exc:
        raise UnsafeWebhookUrl(str(exc), field="url") from None
    return url


def _checked_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events or not all(isinstance(e, str) for e in events):
        raise InvalidInput(_("Choose at least one event."), field="events")
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(_("Unknown event: %(events)s.") % {"events": ", ".join(unknown)}, field="events")
    return [e for e in EVENT_TYPES if e in events]


def _refresh_store_events(store_id: int) -> None:
    listened = set()
    for events in WebhookEndpoint.objects.filter(store_id=store_id, is_active=True).values_list("events", flat=True):
        listened.update(events)
    Store.objects.filter(id=store_id).update(webhook_events=[e for e in EVENT_TYPES if e in listened])


def _locked_store(store: Store) -> Store:
    """Endpoint changes of one store take turns (the count limit and webhook_events stay true)."""
    return Store.objects.select_for_update().get(id=store.id)


@transaction.atomic
def webhook_endpoint_create(*, store: Store, actor, url, events, description: str = "") -> WebhookEndpoint:
    """Returns the endpoint with its secret: the only time the secret is shown."""
    ensure_store_owner(store=store, actor=actor)
    url, events = _checked_url(url), _checked_events(events)
    _locked_store(store)
    if WebhookEndpoint.objects.filter(store=store).count() >= MAX_ENDPOINTS_PER_STORE:
        raise InvalidInput(_("A store can have up to %(n)d endpoints.") % {"n": MAX_ENDPOINTS_PER_STORE}, field="url")
    endpoint = WebhookEndpoint.objects.create(
        store=store, url=url, events=events, description=(description or "")[:200], secret=secret_new()
    )
    _refresh_store_events(store.id)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor, **fields) -> WebhookEndpoint:
    ensure_store_owner(store=endpoint.store, actor=actor)
    for name, value in fields.items():
        if name == "url":
            endpoint.url = _checked_url(value)
        elif name == "events":
            endpoint.events = _checked_events(value)
        elif name == "is_active":
            if not isinstance(value, bool):
                raise InvalidInput(_("Give true or false."), field=name)
            endpoint.is_active = value
        elif name == "description":
            endpoint.description = str(value or "")[:200]
        else:
            raise InvalidInput(_("This field cannot be changed."), field=name)
    _locked_store(endpoint.store)
    endpoint.save()
    _refresh_store_events(endpoint.store_id)
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor) -> WebhookEndpoint:
    """A new secret, shown once; the old one also signs for ROTATION_OVERLAP."""
    ensure_store_owner(store=endpoint.store, actor=actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint.id)
    endpoint.previous_secret, endpoint.secret = endpoint.secret, secret_new()
    endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    ensure_store_owner(store=endpoint.store, actor=actor)
    _locked_store(endpoint.store)
    store_id = endpoint.store_id
    endpoint.delete()  # its deliveries go with it; an outbox row left behind finds nothing to send
    _refresh_store_events(store_id)


def webhook_emit(*, store: Store, event_type: str, key: str, data: dict, occurred_at=None) -> int:
    """Tell the store's endpoints that `event_type` happened; `key` is the news' business key (the
    same news told twice is one delivery per endpoint). Returns how many deliveries were written."""
    if event_type not in EVENT_TYPES:
        raise LookupError(event_type)
    if event_type not in (store.webhook_events or ()):
        return 0
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(store_id=store.id, is_active=True).only("id", "events")
        if event_type in e.events
    ]
    body = {
        "type": event_type,
        "timestamp": (occurred_at or timezone.now()).isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    written = 0
    with transaction.atomic():
        for endpoint in endpoints:
            delivery, created = WebhookDelivery.objects.get_or_create(
                endpoint_id=endpoint.id, event_key=key,
                defaults={"event_id": event_id(key), "event_type": event_type, "body": body,
                          "next_attempt_at": Now()},
            )
            if created:
                outbox_put(topic=TOPIC_DELIVER, key=f"webhook:{delivery.id}", payload={"delivery_id": delivery.id})
                written += 1
    return written


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a delivered or failed event once more (same webhook-id: receivers deduplicate on it)."""
    ensure_store_owner(store=delivery.endpoint.store, actor=actor)
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(id=delivery.id)
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryInProgress()
    resends = delivery.resends + 1
    transition(delivery, WebhookDelivery.Status.PENDING, reason="sent again", actor=actor,
               extra={"resends": resends, "next_attempt_at": Now()})
    outbox_put(topic=TOPIC_DELIVER, key=f"webhook:{delivery.id}:resend:{resends}",
               payload={"delivery_id": delivery.id, "once": True})
    delivery.refresh_from_db()
    return delivery

