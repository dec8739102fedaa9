"""Carrier pushes: verify against the raw body, queue the parsed update for the worker, answer
at once with the carrier's expected acknowledgement (carriers retry slow or failed answers)."""

import hashlib
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from giftshop.api import require_post
from giftshop.errors import DomainError
from giftshop.outbox import outbox_put
from logistics.carriers import get_carrier
from logistics.tracking import TOPIC_APPLY

logger = logging.getLogger(__name__)


@csrf_exempt
@require_post
def carrier_webhook(request, carrier):
    try:
        adapter = get_carrier(carrier)
        updates = adapter.parse_webhook(headers=request.headers, body=request.body)
    except DomainError as exc:
        logger.warning("tracking: rejected %s push: %s", carrier, exc.detail)
        return JsonResponse(exc.as_dict(), status=exc.status)
    digest = hashlib.sha256(request.body).hexdigest()
    for index, update in enumerate(updates):
        # The same push delivered twice is one message (key on the body's hash).
        outbox_put(topic=TOPIC_APPLY, key=f"push:{adapter.code}:{digest}:{index}", payload=update.as_payload())
    return adapter.ack(ok=True)
