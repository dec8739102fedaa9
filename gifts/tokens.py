"""Card tokens. The token in /g/<token>/ is HMAC-SHA256(key, "gift:<id>:<version>"): 256 bits,
recomputable for the sender, never stored; the database keeps only its SHA-256 (the lookup key).
Bumping the gift's token_version revokes a leaked link."""

import base64
import hashlib
import hmac
import re

from django.conf import settings

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _key() -> bytes:
    return hashlib.sha256(("gift-token:" + (settings.GIFT_TOKEN_SECRET or settings.SECRET_KEY)).encode()).digest()


def gift_token(*, gift_id: int, version: int) -> str:
    mac = hmac.new(_key(), f"gift:{gift_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.fullmatch(token))


def gift_share_url(*, gift) -> str | None:
    """The card link, recomputed for the sender; None until the gift is paid."""
    if gift.token_hash is None:
        return None
    return f"{settings.SITE_URL}/g/{gift_token(gift_id=gift.id, version=gift.token_version)}/"
