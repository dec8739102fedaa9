"""One id per request, in every log line it causes and in the answer's `X-Request-ID` header.

A caller (a load balancer, a developer's client) may send its own `X-Request-ID`; a well-formed one
(letters, digits, `-`, `_`, `.`, at most 64) is kept so one id follows the request across services,
anything else is replaced by a new one. The id lives in a context variable, so threads and
gunicorn's workers each see their own; outside a request (the worker, a command) it is "-".
"""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        reset = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(reset)
        response[HEADER] = request_id
        return response


class AddRequestId(logging.Filter):
    """Puts `request_id` on every record (for the formatters)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
