"""Log-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
address, that pair is refused for AXES_COOLOFF_TIME, on the site's log-in page, the API's token
endpoint and the admin alike (all three go through accounts.services.user_authenticate or Django's
authenticate, where the Axes backend sits). Each refused try starts the cool-off again, so the
`Retry-After` given is the whole cool-off. Counts live in the default cache: Redis in services mode.

This module is only what Axes calls back: the username as counted, and the refusal."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from giftshop.api.responses import error_body
from giftshop.ratelimits import Throttled, throttled_text


def lockout_username(request, credentials) -> str:
    """Usernames are unique case-insensitively ("Alice" signs in as "alice"): count them so, too."""
    return str((credentials or {}).get("username") or "").strip().casefold()[:150]


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    refusal = Throttled(cool_off_seconds())
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("throttled", throttled_text(refusal)), status=429)
    else:
        # Locked out of one's own account: a new password is the way in meanwhile (the reset link
        # signs nobody in by itself, so it is no way round the lockout for a guesser).
        response = render(request, "errors/429.html", {"refusal": throttled_text(refusal), "offer_reset": True},
                          status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response
