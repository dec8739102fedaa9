"""The broker is down while a gift is paid (issue 9). The payment's webhook is processed as ever:
the payment and the order are recorded, the news is an outbox row, and the nudge to the worker
fails quickly and quietly. Once the broker is back, the relay carries the news out: nothing is
lost, and the request never waited on the dead broker.

The paying happens in another process whose broker URL points at a port where nothing listens (the
real broker of this run stays up for the worker that comes after)."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from gifts.models import Gift
from giftshop.models import OutboxMessage
from giftshop.tasks import relay_outbox
from orders.models import Order, Payment
from tests.factories import UserFactory, VariantFactory
from tests.worker.conftest import current_database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
PAY = """
import json, time
import django
django.setup()
from accounts.models import User
from gifts.services.sending import gift_create
from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
gift = gift_create(sender=User.objects.get(id={sender}), variant_id={variant})
payment = gift.order.payments.get()
started = time.monotonic()
sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded")
sandbox_deliver_webhooks()
print(json.dumps({{"gift": gift.id, "seconds": time.monotonic() - started}}))
"""


def test_a_gift_paid_while_the_broker_is_down_opens_once_it_is_back(celery_worker, django_db_blocker):
    sender, variant = UserFactory(), VariantFactory(stock=3)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "giftshop.settings.test",
           "DATABASE_URL": current_database_url(django_db_blocker), "CELERY_BROKER_URL": DEAD_BROKER,
           "OUTBOX_KICK_ON_COMMIT": "true"}

    # when the sender pays while the broker cannot be reached
    done = subprocess.run([sys.executable, "-c", PAY.format(sender=sender.id, variant=variant.id)],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    # then the payment and the order are recorded, quickly, and the news waits in the outbox
    assert result["seconds"] < 5, result
    gift = Gift.objects.select_related("order").get(id=result["gift"])
    assert gift.order.status == Order.Status.PAID
    assert gift.order.payments.get().status == Payment.Status.SUCCEEDED
    assert gift.status == Gift.Status.PENDING_PAYMENT
    news = OutboxMessage.objects.get(key=f"gift-paid:{gift.order_id}")
    assert news.status == OutboxMessage.Status.PENDING
    assert "could not nudge the relay" in done.stderr

    # and once a relay runs on the live broker (the beat's job), the gift opens
    deadline = time.monotonic() + 30
    while gift.status != Gift.Status.OPEN and time.monotonic() < deadline:
        relay_outbox.delay()
        time.sleep(1)
        gift.refresh_from_db()
    assert gift.status == Gift.Status.OPEN, celery_worker.log()[-3000:]
    news.refresh_from_db()
    assert news.status == OutboxMessage.Status.DELIVERED
