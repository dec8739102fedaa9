"""Carrier pushes: verify against the raw body, queue the parsed update for the worker, answer
at once with the carrier's expected acknowledgement (carriers retry slow or failed answers)."""

import hashlib
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from giftshop.api.responses import capped_body, require_post
from giftshop.errors import DomainError
from giftshop.outbox import outbox_put
from giftshop.storable import unstorable
from logistics.carriers import get_carrier
from logistics.carriers.base import InvalidSignature
from logistics.services.tracking import TOPIC_APPLY

logger = logging.getLogger(__name__)


def _parse(adapter, request) -> list[dict]:
    """The adapter's verified updates as outbox payloads, or InvalidSignature for a well-signed push that no database
    could keep (a NUL character: PostgreSQL refuses it in the outbox's jsonb) or that is nested too
    deeply for the JSON parser: a 400 to the carrier, not a 500."""
    try:
        updates = adapter.parse_webhook(headers=request.headers, body=request.body)
    except RecursionError:
        raise InvalidSignature("malformed push: nested too deeply") from None
    payloads = [update.as_payload() for update in updates]
    reason = unstorable(payloads)
    if reason:
        raise InvalidSignature(f"malformed push: it holds {reason}")
    return payloads


@csrf_exempt
@require_post
@capped_body
def carrier_webhook(request, carrier):
    try:
        adapter = get_carrier(carrier)
        payloads = _parse(adapter, request)
    except DomainError as exc:
        logger.warning("tracking: rejected %s push: %s", carrier, exc.detail)
        return JsonResponse(exc.as_dict(), status=exc.status)
    digest = hashlib.sha256(request.body).hexdigest()
    for index, payload in enumerate(payloads):
        # The same push delivered twice is one message (key on the body's hash).
        outbox_put(topic=TOPIC_APPLY, key=f"push:{adapter.code}:{digest}:{index}", payload=payload)
    return adapter.ack(ok=True)
