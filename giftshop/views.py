"""Project-level views: error pages that speak JSON under /api/ and HTML elsewhere."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from giftshop.api import error_body, json_not_found, json_server_error


def _is_api(request):
    return request.path.startswith("/api/")


def ratelimited(request, exception=None):
    if _is_api(request):
        response = JsonResponse(
            error_body("throttled", _("Too many attempts. Please wait a minute and try again.")), status=429
        )
    else:
        response = render(request, "errors/429.html", status=429)
    response["Retry-After"] = "60"
    return response


def not_found(request, exception=None):
    if _is_api(request):
        return json_not_found(request, exception)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _is_api(request):
        return json_server_error(request)
    return render(request, "errors/500.html", status=500)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", _("You are not allowed to do this.")), status=403)
    return render(request, "errors/403.html", status=403)
