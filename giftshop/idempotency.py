"""Idempotency-Key for POSTs that create things (shared/API.md, Conventions).

    class OrderListCreateApi(APIView):
        @extend_schema(..., parameters=[IDEMPOTENCY_KEY_PARAMETER])
        @idempotent("orders.create")
        def post(self, request): ...

A client that sends `Idempotency-Key: <up to 255 characters>` may retry the same request safely:

- the first request inserts an in-flight record for (user, endpoint, key) before it runs; the
  unique constraint decides which of two racing requests runs, the other gets 409
  `idempotency_key_in_flight`;
- its answer (a success, or a domain error such as `out_of_stock`) is stored and replayed to every
  later request with the same key and the same body and URL arguments, with the header
  `Idempotent-Replayed: true`;
- the same key with a different body: 422 `idempotency_key_reused`;
- invalid input (400 `invalid` or `parse_error`) and unexpected exceptions are not stored: the
  record is deleted and the client may fix the request and retry with the same key;
- records are kept settings.IDEMPOTENCY_KEEP_HOURS; an older one counts as absent;
- a record still in flight after settings.IDEMPOTENCY_IN_FLIGHT_SECONDS (its process died before
  storing the answer) counts as absent too, so a crash blocks its key for a minute, not a day.

Without the header the view runs as usual. Imports no app.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from giftshop.errors import Conflict, DomainError, InvalidInput
from giftshop.models import IdempotencyRecord
from giftshop.storable import unstorable

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Answers that say "your input is wrong": fixing the input and retrying with the key must work.
NOT_STORED_CODES = {"invalid", "parse_error"}

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},  # as `idempotent` checks
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 characters, unique per operation you mean (a UUID is fine). Retrying with the same key and "
        "body replays the first answer (header Idempotent-Replayed: true); another body with the same key is "
        "422 idempotency_key_reused; while the first is running, 409 idempotency_key_in_flight. Kept 24 hours."
    ),
)


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    default_detail = _("This Idempotency-Key was already used with a different request.")


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    default_detail = _("A request with this Idempotency-Key is still being processed. Retry in a moment.")


def request_fingerprint(data, url_kwargs) -> str:
    """SHA-256 of the request body and URL arguments in a canonical form (key order does not matter)."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(
        {"body": data, "url": url_kwargs}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record):
    return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def _begin(*, user, endpoint, key, fingerprint):
    """Insert the in-flight record: returns (record, None) when this request runs, or (None,
    response-or-raise) when an earlier one decides the answer."""
    keep = timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    mine = IdempotencyRecord.objects.filter(user=user, endpoint=endpoint, key=key)
    for _attempt in range(3):
        mine.filter(created_at__lte=Now() - keep).delete()  # expired: as if it never was
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, endpoint=endpoint, key=key, request_hash=fingerprint
                ), None
        except IntegrityError:
            earlier = mine.first()
        if earlier is None:
            continue  # deleted meanwhile (it failed, or expired): try to be the first again
        if earlier.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        if earlier.state == IdempotencyRecord.State.IN_FLIGHT:
            lease = timedelta(seconds=settings.IDEMPOTENCY_IN_FLIGHT_SECONDS)
            # A process that died between its commit and _finish leaves the record in flight for
            # good: past a short lease it counts as absent, and this request runs (and, for a
            # claim, meets the claim's own uniqueness: already_claimed).
            if mine.filter(id=earlier.id, state=IdempotencyRecord.State.IN_FLIGHT,
                           created_at__lte=Now() - lease).delete()[0]:
                continue
            raise IdempotencyKeyInFlight()
        return None, _replay(earlier)
    raise IdempotencyKeyInFlight()


def _finish(record, *, status, body):
    record.TRANSITIONS.check(record.state, IdempotencyRecord.State.DONE)
    IdempotencyRecord.objects.filter(id=record.id, state=IdempotencyRecord.State.IN_FLIGHT).update(
        state=IdempotencyRecord.State.DONE,
        response_status=status,
        response_body=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
    )


def _forget(record):
    IdempotencyRecord.objects.filter(id=record.id).delete()


def _storable(status, body):
    if status >= 500:
        return False
    return not (status == 400 and isinstance(body, dict) and body.get("code") in NOT_STORED_CODES)


def idempotent(endpoint: str):
    """Decorate an APIView's post(self, request, *args, **kwargs); `endpoint` names the operation
    ("orders.create"), so one key may be used on two endpoints independently."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None or not request.user.is_authenticated:
                return method(view, request, *args, **kwargs)
            # unstorable: a NUL (PostgreSQL refuses it in text) or a lone surrogate (no UTF-8) is no key.
            if not key.strip() or len(key) > MAX_KEY_LENGTH or unstorable(key):
                raise InvalidInput(
                    _("Idempotency-Key must be 1 to %(max)s characters.") % {"max": MAX_KEY_LENGTH}, field=HEADER
                )
            # Parsing the body first: malformed JSON is a 400 parse_error and leaves no record.
            fingerprint = request_fingerprint(request.data, kwargs)
            record, earlier_answer = _begin(user=request.user, endpoint=endpoint, key=key, fingerprint=fingerprint)
            if earlier_answer is not None:
                return earlier_answer
            try:
                response = method(view, request, *args, **kwargs)
            except DomainError as exc:
                body = exc.as_dict()
                if _storable(exc.status, body):
                    _finish(record, status=exc.status, body=body)
                else:
                    _forget(record)
                raise
            except BaseException:
                _forget(record)
                raise
            body = getattr(response, "data", None)
            if _storable(response.status_code, body) and isinstance(response, Response):
                _finish(record, status=response.status_code, body=body)
            else:
                _forget(record)
            return response

        return wrapper

    return decorate
