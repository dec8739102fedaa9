"""The provider webhook endpoint: verify against the raw body, record once, apply, acknowledge.

A plain Django view (not DRF) so that nothing parses or re-serialises the body before the
signature check; errors still use the API's JSON error shape.
"""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from giftshop.api.responses import capped_body, require_post
from giftshop.errors import DomainError
from orders.payments import get_provider
from orders.services.payments import payment_apply_update

logger = logging.getLogger(__name__)


@csrf_exempt
@require_post
@capped_body
def payment_webhook(request, provider):
    adapter = None
    try:
        adapter = get_provider(provider)
        update = adapter.parse_webhook(headers=request.headers, body=request.body)
    except DomainError as exc:
        logger.warning("payments: rejected %s webhook: %s", provider, exc.detail)
        if adapter is not None:
            return adapter.refuse(exc)  # in the provider's own shape where it has one (WeChat Pay)
        return JsonResponse(exc.as_dict(), status=exc.status)
    outcome = payment_apply_update(provider=adapter.code, update=update)
    logger.info("payments: %s webhook %s (%s): %s", provider, update.event_id, update.event_type, outcome)
    return adapter.ack(ok=True)
