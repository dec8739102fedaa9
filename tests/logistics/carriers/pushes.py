"""Building carrier pushes the way each carrier sends them (signed bodies), for the carrier tests."""

import json
from urllib.parse import urlencode

from giftshop import signing
from logistics.carriers import aftership, kuaidi100

SANDBOX_SECRET = "whsec_sandbox_carrier_test"
AFTERSHIP_SECRET = "aftership-test-secret"
KUAIDI100_SALT = "kuaidi100-test-salt"


def sandbox_body(tracking_number, checkpoints):
    """`checkpoints`: [(index, code, iso time)], the sandbox's wire form."""
    wire = [{"index": i, "code": code, "time": at, "location": "Shanghai", "description": code.lower()}
            for i, code, at in checkpoints]
    return json.dumps({"tracking_number": tracking_number, "checkpoints": wire}).encode()


def sandbox_headers(body, secret=SANDBOX_SECRET, timestamp=None):
    return {"X-Sandbox-Signature": signing.sign(secret, body, timestamp)}


def aftership_body(tracking_number, checkpoints, tag=None, subtag="", event_id="evt-1"):
    """`checkpoints`: [(iso time, tag, subtag, message)]."""
    items = [{"checkpoint_time": at, "tag": t, "subtag": s, "message": m, "city": "Shenzhen", "country_iso3": "CHN"}
             for at, t, s, m in checkpoints]
    msg = {"tracking_number": tracking_number, "slug": "sf-express", "tag": tag or (items[-1]["tag"] if items else
           "Pending"), "subtag": subtag, "checkpoints": items}
    return json.dumps({"event": "tracking_update", "event_id": event_id, "ts": 1714550400, "msg": msg}).encode()


def aftership_headers(body, secret=AFTERSHIP_SECRET):
    return {aftership.SIGNATURE_HEADER: aftership.sign(secret, body)}


def kuaidi100_param(tracking_number, data, state, status="polling"):
    """`data`: [(time "YYYY-MM-DD HH:MM:SS", context)] newest first, as Kuaidi100 sends it."""
    items = [{"context": context, "time": at, "ftime": at, "areaName": "广东,深圳市"} for at, context in data]
    return json.dumps({
        "status": status, "billstatus": "got", "message": "",
        "lastResult": {"message": "ok", "state": str(state), "status": "200", "ischeck": "0", "com": "shunfeng",
                       "nu": tracking_number, "data": items},
    }, ensure_ascii=False)


def kuaidi100_body(param, salt=KUAIDI100_SALT, sign=None):
    return urlencode({"param": param, "sign": kuaidi100.sign(salt, param) if sign is None else sign}).encode()
