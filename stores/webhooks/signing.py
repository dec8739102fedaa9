"""Standard Webhooks signatures (https://www.standardwebhooks.com, the scheme Svix uses): the
secret is `whsec_` + base64 of random bytes; each delivery carries `webhook-id` (the same on every
attempt, for the receiver's deduplication), `webhook-timestamp` (seconds, at the attempt: the
receiver refuses anything older than 5 minutes) and `webhook-signature`, `v1,` + base64 of
HMAC-SHA256(secret, "<id>.<timestamp>.<body>"); several space-separated while a rotated secret is
still honoured. Receivers verify with the published `standardwebhooks` library (README)."""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105: the prefix every generated secret starts with, not a secret


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def signed_headers(*, secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_
        ),
    }


def event_id(event_key: str) -> str:
    """The message id of one piece of news: derived from its business key, so it never changes."""
    return "msg_" + hashlib.sha256(event_key.encode()).hexdigest()[:32]
