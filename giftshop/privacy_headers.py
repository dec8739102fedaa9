"""Headers that keep private answers private.

- `PrivateResponsesMiddleware`: every answer to a signed-in user (session or API token) is
  `Cache-Control: no-store, private` unless its view said otherwise: such pages and API answers hold
  addresses, orders and card links, which no shared cache and no browser history may keep. The card
  page and the public claims API, which answer anonymous callers too, say so themselves
  (`mark_private`). Public pages (the shop, a product) stay cacheable.
- `SameOriginNullMiddleware`: lets Django's CSRF check accept a form posted by a page whose
  referrer policy is `no-referrer` (the card page: its token is in its path). Such a page's own
  POSTs carry `Origin: null`, which Django's origin check refuses; the browser's
  `Sec-Fetch-Site: same-origin` (a header no script can set) says where the form really was, so the
  origin is taken as our own. The CSRF token is checked as always.
"""

from django.utils.cache import patch_cache_control


def mark_private(response):
    """No cache anywhere may keep this answer (it holds an address, a card link or a claim)."""
    patch_cache_control(response, no_store=True, private=True)
    return response


def mark_card(response):
    """A card's answer (page or API): its token is in the URL, so no Referer leaves it and no cache keeps it."""
    response["Referrer-Policy"] = "no-referrer"
    return mark_private(response)


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF's token authentication sets it here too
        if "Cache-Control" not in response and getattr(user, "is_authenticated", False):
            mark_private(response)
        return response


class SameOriginNullMiddleware:
    """Just before Django's CsrfViewMiddleware (which stays, by its own name, for check --deploy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)
