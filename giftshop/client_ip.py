"""The client's address behind our own reverse proxy (rate limits count per client, not per proxy).

Only used when DJANGO_BEHIND_PROXY is set (settings.BEHIND_PROXY): the proxy appends the address it
saw to X-Forwarded-For, so the last entry is the one we can trust; earlier entries are the client's word.
"""

from django.conf import settings


def client_ip(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR", "")


def request_ip(request) -> str:
    """The client's address as this deployment can know it: behind our proxy, the one it saw."""
    return client_ip(request) if settings.BEHIND_PROXY else request.META.get("REMOTE_ADDR", "")
