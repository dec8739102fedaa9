"""Kuaidi100 (快递100) subscription pushes: a form POST with `param` (JSON) and
`sign = MD5(param + salt)` (upper-case hex). `param.status` is polling / shutdown / abort /
updateall; `param.lastResult` holds `state`, `com`, `nu` and `data` (checkpoints, newest first,
times in China time). `abort` means Kuaidi100 gave up: we record an `expired` checkpoint.

Subscribing and polling need Kuaidi100's HTTPS API, which this build does not call (no network
here): they raise CarrierUnavailable, and pushes are what we consume.
"""

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse

from logistics.carriers.base import Carrier, CarrierUnavailable, Checkpoint, InvalidSignature, TrackingUpdate
from logistics.carriers.statuses import KUAIDI100_STATES, normalise

CHINA = ZoneInfo("Asia/Shanghai")


def sign(salt: str, param: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()  # noqa: S324  # nosec B324: Kuaidi100's fixed sign scheme MD5(param + salt), not ours to choose; compared in constant time


def _time(value) -> datetime:
    moment = datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M:%S")
    return moment.replace(tzinfo=CHINA)


def parse_push(*, salt: str, body: bytes) -> list[TrackingUpdate]:
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    param, given = (form.get("param") or [""])[0], (form.get("sign") or [""])[0]
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    if not salt or not param or not hmac.compare_digest(sign(salt, param).encode(), given.upper().encode()):
        raise InvalidSignature("sign does not match")
    try:
        data = json.loads(param)
        last = data["lastResult"]
        number = str(last["nu"])
        items = list(last.get("data") or [])
        checkpoints = []
        for position, item in enumerate(items):  # newest first
            raw = item.get("statusCode") or (last.get("state") if position == 0 else "0")
            occurred_at = _time(item.get("ftime") or item["time"])
            context = str(item.get("context", ""))[:300]
            # The key leaves out `raw`: without a statusCode the newest item takes the push's `state`,
            # and the same item comes again under a newer one in the next push (the whole history is
            # sent every time), with another raw status. It is still the same checkpoint.
            key = hashlib.sha256(f"{occurred_at.isoformat()}|{context}".encode()).hexdigest()[:40]
            checkpoints.append(Checkpoint(
                key=f"kd:{key}", occurred_at=occurred_at,
                status=normalise(KUAIDI100_STATES, raw, carrier="kuaidi100"), raw_status=str(raw),
                location=str(item.get("areaName") or item.get("location") or "")[:120], description=context,
            ))
        if data.get("status") == "abort":
            newest = max((c.occurred_at for c in checkpoints), default=None)
            when = newest or datetime.now(CHINA)
            # One key: an abort sent again (or with no data, timed when we hear it) is stored once.
            checkpoints.append(Checkpoint(key="kd:abort", occurred_at=when, status="expired",
                                          raw_status="abort", description=str(data.get("message", ""))[:300]))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        # Well signed but not a push we can read (wrong shapes, impossible times): refused.
        raise InvalidSignature(f"malformed push: {exc}") from None
    except RecursionError:
        raise InvalidSignature("malformed push: nested too deeply") from None
    return [TrackingUpdate(carrier=Kuaidi100Carrier.code, tracking_number=number, checkpoints=checkpoints)]


class Kuaidi100Carrier(Carrier):
    code = "kuaidi100"
    name = "Kuaidi100 (快递100)"

    def register(self, *, tracking_number):
        raise CarrierUnavailable("Kuaidi100's API is not reachable from this build; pushes are consumed")

    def fetch(self, *, tracking_number):
        raise CarrierUnavailable("Kuaidi100's API is not reachable from this build; pushes are consumed")

    def parse_webhook(self, *, headers, body):
        return parse_push(salt=settings.KUAIDI100_SALT, body=body)

    def ack(self, *, ok=True):
        if ok:
            return JsonResponse({"result": True, "returnCode": "200", "message": "成功"})
        return JsonResponse({"result": False, "returnCode": "500", "message": "失败"}, status=400)
