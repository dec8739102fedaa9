"""A merchant webhook through a real Celery worker process: the receiver fails once, the worker
retries on schedule, and the event arrives once more, with the same id, verified by the published
`standardwebhooks` library."""

import time

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from giftshop.tasks import relay_outbox
from stores.models import WebhookDelivery
from stores.webhooks.services import webhook_emit, webhook_endpoint_create
from tests.factories import StoreFactory, member_of
from tests.stores.webhook_receiver import start_receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 40


def test_a_failing_receiver_is_retried_by_the_worker_then_succeeds_with_one_delivery(celery_worker, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[503, 200])
    try:
        store = StoreFactory()
        endpoint = webhook_endpoint_create(store=store, actor=member_of(store), url=receiver.url,
                                           events=["order.paid"])
        store.refresh_from_db()
        with transaction.atomic():
            webhook_emit(store=store, event_type="order.paid", key="order.paid:test-1",
                         data={"order": {"id": 1, "kind": "purchase"}})
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)

        deadline = time.monotonic() + DEADLINE_SECONDS
        while delivery.status == "pending" and time.monotonic() < deadline:
            relay_outbox.delay()  # what the beat does every couple of seconds
            time.sleep(1)
            delivery.refresh_from_db()
    finally:
        stop()

    assert delivery.status == "succeeded", (delivery.last_error, celery_worker.log()[-3000:])
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert len(receiver.requests) == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    first, second = receiver.requests
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) >= 4  # the 5 s wait
    assert Webhook(endpoint.secret).verify(second.body, second.headers)["data"]["order"]["id"] == 1
