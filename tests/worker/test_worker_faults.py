"""Faults in a real Celery worker process (issue 9): a pool child killed with kill -9 in the middle
of a webhook delivery. Late acks with reject-on-worker-lost put the task back, a new child runs it,
and the delivery has its effect once (the receiver sees the same webhook-id twice and deduplicates
on it, as Standard Webhooks asks)."""

import os
import signal
import subprocess
import time

import pytest
from django.db import transaction

from giftshop.tasks import relay_outbox
from stores.models import WebhookDelivery
from stores.webhooks.services import webhook_emit, webhook_endpoint_create
from tests.factories import StoreFactory, member_of
from tests.stores.webhook_receiver import start_receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout  # noqa: S607  procps' pgrep from PATH
    return [int(p) for p in out.split()]


def emitted_delivery(url):
    store = StoreFactory()
    endpoint = webhook_endpoint_create(store=store, actor=member_of(store), url=url, events=["order.paid"])
    store.refresh_from_db()
    with transaction.atomic():
        webhook_emit(store=store, event_type="order.paid", key=f"order.paid:fault-{store.id}",
                     data={"order": {"id": store.id}})
    return WebhookDelivery.objects.get(endpoint=endpoint)


def wait_for(condition, seconds, every=0.25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def test_a_pool_child_killed_mid_delivery_has_its_task_put_back_and_delivers_once(celery_worker, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver, stop = start_receiver(answers=[200], hold_first=True)
    try:
        delivery = emitted_delivery(receiver.url)
        relay_outbox.delay()
        assert receiver.arrived.wait(30), celery_worker.log()[-3000:]
        [child] = pool_children(celery_worker.process.pid)

        os.kill(child, signal.SIGKILL)  # mid-request: the receiver holds the first POST open
        receiver.release.set()

        # Within the outbox's 30 s lease, and with no relay run: only the task put back can do it.
        def settled():
            delivery.refresh_from_db()
            return delivery.status != "pending"

        assert wait_for(settled, 25), (delivery.status, celery_worker.log()[-3000:])
    finally:
        stop()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert len(receiver.requests) == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert "WorkerLostError" in celery_worker.log() or "signal 9" in celery_worker.log()
