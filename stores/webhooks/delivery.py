"""Sending one webhook delivery (the outbox consumer of stores.webhooks.services.TOPIC_DELIVER).

Each attempt re-reads the delivery, vets the URL again (safety.webhook_target), signs the body with
the current time and POSTs it with a short timeout. A 2xx is success. Anything else (another status,
a timeout, a refused connection, an unsafe address) is a failed attempt: the next one is scheduled
by RETRY_SCHEDULE, the Standard Webhooks / Svix schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h:
about 27 hours in all), and after the last the delivery is marked failed. The schedule lives in the
database (the outbox row's due time), not in a broker countdown. A resend from the console is one
more attempt, with no schedule after it.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Now
from django.utils import timezone

from giftshop.outbox import RetryLater
from giftshop.transitions import transition
from stores.models import WebhookDelivery
from stores.webhooks.safety import UnsafeUrl, post, webhook_target
from stores.webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1


def _secrets(endpoint) -> list[str]:
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > timezone.now():
        keys.append(endpoint.previous_secret)
    return keys


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST; returns (status code or None, what went wrong or "")."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.body, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "giftshop-webhooks/1",
        **signed_headers(secrets_=_secrets(endpoint), msg_id=delivery.event_id,
                         timestamp=int(timezone.now().timestamp()), body=body),
    }
    try:
        target = webhook_target(endpoint.url)
    except UnsafeUrl as exc:
        return None, f"unsafe_url: {exc}"
    try:
        code = post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except (OSError, ValueError) as exc:  # refused, reset, timed out, TLS failure, bad response
        return None, f"{type(exc).__name__}: {exc}"[:300]
    return code, "" if 200 <= code < 300 else f"HTTP {code}"


def webhook_deliver(*, delivery_id: int, once: bool = False) -> str:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(id=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "skipped"  # the endpoint was removed, or an earlier run already settled it
    if not delivery.endpoint.is_active:
        transition(delivery, WebhookDelivery.Status.FAILED, reason="endpoint disabled",
                   extra={"last_error": "endpoint disabled", "next_attempt_at": None})
        return "failed"
    code, error = _attempt(delivery)
    attempts = delivery.attempts + 1
    seen = {"attempts": attempts, "last_status_code": code, "last_error": error, "last_attempt_at": Now()}
    if not error:
        transition(delivery, WebhookDelivery.Status.SUCCEEDED, reason=f"HTTP {code}",
                   extra={**seen, "next_attempt_at": None})
        return "succeeded"
    logger.warning("webhooks: delivery %s to endpoint %s failed (attempt %s): %s",
                   delivery.id, delivery.endpoint_id, attempts, error)
    tries_so_far = attempts - delivery.resends  # the scheduled tries; a resend is one extra each
    if once or tries_so_far >= MAX_ATTEMPTS:
        transition(delivery, WebhookDelivery.Status.FAILED, reason=error[:200], extra={**seen, "next_attempt_at": None})
        return "failed"
    wait = RETRY_SCHEDULE[tries_so_far - 1]
    WebhookDelivery.objects.filter(id=delivery.id, status=WebhookDelivery.Status.PENDING).update(
        **seen, next_attempt_at=Now() + wait
    )
    raise RetryLater(wait)
