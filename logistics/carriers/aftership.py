"""AfterShip-style tracking pushes: JSON with `event`, `event_id`, `msg` (the tracking with `tag`,
`subtag`, `checkpoints`), signed in the `aftership-hmac-sha256` header as
base64(HMAC-SHA256(secret, raw body)). There is no timestamp in the signature, so replays are
caught downstream: each checkpoint has a stable key and is stored once.

Registering and pulling need AfterShip's HTTPS API, which this build does not call: with no
network here they raise CarrierUnavailable, and pushes are what we consume.
"""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse

from logistics.carriers.base import Carrier, CarrierUnavailable, Checkpoint, InvalidSignature, TrackingUpdate
from logistics.carriers.statuses import aftership_status

SIGNATURE_HEADER = "aftership-hmac-sha256"


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _time(value) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _checkpoint(item: dict) -> Checkpoint:
    tag, subtag = item.get("tag", ""), item.get("subtag", "")
    occurred_at = _time(item["checkpoint_time"])
    message = str(item.get("message", ""))[:300]
    fingerprint = f"{occurred_at.isoformat()}|{tag}|{subtag}|{message}"
    location = ", ".join(str(p) for p in (item.get("city"), item.get("state"), item.get("country_iso3")) if p)
    return Checkpoint(
        key="as:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:40],
        occurred_at=occurred_at,
        status=aftership_status(tag, subtag),
        raw_status=f"{tag}/{subtag}" if subtag else str(tag),
        location=(location or str(item.get("location") or ""))[:120],
        description=message,
    )


def parse_push(*, secret: str, headers, body: bytes) -> list[TrackingUpdate]:
    """Verify and parse one push (a pure function of its inputs)."""
    given = headers.get(SIGNATURE_HEADER) or ""
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    if not secret or not given or not hmac.compare_digest(sign(secret, body).encode(),
                                                          given.encode("utf-8", "surrogatepass")):
        raise InvalidSignature("signature does not match")
    try:
        event = json.loads(body)
        msg = event["msg"]
        number = str(msg["tracking_number"])
        checkpoints = [_checkpoint(c) for c in msg.get("checkpoints") or []]
        if not checkpoints and msg.get("tag"):
            when = msg.get("updated_at") or event.get("ts")
            occurred_at = datetime.fromtimestamp(int(when), UTC) if isinstance(when, int) else _time(when)
            checkpoints = [_checkpoint({"checkpoint_time": occurred_at.isoformat(), "tag": msg["tag"],
                                        "subtag": msg.get("subtag", ""), "message": msg.get("subtag_message", "")})]
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError) as exc:
        # Well signed but not a tracking push we can read (wrong shapes, impossible times): refused.
        raise InvalidSignature(f"malformed push: {exc}") from None
    except RecursionError:
        raise InvalidSignature("malformed push: nested too deeply") from None
    return [TrackingUpdate(carrier=AfterShipCarrier.code, tracking_number=number, checkpoints=checkpoints)]


class AfterShipCarrier(Carrier):
    code = "aftership"
    name = "AfterShip"

    def register(self, *, tracking_number):
        raise CarrierUnavailable("AfterShip's API is not reachable from this build; pushes are consumed")

    def fetch(self, *, tracking_number):
        raise CarrierUnavailable("AfterShip's API is not reachable from this build; pushes are consumed")

    def parse_webhook(self, *, headers, body):
        return parse_push(secret=settings.AFTERSHIP_WEBHOOK_SECRET, headers=headers, body=body)

    def ack(self, *, ok=True):
        return HttpResponse(status=200 if ok else 400)
