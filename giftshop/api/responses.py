"""The API's error shape for plain Django views: the JSON 404/500, POST-only webhooks.

Plain Django only: no DRF import, so any module (and any setting) may use it.
"""

from functools import wraps

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
