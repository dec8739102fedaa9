"""API plumbing shared by every app: the one exception handler, pagination, the JSON 404/500.

Every error under /api/ is {"code", "detail", "fields"?}.
"""

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as DrfJSONParser
from rest_framework.response import Response
from rest_framework.views import set_rollback

from giftshop.errors import DomainError

logger = logging.getLogger(__name__)

_GENERIC_CODES = {
    drf.ParseError: "parse_error",
    drf.AuthenticationFailed: "not_authenticated",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def _flatten(detail, prefix=""):
    """DRF's nested error detail -> {"field" or "variants.0.sku": ["message", ...]}."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and detail and all(isinstance(d, (dict, list)) for d in detail):
        for index, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[prefix or "non_field_errors"] = [str(item) for item in items]
    return out


def error_body(code, detail, fields=None):
    body = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Ratelimited):
        return Response(
            error_body("throttled", _("Too many attempts. Please wait a minute and try again.")),
            status=429,
            headers={"Retry-After": "60"},
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", _("The request body is too large.")), status=413)

    if isinstance(exc, drf.ValidationError):
        set_rollback()
        return Response(
            error_body("invalid", _("Some fields are not valid."), _flatten(exc.detail)), status=400
        )
    if isinstance(exc, drf.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        code = next((c for cls, c in _GENERIC_CODES.items() if isinstance(exc, cls)), None)
        code = code or (exc.default_code if isinstance(exc.default_code, str) else "error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        set_rollback()
        return Response(error_body(code, detail), status=exc.status_code, headers=headers)
    return None  # unexpected: Django's 500 handler answers (JSON under /api/)


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, and a body nested too deeply for Python's parser (`[[[[...`, a few
    kilobytes are enough) is a 400 parse_error like any other malformed JSON, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError:
            raise drf.ParseError(_("JSON parse error - the body is nested too deeply.")) from None


class Pagination(PageNumberPagination):
    """?page= (1 to the last page) and ?page_size= (at most 100; more is read as 100).

    A page that is not a whole number from 1 up is a 400 `invalid` with fields.page (bad input,
    API.md); a page past the last one is a 404 `not_found` (there is no such page).
    `document_page_errors` puts both answers in the OpenAPI document of every paginated list."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param)
        if number and number not in self.last_page_strings:  # empty: the first page, as DRF reads it
            # No int(): a number of 5,000 digits is well-formed (a 404) but int() refuses it.
            if not (number.isascii() and number.isdigit() and number.lstrip("0")):
                message = _("Enter a whole number from 1 up.")
                raise drf.ValidationError({self.page_query_param: [message]})
        return super().paginate_queryset(queryset, request, view=view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page (default {self.page_size}, at most {self.max_page_size})."
        return parameters


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["code", "detail"],
}


PAGE_ERRORS = {
    "400": "invalid: ?page= is not a whole number from 1 up (see `fields.page`)",
    "404": "not_found: ?page= is past the last page",
}


def document_page_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation with a ?page= parameter may answer
    Pagination's 400 and 404, so its document says so (an answer it documents already is kept)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" not in names:
                continue
            for status, description in PAGE_ERRORS.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                )
    return result


@csrf_exempt  # an unknown URL is a 404 whatever the method, never Django's HTML CSRF page
def json_not_found(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def require_post(view):
    """For the plain Django views under /api/ (the signed webhooks): another method is a 405 in the
    API's error shape with its Allow header, not require_POST's empty HTML answer."""

    @wraps(view)
    def only_post(request, *args, **kwargs):
        if request.method != "POST":
            response = JsonResponse(error_body("method_not_allowed", _("Method not allowed.")), status=405)
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return only_post


def json_server_error(request):
    return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
