"""Stripe-style webhook signatures (the payment sandbox and the carrier sandbox both use them):
header `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]` over "<t>.<raw body>". Several v1 values
may be present during secret rotation; any match is enough. Unlike Stripe's SDK we reject
timestamps that are too far off in either direction."""

import hashlib
import hmac
import time

from django.core.exceptions import ImproperlyConfigured

TOLERANCE_SECONDS = 300


def _key(secret: str) -> bytes:
    if not secret:  # a settings module that forgot its secret must not sign with the empty string
        raise ImproperlyConfigured("a webhook signing secret is empty (see giftshop/settings/)")
    return secret.encode()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> int:
    """Return the signed timestamp, or raise ValueError saying what is wrong."""
    if not header:
        raise ValueError("missing signature header")
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            candidates.append(value)
    # ASCII digits of a plausible length: "²" is a digit int() refuses, and no float holds 10**400.
    if timestamp is None or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12 or not candidates:
        raise ValueError("malformed signature header")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise ValueError("timestamp outside the tolerance")
    expected = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
    if not any(hmac.compare_digest(expected.encode(), c.encode("utf-8", "surrogatepass")) for c in candidates):
        raise ValueError("signature does not match")
    return int(timestamp)
