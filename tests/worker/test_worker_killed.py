"""The whole worker killed with kill -9 (main process and pool) in the middle of a webhook
delivery, then a new worker started (issue 9). Nothing acknowledged the task: with Redis its message
comes back after the visibility timeout; with the filesystem broker, the outbox's lease brings the
message back to the relay (what the beat runs). Either way the delivery has its effect once.

This module starts its own workers (not the shared `celery_worker`), so the doomed one is the only
worker that can take the task."""

import os
import signal

import pytest

from giftshop.models import OutboxMessage
from giftshop.tasks import relay_outbox
from tests.stores.webhook_receiver import start_receiver
from tests.worker.conftest import current_database_url, start_worker, stop_worker
from tests.worker.test_worker_faults import emitted_delivery, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The lease (30 s) or the visibility timeout (25 s in the test settings), and a start-up.
COMES_BACK_SECONDS = 75


def test_a_worker_killed_outright_mid_delivery_delivers_once_after_a_new_one_starts(
    django_db_blocker, tmp_path, settings
):
    from giftshop.celery import app

    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback (the workers get it from their env)
    url = current_database_url(django_db_blocker)
    if settings.REDIS_URL:
        app.control.purge()
    receiver, stop = start_receiver(answers=[200], hold_first=True)
    doomed = start_worker(tmp_path, url, name="doomed")
    survivor = None
    try:
        delivery = emitted_delivery(receiver.url)
        relay_outbox.delay()
        assert receiver.arrived.wait(30), doomed.log()[-3000:]

        os.killpg(doomed.process.pid, signal.SIGKILL)  # the main process and its pool, at once
        doomed.process.wait(10)
        receiver.release.set()
        survivor = start_worker(tmp_path, url, name="survivor")

        def settled():
            relay_outbox.delay()  # the beat's job, every couple of seconds
            delivery.refresh_from_db()
            return delivery.status != "pending"

        assert wait_for(settled, COMES_BACK_SECONDS, every=2), (delivery.status, survivor.log()[-3000:])
    finally:
        stop()
        stop_worker(doomed.process)
        if survivor is not None:
            stop_worker(survivor.process)
    assert (delivery.status, delivery.last_status_code) == ("succeeded", 200)
    assert len(receiver.requests) >= 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert OutboxMessage.objects.get(key=f"webhook:{delivery.id}").status == "delivered"
