"""/favicon.ico: browsers ask for it on every page whatever the <link rel="icon"> says. Answered
with the site's SVG icon itself (200, cached for a day), not a redirect: a permanent redirect to a
hashed static URL would outlive the file after the next deploy."""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

ICON = "favicon.svg"


@cache
def _icon_bytes() -> bytes | None:
    path = finders.find(ICON)
    if not path:
        return None
    with open(path, "rb") as f:
        return f.read()


@require_safe
def favicon(request):
    body = _icon_bytes()
    if body is None:
        raise Http404()
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
