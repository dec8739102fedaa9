"""A small fake WeChat Pay API v3 on loopback, with keys generated for the test run.

It checks what the real one checks of us (the WECHATPAY2-SHA256-RSA2048 Authorization, signed by
the merchant's key over method, path, timestamp, nonce and body), signs every answer with its
platform key (Wechatpay-Timestamp, -Nonce, -Signature, -Serial), dedupes orders on out_trade_no and
refunds on out_refund_no, and never refunds more than was paid. Its notifications are what v3
sends: the resource encrypted with AES-256-GCM under the APIv3 key, the body signed by the platform.
An out_trade_no is bound to its trade type (NATIVE or MWEB), as on the real one.

    POST /v3/pay/transactions/native                 GET /v3/pay/transactions/out-trade-no/<no>?mchid=
    POST /v3/pay/transactions/h5 (needs scene_info.payer_client_ip and h5_info; answers an h5_url)
    POST /v3/refund/domestic/refunds                 GET /v3/refund/domestic/refunds/<out_refund_no>

The payer and the platform are driven from the test: `pay(out_trade_no)`, `settle_refund(no, status)`
return (body, headers) of the notification, for the test to POST to our endpoint.
"""

import base64
import json
import re
import secrets
import threading
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.fakes.loopback import LoopbackServer

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
APIV3_KEY = "0123456789abcdef0123456789abcdef"  # 32 bytes
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_SERIAL = "7132D72A03E93CDDF8C03BBD1F37EEDF204A3F6F"


def _pem_private(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pem_public(key) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class FakeWeChatPay(LoopbackServer):
    def __init__(self):
        self.merchant_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.platform_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.refund_status = "SUCCESS"  # what a new refund answers: SUCCESS, PROCESSING or ABNORMAL
        self.requests: list[tuple[str, str]] = []
        self.h5_ips: list[str] = []  # each H5 order's payer_client_ip, in order
        self.lock = threading.Lock()
        super().__init__()

    def settings(self) -> dict:
        """What an operator would configure for this merchant (settings names → values)."""
        return {
            "WECHATPAY_API_BASE": self.url, "WECHATPAY_MCHID": MCHID, "WECHATPAY_APPID": APPID,
            "WECHATPAY_APIV3_KEY": APIV3_KEY, "WECHATPAY_PRIVATE_KEY": _pem_private(self.merchant_key),
            "WECHATPAY_CERT_SERIAL": MERCHANT_SERIAL,
            "WECHATPAY_PLATFORM_KEYS": {PLATFORM_SERIAL: _pem_public(self.platform_key)},
        }

    # --- signing, as the platform does ---------------------------------------------------------------

    def signed_headers(self, body: bytes, *, timestamp=None, nonce=None, key=None, serial=PLATFORM_SERIAL) -> dict:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        signature = (key or self.platform_key).sign(message, padding.PKCS1v15(), hashes.SHA256())
        return {"Wechatpay-Timestamp": stamp, "Wechatpay-Nonce": nonce, "Wechatpay-Serial": serial,
                "Wechatpay-Signature": base64.b64encode(signature).decode()}

    def notification(self, event_type: str, resource: dict, *, apiv3_key=APIV3_KEY, **signing) -> tuple[bytes, dict]:
        nonce = secrets.token_hex(6)
        ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), json.dumps(resource).encode(),
                                                        b"transaction")
        body = json.dumps({
            "id": f"EV-{secrets.token_hex(10)}", "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "resource_type": "encrypt-resource", "event_type": event_type, "summary": "支付成功",
            "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                         "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": "transaction",
                         "nonce": nonce},
        }).encode()
        return body, self.signed_headers(body, **signing)

    # --- the API -------------------------------------------------------------------------------------

    def _authorized(self, method, path, body: str, authorization: str) -> bool:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', authorization or ""))
        if not (authorization or "").startswith("WECHATPAY2-SHA256-RSA2048 ") or fields.get("mchid") != MCHID:
            return False
        message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n".encode()
        try:
            self.merchant_key.public_key().verify(base64.b64decode(fields.get("signature", "")), message,
                                                  padding.PKCS1v15(), hashes.SHA256())
        except Exception:  # noqa: BLE001 - any failure is a refusal
            return False
        return fields.get("serial_no") == MERCHANT_SERIAL

    def handle(self, method, path, body, authorization):
        self.requests.append((method, path))
        if not self._authorized(method, path, body, authorization):
            return 401, {"code": "SIGN_ERROR", "message": "签名错误"}
        with self.lock:
            data = json.loads(body) if body else {}
            if method == "POST" and path in ("/v3/pay/transactions/native", "/v3/pay/transactions/h5"):
                kind = "NATIVE" if path.endswith("native") else "MWEB"
                scene = data.get("scene_info") or {}
                if kind == "MWEB" and not (scene.get("payer_client_ip") and (scene.get("h5_info") or {}).get("type")):
                    return 400, {"code": "PARAM_ERROR", "message": "scene_info 必填"}
                no = data["out_trade_no"]
                known = self.orders.get(no)
                if known and (known["amount"]["total"] != data["amount"]["total"] or known["trade_type"] != kind):
                    return 400, {"code": "INVALID_REQUEST", "message": "订单号重复"}
                self.orders.setdefault(no, {"out_trade_no": no, "trade_state": "NOTPAY", "amount": data["amount"],
                                            "appid": data["appid"], "mchid": data["mchid"], "trade_type": kind,
                                            "notify_url": data["notify_url"], "scene_info": scene})
                if kind == "MWEB":
                    self.h5_ips.append(scene["payer_client_ip"])
                    return 200, {"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb"
                                           f"?prepay_id=wx{no[-10:]}&package=1037687096"}
                return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={no[-10:]}"}
            query_order = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^?]+)\?mchid=\d+", path)
            if method == "GET" and (m := query_order):
                order = self.orders.get(m[1])
                return (200, order) if order else (404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            if method == "POST" and path == "/v3/refund/domestic/refunds":
                order = self.orders.get(data["out_trade_no"])
                if order is None or order["trade_state"] not in ("SUCCESS", "REFUND"):
                    return 400, {"code": "INVALID_REQUEST", "message": "订单未支付"}
                if data["out_refund_no"] in self.refunds:
                    return 200, self.refunds[data["out_refund_no"]]
                taken = sum(r["amount"]["refund"] for r in self.refunds.values()
                            if r["out_trade_no"] == order["out_trade_no"] and r["status"] != "ABNORMAL")
                if taken + data["amount"]["refund"] > order["amount"]["total"]:
                    return 403, {"code": "NOT_ENOUGH", "message": "退款金额超过可退金额"}
                refund = {"refund_id": f"5030{secrets.token_hex(10)}", "out_refund_no": data["out_refund_no"],
                          "out_trade_no": order["out_trade_no"], "status": self.refund_status,
                          "amount": {"refund": data["amount"]["refund"], "total": order["amount"]["total"],
                                     "currency": "CNY"}}
                self.refunds[data["out_refund_no"]] = refund
                return 200, refund
            if method == "GET" and (m := re.fullmatch(r"/v3/refund/domestic/refunds/([^/?]+)", path)):
                refund = self.refunds.get(m[1])
                return (200, refund) if refund else (404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
        return 404, {"code": "NOT_FOUND", "message": path}

    # --- the payer and the platform ------------------------------------------------------------------------

    def pay(self, out_trade_no, **signing):
        with self.lock:
            order = self.orders[out_trade_no]
            order.update(trade_state="SUCCESS", transaction_id=f"4200{secrets.token_hex(10)}")
            resource = {**order, "amount": {**order["amount"], "payer_total": order["amount"]["total"]}}
        return self.notification("TRANSACTION.SUCCESS", resource, **signing)

    def settle_refund(self, out_refund_no, status):
        with self.lock:
            refund = self.refunds[out_refund_no]
            refund["status"] = status
            resource = {"mchid": MCHID, "out_trade_no": refund["out_trade_no"], "refund_id": refund["refund_id"],
                        "out_refund_no": out_refund_no, "refund_status": status,
                        "amount": {"refund": refund["amount"]["refund"], "total": refund["amount"]["total"]}}
        return self.notification(f"REFUND.{'SUCCESS' if status == 'SUCCESS' else status}", resource)

    def respond(self, method, path, headers, body):
        status, answer = self.handle(method, path, body.decode(), headers.get("Authorization"))
        raw = json.dumps(answer, ensure_ascii=False).encode()
        return status, self.signed_headers(raw), raw
