"""The outbox through a real Celery worker process: commit, relay, deliver (DESIGN §6, §7)."""

import time
import uuid

import pytest
from django.db import transaction

from gifts.services.sending import gift_create
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_put
from giftshop.tasks import relay_outbox
from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
from tests.factories import UserFactory, VariantFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 30


def _wait_until_settled(message_id, worker):
    """Poll the row until the worker has carried it out (or the deadline passes)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        message = OutboxMessage.objects.get(id=message_id)
        if message.status != OutboxMessage.Status.PENDING:
            return message
        time.sleep(0.2)
    pytest.fail(f"not carried out within {DEADLINE_SECONDS} s; worker log:\n{worker.log()[-4000:]}")


def _mail_to(worker, address):
    return [path.read_text() for path in worker.mails() if f"To: {address}" in path.read_text()]


def test_a_committed_account_email_is_delivered_by_the_worker(celery_worker):
    # given a user, and an account email written to the outbox in a committed transaction
    user = UserFactory(username="carol", email="carol@example.com")
    with transaction.atomic():
        message = outbox_put(
            topic="accounts.email",
            key=f"test:{uuid.uuid4()}",
            payload={"to": [user.email], "subject": "Welcome to the tea house", "body": "Hello Carol"},
        )
    # when the relay is asked to run (what the beat does every few seconds)
    relay_outbox.delay()
    # then within 30 s the real worker has sent the mail and marked the message delivered
    settled = _wait_until_settled(message.id, celery_worker)
    assert settled.status == OutboxMessage.Status.DELIVERED, settled.last_error
    assert settled.delivered_at is not None
    mails = _mail_to(celery_worker, "carol@example.com")
    assert len(mails) == 1
    assert "Subject: Welcome to the tea house" in mails[0] and "Hello Carol" in mails[0]


def test_a_password_reset_reaches_the_inbox_through_the_worker(celery_worker, client):
    # given a user who forgot their password
    UserFactory(username="dora", email="dora@example.com")
    # when they ask for a reset link on the page, and the relay runs
    response = client.post("/accounts/password/reset/", {"email": "dora@example.com"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get(topic="accounts.email", payload__to=["dora@example.com"])
    relay_outbox.delay()
    # then the worker sends the mail, with a reset link
    settled = _wait_until_settled(message.id, celery_worker)
    assert settled.status == OutboxMessage.Status.DELIVERED, settled.last_error
    mails = _mail_to(celery_worker, "dora@example.com")
    assert len(mails) == 1
    assert "/accounts/password/reset/" in mails[0]


def test_a_message_that_can_never_be_sent_goes_dead_in_the_worker(celery_worker):
    # given an account email without any recipient (retrying cannot help)
    with transaction.atomic():
        message = outbox_put(topic="accounts.email", key=f"test:{uuid.uuid4()}", payload={"subject": "nobody"})
    # when the relay runs
    relay_outbox.delay()
    # then the worker marks it dead at once, with the reason, and sends nothing
    settled = _wait_until_settled(message.id, celery_worker)
    assert settled.status == OutboxMessage.Status.DEAD
    assert settled.attempts == 1
    assert "recipients" in settled.last_error


def test_the_card_email_arrives_within_seconds_of_payment_through_the_worker(celery_worker):
    # given a gift whose sender gave the friend's email, paid on the sandbox (its webhook processed)
    gift = gift_create(sender=UserFactory(display_name="Alice"), variant_id=VariantFactory(stock=3).id,
                       friend_email="mei@example.com")
    sandbox_charge_complete(ref=gift.order.payments.get().provider_ref, outcome="succeeded")
    sandbox_deliver_webhooks()
    paid_at = time.monotonic()
    # when the beat relays (every couple of seconds), the worker opens the gift and mails the card
    mails = []
    while not mails and time.monotonic() - paid_at < DEADLINE_SECONDS:
        relay_outbox.delay()
        time.sleep(2)  # the beat's pace (a faster stream of relays only queues up in this one-process worker)
        mails = _mail_to(celery_worker, "mei@example.com")
    # then the card arrived within seconds (DEADLINE_SECONDS: this worker runs one task at a time, each
    # in a fresh process), with its link
    assert mails, celery_worker.log()[-3000:]
    assert "/g/" in mails[0] and "Alice" in mails[0]
