"""Rate limits that say how long to wait: django-ratelimit's counters, and a refusal that carries the
seconds left in the counting window, so `Retry-After` tells the truth (a 10-minute window is not
"60"). The limits themselves are named where they apply (accounts/services.py, gifts/selectors)."""

from functools import wraps

from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

# What a refusal raised without timing answers (none of ours: a Ratelimited from elsewhere).
DEFAULT_RETRY_AFTER = 60


class Throttled(Ratelimited):
    """Ratelimited, with the seconds until the window that refused this request ends."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = max(1, int(retry_after))


def retry_after(exc) -> str:
    return str(getattr(exc, "retry_after", DEFAULT_RETRY_AFTER))


def throttled_text(exc) -> str:
    """The refusal in words, with the wait rounded up to whole minutes."""
    minutes = -(-int(retry_after(exc)) // 60)
    return ngettext(
        "Too many attempts. Please try again in %(minutes)d minute.",
        "Too many attempts. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def seconds_limited(request, *, group, key, rate, method, increment=True) -> int:
    """0 when this request is within `rate`, else the seconds until its window ends (at least 1).
    The same counting as django_ratelimit.core.is_ratelimited (with increment, this request counts)."""
    usage = get_usage(request, group=group, key=key, rate=rate, method=method, increment=increment)
    if usage is None or not usage["should_limit"]:
        return 0
    return seconds_left(usage)


def seconds_left(usage) -> int:
    """The wait from get_usage()'s answer. Its `time_left` is until the window's last second, which
    still belongs to the window (django-ratelimit's _get_window): the next one starts a second later."""
    return max(1, usage["time_left"] + 1)


def ratelimit(*, group, key, rate, method):
    """django-ratelimit's decorator, counting the same way, whose refusal says how long to wait."""

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if wait := seconds_limited(request, group=group, key=key, rate=rate, method=method):
                raise Throttled(wait)
            return view(request, *args, **kwargs)

        return limited

    return decorator
