import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from giftshop import outbox
from giftshop.models import OutboxMessage, StatusChange
from giftshop.outbox import PermanentError, outbox_claim, outbox_put, outbox_relay, outbox_requeue
from tests.giftshop.conftest import RecordingConsumer


def _make_due(message):
    """Bring a message's next attempt forward to now (what waiting out its backoff or lease does)."""
    OutboxMessage.objects.filter(id=message.id).update(available_at=timezone.now() - timedelta(seconds=1))


def test_put_is_idempotent_on_the_key(db, recorder):
    # given a message put once
    first = outbox_put(topic=recorder.topic, key="order:1:paid", payload={"order": 1})
    # when the same key is put again, even with another payload
    second = outbox_put(topic=recorder.topic, key="order:1:paid", payload={"order": 999})
    # then it is the same message, with the first payload
    assert second.id == first.id
    assert OutboxMessage.objects.count() == 1
    assert OutboxMessage.objects.get().payload == {"order": 1}


def test_put_refuses_a_topic_nobody_consumes(db):
    with pytest.raises(LookupError):
        outbox_put(topic="tests.nobody", key="k", payload={})
    assert OutboxMessage.objects.count() == 0


def test_relay_delivers_once_and_records_the_move(db, recorder):
    # given a pending message
    message = outbox_put(topic=recorder.topic, key="k1", payload={"n": 1})
    # when the relay runs twice
    result = outbox_relay()
    again = outbox_relay()
    # then the consumer ran once, with payload and key, and the row is delivered
    assert result == {"claimed": 1, "results": {message.id: "delivered"}}
    assert again == {"claimed": 0, "results": {}}
    assert recorder.calls == [("k1", {"n": 1})]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.delivered_at is not None
    assert message.attempts == 1
    change = StatusChange.objects.get(object_id=str(message.id))
    assert (change.from_status, change.to_status) == ("pending", "delivered")


def test_a_failing_consumer_is_retried_with_growing_backoff_then_goes_dead(db, recorder, settings):
    # given a consumer that keeps failing, and at most 3 attempts
    settings.OUTBOX_MAX_ATTEMPTS = 3
    recorder.fail_with = RuntimeError("smtp down")
    message = outbox_put(topic=recorder.topic, key="k-retry", payload={})
    waits = []
    for expected in ("retry", "retry"):
        # when the relay runs and the consumer fails
        before = timezone.now()
        assert outbox_relay()["results"] == {message.id: expected}
        message.refresh_from_db()
        waits.append((message.available_at - before).total_seconds())
        # then the message waits: a relay right now does not take it
        assert outbox_relay()["claimed"] == 0
        assert message.status == OutboxMessage.Status.PENDING
        assert "smtp down" in message.last_error
        _make_due(message)
    # then the backoff grew (5 s * 2^attempts: 10 s, then 20 s)
    assert 8 <= waits[0] <= 12, waits
    assert 18 <= waits[1] <= 22, waits
    # when the last allowed attempt fails too
    assert outbox_relay()["results"] == {message.id: "dead"}
    # then the message is dead and never tried again
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DEAD
    assert message.attempts == 3
    assert len(recorder.calls) == 3
    _make_due(message)
    assert outbox_relay()["claimed"] == 0


def test_a_permanent_error_is_dead_at_once(db, recorder):
    recorder.fail_with = PermanentError("no such mailbox")
    message = outbox_put(topic=recorder.topic, key="k-perm", payload={})

    assert outbox_relay()["results"] == {message.id: "dead"}

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DEAD
    assert message.attempts == 1
    assert message.last_error == "no such mailbox"
    assert StatusChange.objects.filter(object_id=str(message.id), to_status="dead").count() == 1


def test_a_claimed_row_cannot_be_claimed_again_until_its_lease_ends(db, recorder):
    # given a relay that claimed a message (and, say, died before delivering it)
    message = outbox_put(topic=recorder.topic, key="k-lease", payload={})
    assert outbox_claim() == [message.id]
    # when a second relay looks for work
    # then it finds none: the lease holds the row
    assert outbox_claim() == []
    assert outbox_relay()["claimed"] == 0
    # when the lease runs out, the row is given back and delivered
    _make_due(message)
    assert outbox_relay()["results"] == {message.id: "delivered"}
    message.refresh_from_db()
    assert message.attempts == 2


def test_requeue_gives_a_dead_message_another_round(db, recorder):
    # given a dead message
    recorder.fail_with = PermanentError("bad address")
    message = outbox_put(topic=recorder.topic, key="k-requeue", payload={})
    outbox_relay()
    # when support fixes the cause and requeues it
    recorder.fail_with = None
    assert outbox_requeue(message_id=message.id) is True
    # then it is pending, with fresh attempts, and the next relay delivers it
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert outbox_relay()["results"] == {message.id: "delivered"}


def test_relay_outbox_command_prints_what_it_did(db, recorder):
    outbox_put(topic=recorder.topic, key="k-cmd", payload={})

    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert out.getvalue().strip() == "relay_outbox: claimed 1: 1 delivered"


def test_the_celery_relay_publishes_one_delivery_per_message(db, recorder):
    from giftshop.celery import app

    # given two due messages, and Celery running tasks in this process
    outbox_put(topic=recorder.topic, key="k-a", payload={})
    outbox_put(topic=recorder.topic, key="k-b", payload={})
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        from giftshop.tasks import relay_outbox

        # when the periodic task runs
        claimed = relay_outbox.delay().get()
    finally:
        app.conf.task_always_eager = eager
    # then it claimed both and each delivery task delivered one
    assert claimed == 2
    assert sorted(recorder.keys) == ["k-a", "k-b"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_relays_deliver_each_message_exactly_once(recorder):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks (FOR UPDATE SKIP LOCKED) and concurrent connections")
    # given 200 due messages, each taking a moment to carry out (so the relays interleave)
    recorder.pause = 0.002
    for n in range(200):
        outbox_put(topic=recorder.topic, key=f"k-{n}", payload={"n": n})
    barrier = threading.Barrier(2)
    errors = []

    def relay():
        try:
            barrier.wait()
            while outbox_relay(limit=7)["claimed"]:
                pass
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    # when two relays, each on its own connection, race over them in small batches
    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then every message was delivered exactly once
    assert errors == []
    assert sorted(recorder.keys) == sorted(f"k-{n}" for n in range(200))
    assert OutboxMessage.objects.filter(status="delivered", attempts=1).count() == 200


def test_a_delivered_message_keeps_its_key_but_not_its_payload(db):
    from django.core import mail

    from giftshop.models import OutboxMessage
    from giftshop.outbox import outbox_put, outbox_relay

    outbox_put(topic="accounts.email", key="payload-test",
               payload={"to": ["a@example.com"], "subject": "Hi", "body": "https://shop/g/secret-token/"})
    outbox_relay()

    message = OutboxMessage.objects.get(key="payload-test")
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.payload == {}  # the link (a token) is not kept once the mail went
    assert len(mail.outbox) == 1


def test_every_consumer_of_a_topic_gets_the_message_and_a_retry_runs_them_all(db, recorder):
    """A topic may have one consumer per app that wants the news (a shipment moved: gifts and orders)."""
    second = RecordingConsumer(recorder.topic)
    outbox.consumer(recorder.topic)(second)  # the recorder fixture unregisters the topic afterwards
    second.fail_with = RuntimeError("second consumer down")
    message = outbox_put(topic=recorder.topic, key="k-fan", payload={"n": 1})

    assert outbox_relay()["results"][message.id] == "retry"
    second.fail_with = None
    _make_due(message)
    assert outbox_relay()["results"][message.id] == "delivered"

    # Both ran; the first ran again on the retry (consumers are idempotent on the key).
    assert recorder.keys == ["k-fan", "k-fan"]
    assert second.keys == ["k-fan", "k-fan"]


def test_a_transaction_that_writes_many_messages_nudges_the_relay_once(
    db, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_KICK_ON_COMMIT = True
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(3):
            outbox_put(topic="accounts.email", key=f"many-{n}", payload={"to": ["a@example.com"]})

    assert [c for c in callbacks if c is outbox._kick_relay] == [outbox._kick_relay]
