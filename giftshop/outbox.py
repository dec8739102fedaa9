"""The transactional outbox.

A side effect (send a mail, ask for a refund, deliver a webhook, render a card) is written as a row
in the same transaction as the business change: `outbox_put(...)`. A relay (the periodic Celery task
`giftshop.tasks.relay_outbox`, or `manage.py relay_outbox`) claims due rows and hands each to its
consumer, with retries and backoff. A worker or broker that dies loses nothing: the row is still
there. Consumers are idempotent on the message key, so a message carried out twice has one effect.

Claiming uses a conditional UPDATE on (status, available_at), which works the same on SQLite (where
SELECT ... FOR UPDATE is a no-op); on PostgreSQL the candidate scan also uses FOR UPDATE SKIP LOCKED
so that concurrent relays take disjoint batches instead of fighting over the same rows.

Consumers register with `@consumer("topic")` in an app's consumers.py (autodiscovered). A topic
may have several consumers, one per app that wants the news (a shipment moved: gifts follows its
claims, orders tells its buyers): a message is delivered when every one of them has run, and a
retry runs them all again, which their idempotency makes harmless.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from giftshop.transitions import transition

logger = logging.getLogger(__name__)

_consumers: dict[str, list] = {}


class PermanentError(Exception):
    """Raised by a consumer when retrying can never help: the message goes dead at once."""


class RetryLater(Exception):  # noqa: N818 - an instruction, not an error
    """Raised by a consumer that keeps its own retry schedule (webhook deliveries): the message is
    due again after `wait` (a timedelta), and does not count towards OUTBOX_MAX_ATTEMPTS."""

    def __init__(self, wait):
        super().__init__(f"retry in {wait}")
        self.wait = wait


def consumer(topic):
    def register(func):
        handlers = _consumers.setdefault(topic, [])
        if func not in handlers:
            handlers.append(func)
        return func

    return register


def outbox_put(*, topic, key, payload):
    """Write a message in the caller's transaction. A repeated key is the same message."""
    from giftshop.models import OutboxMessage

    if topic not in _consumers:
        raise LookupError(f"No outbox consumer for topic {topic!r}")
    try:  # almost always a new key: one INSERT (in a savepoint), no SELECT first
        with transaction.atomic():
            message = OutboxMessage.objects.create(key=key, topic=topic, payload=payload)
    except IntegrityError:
        message = OutboxMessage.objects.get(key=key)
    if getattr(settings, "OUTBOX_KICK_ON_COMMIT", False) and not _kick_registered():
        transaction.on_commit(_kick_relay)
    return message


def _kick_registered() -> bool:
    """One nudge per transaction, however many messages it wrote (a rolled-back block's callbacks
    are dropped by Django, so a later transaction registers its own)."""
    return connection.in_atomic_block and any(entry[1] is _kick_relay for entry in connection.run_on_commit)


def _kick_relay():
    """Best effort: ask the worker to relay now. If the broker is down, the beat relays later."""
    try:
        from giftshop.tasks import relay_outbox

        relay_outbox.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the periodic relay is the safety net
        logger.warning("outbox: could not nudge the relay; the periodic relay will pick it up")


def _due_ids(limit):
    from giftshop.models import OutboxMessage

    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=Now())
    due = due.order_by("available_at", "id").values_list("id", flat=True)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            return list(due.select_for_update(skip_locked=True)[:limit])
    return list(due[:limit])


def outbox_claim(*, limit=100):
    """Claim up to `limit` due messages for this relay; returns their ids."""
    from giftshop.models import OutboxMessage

    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = []
    for message_id in _due_ids(limit):
        taken = OutboxMessage.objects.filter(
            id=message_id, status=OutboxMessage.Status.PENDING, available_at__lte=Now()
        ).update(available_at=Now() + lease, attempts=F("attempts") + 1)
        if taken:
            claimed.append(message_id)
    return claimed


def outbox_deliver(*, message_id):
    """Run the consumer of one claimed message; mark it delivered, or schedule a retry."""
    from giftshop.models import OutboxMessage

    message = OutboxMessage.objects.filter(id=message_id).first()
    if message is None or message.status != OutboxMessage.Status.PENDING:
        return "skipped"
    if message.attempts > settings.OUTBOX_MAX_ATTEMPTS:
        # Claimed again and again without ever finishing: its worker dies on it (killed, out of
        # memory). Celery puts such a task back each time; here that ends.
        message.last_error = (message.last_error or "never finished: the worker died each time")[:2000]
        message.save(update_fields=["last_error"])
        transition(message, OutboxMessage.Status.DEAD, reason="too many attempts")
        logger.error("outbox: %s %s is dead after %s attempts", message.topic, message.id, message.attempts)
        return "dead"
    handlers = _consumers.get(message.topic)
    try:
        if not handlers:
            raise PermanentError(f"no consumer for {message.topic}")
        for handler in handlers:
            handler(message.payload, key=message.key)
    except RetryLater as retry:
        OutboxMessage.objects.filter(id=message.id, status=OutboxMessage.Status.PENDING).update(
            available_at=Now() + retry.wait, last_error=str(retry)
        )
        return "retry"
    except PermanentError as exc:
        message.last_error = str(exc)[:2000]
        message.save(update_fields=["last_error"])
        transition(message, OutboxMessage.Status.DEAD, reason="permanent error")
        logger.error("outbox: %s %s is dead: %s", message.topic, message.id, exc)
        return "dead"
    except Exception as exc:  # noqa: BLE001 - any failure is retried with backoff
        logger.warning("outbox: %s %s failed (attempt %s): %s", message.topic, message.id, message.attempts, exc)
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.last_error = repr(exc)[:2000]
            message.save(update_fields=["last_error"])
            transition(message, OutboxMessage.Status.DEAD, reason="too many attempts")
            return "dead"
        backoff = timedelta(seconds=min(3600, 5 * 2 ** message.attempts))
        OutboxMessage.objects.filter(id=message.id, status=OutboxMessage.Status.PENDING).update(
            available_at=Now() + backoff, last_error=repr(exc)[:2000]
        )
        return "retry"
    # Once carried out, the payload goes: mails hold links (card tokens, password resets) that the
    # database must not keep. The key stays, so a re-run is still recognised.
    transition(message, OutboxMessage.Status.DELIVERED, extra={"delivered_at": timezone.now(), "payload": {}})
    return "delivered"


def outbox_relay(*, limit=100, publish=None):
    """Claim due messages and deliver each: inline by default, or through `publish(message_id,
    topic)` (the Celery relay publishes one delivery task per message, on its topic's queue).
    Returns {"claimed", "results"}."""
    from giftshop.models import OutboxMessage

    claimed = outbox_claim(limit=limit)
    results = {}
    topics = {}
    if publish is not None and claimed:
        topics = dict(OutboxMessage.objects.filter(id__in=claimed).values_list("id", "topic"))
    for message_id in claimed:
        if publish is not None:
            publish(message_id, topics[message_id])
            results[message_id] = "published"
        else:
            results[message_id] = outbox_deliver(message_id=message_id)
    return {"claimed": len(claimed), "results": results}


def outbox_requeue(*, message_id):
    """Give a dead message another round (the admin action)."""
    from giftshop.models import OutboxMessage

    message = OutboxMessage.objects.get(id=message_id)
    OutboxMessage.objects.filter(id=message.id).update(attempts=0, available_at=Now())
    return transition(message, OutboxMessage.Status.PENDING, reason="requeued")
