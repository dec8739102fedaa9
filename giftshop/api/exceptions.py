"""The one DRF exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every error is
{"code", "detail", "fields"?}.

A leaf module (see giftshop/api/__init__.py): `rest_framework.views` is imported inside the
function that needs it, never at import time.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework.response import Response

from giftshop.api.responses import error_body
from giftshop.errors import DomainError
from giftshop.ratelimits import retry_after, throttled_text

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


def _set_rollback():
    from rest_framework.views import set_rollback  # not at import time: rest_framework.views reads the settings

    set_rollback()


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, DomainError):
        _set_rollback()
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Ratelimited):
        return Response(
            error_body("throttled", throttled_text(exc)),
            status=429,
            headers={"Retry-After": retry_after(exc)},
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", _("The request body is too large.")), status=413)

    if isinstance(exc, drf.ValidationError):
        _set_rollback()
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
        _set_rollback()
        return Response(error_body(code, detail), status=exc.status_code, headers=headers)
    return None  # unexpected: Django's 500 handler answers (JSON under /api/)
