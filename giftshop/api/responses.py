"""The API's error shape for plain Django views: the JSON 404/500, POST-only webhooks.

Plain Django only: no DRF import, so any module (and any setting) may use it.
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


def error_body(code, detail, fields=None):
    body = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    return body


# The shape's name in the OpenAPI document: giftshop.api.serializers.ErrorSerializer describes it.
ERROR_COMPONENT = "ApiError"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}


@csrf_exempt  # an unknown URL is a 404 whatever the method, never Django's HTML CSRF page
def json_not_found(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def json_server_error(request):
    return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)


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


def capped_body(view):
    """For the signed webhooks: a body over WEBHOOK_MAX_BODY_BYTES (1 MB) is a JSON 413, answered
    before any signature work, from the declared length where there is one (nothing is read), else
    after reading at most that much (Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE anyway)."""

    @wraps(view)
    def within_cap(request, *args, **kwargs):
        cap = settings.WEBHOOK_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        too_large = JsonResponse(
            error_body("payload_too_large", _("The request body is larger than %(cap)d bytes.") % {"cap": cap}),
            status=413,
        )
        if declared > cap:
            return too_large
        try:
            if len(request.body) > cap:
                return too_large
        except RequestDataTooBig:
            return too_large
        return view(request, *args, **kwargs)

    return within_cap
