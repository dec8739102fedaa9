"""Project-level views: error pages that speak JSON under /api/ and HTML elsewhere; and or_404, how
a page view turns "not found, or not yours" into its 404."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from giftshop.api.responses import error_body, json_not_found, json_server_error
from giftshop.errors import NotFound
from giftshop.errors import PermissionDenied as DomainPermissionDenied
from giftshop.ratelimits import retry_after, throttled_text

logger = logging.getLogger(__name__)
# When even the 500 page fails: plain HTML in both languages, no template, no database.
STATIC_500 = (
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    "<title>Something went wrong · 出错了</title></head><body><h1>Something went wrong</h1>"
    "<p>We are on it. Please try again in a few minutes.</p><h1>出错了</h1><p>我们正在处理，请稍后再试。</p>"
    '<p><a href="/">Back to the shop · 返回商店</a></p></body></html>'
)


def or_404(fn, /, **kwargs):
    """fn(**kwargs) for a page view: a NotFound it raises (not found, or not yours: never told
    apart) is the page's 404, as Http404. Any other error goes on as it is."""
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


def or_403_404(fn, /, **kwargs):
    """or_404, and the domain's PermissionDenied (a store's staff on an owners' page) as the page's
    403: the same answers as the API's."""
    try:
        return or_404(fn, **kwargs)
    except DomainPermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from None


def _is_api(request):
    return request.path.startswith("/api/")


def ratelimited(request, exception=None):
    if _is_api(request):
        response = JsonResponse(
            error_body("throttled", throttled_text(exception)), status=429
        )
    else:
        response = render(request, "errors/429.html", {"refusal": throttled_text(exception)}, status=429)
    response["Retry-After"] = retry_after(exception)
    return response


def not_found(request, exception=None):
    if _is_api(request):
        return json_not_found(request, exception)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _is_api(request):
        return json_server_error(request)
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:  # noqa: BLE001  the page itself failed (the database is down, say): still a page
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(STATIC_500, content_type="text/html; charset=utf-8")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", _("You are not allowed to do this.")), status=403)
    # A domain rule's refusal says which rule ("Only the store's owners can do this."); others are generic.
    reason = str(exception) if exception is not None and str(exception) else None
    return render(request, "errors/403.html", {"reason": reason}, status=403)
