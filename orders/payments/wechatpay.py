"""WeChat Pay API v3 behind the payment interface, written with `cryptography` (REFERENCE.md,
Payments): no community SDK, so nothing skips the checks below or fetches keys over the network.

- Requests are signed with the merchant's private key (the `WECHATPAY2-SHA256-RSA2048`
  Authorization: RSA-SHA256 over "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n"), and every answer's
  Wechatpay-Signature is verified with the platform key its Wechatpay-Serial names.
- Notifications: RSA-SHA256 over "<timestamp>\\n<nonce>\\n<body>\\n" with the platform key chosen by
  serial (an unknown serial is refused, never fetched), a timestamp within 300 s either way, a nonce
  seen once (the cache remembers it for 10 minutes), then `resource` decrypted with AES-256-GCM under
  the 32-byte APIv3 key. Answers: 204, or 4xx with {"code": "FAIL", "message": ...}.
- A payment is an H5 order when its payer is in a phone's browser: its checkout link is our
  /pay/wechat/h5/, which asks WeChat Pay for a fresh h5_url (one lives five minutes) with the
  payer's IP (WeChat Pay checks it) and sends the payer there; it opens the WeChat app, then
  returns to our page by `redirect_url`. Else a Native order (the code_url shown as a QR code by
  our page /pay/wechat/; inside WeChat's own browser, where H5 is not allowed, it is long-pressed). Its
  out_trade_no is our idempotency key with ':' spelled '-' (WeChat allows [0-9A-Za-z_-|*]), and is
  the payment's provider_ref. An out_trade_no is bound to its trade type: "Pay now" after a failed
  first call from another device is refused by WeChat Pay (the payer is told to try again). A
  refund's out_refund_no is our key the same way; WeChat Pay dedupes refunds on it.
"""

import base64
import json
import secrets
import time
from urllib.parse import quote

import requests
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from orders.payments.base import (
    MALFORMED,
    Checkout,
    InvalidSignature,
    Payer,
    PaymentProvider,
    PaymentState,
    PaymentUpdate,
    ProviderError,
    RefundResult,
    loads_event,
)

TOLERANCE_SECONDS = 300
NONCE_TTL_SECONDS = 600
TIMEOUT_SECONDS = 10
TRADE_STATES = {"SUCCESS": "succeeded", "REFUND": "succeeded", "CLOSED": "failed", "REVOKED": "failed",
                "PAYERROR": "failed"}  # NOTPAY, USERPAYING: pending
REFUND_STATES = {"SUCCESS": "succeeded", "ABNORMAL": "failed", "CLOSED": "failed"}  # PROCESSING: pending
QR_SALT = "orders.wechatpay.code_url"
H5_SALT = "orders.wechatpay.h5"


def wire_ref(key: str) -> str:
    """Our idempotency key as WeChat Pay's out_trade_no / out_refund_no (':' is not allowed there)."""
    return key.replace(":", "-")


def our_ref(wire: str) -> str:
    return wire.replace("-", ":")


# --- keys ---------------------------------------------------------------------------------------

def _merchant_key():
    return serialization.load_pem_private_key(settings.WECHATPAY_PRIVATE_KEY.encode(), password=None)


def _platform_keys() -> dict:
    """serial -> public key, from WECHATPAY_PLATFORM_KEYS (serial=PEM pairs, as settings give them)."""
    keys = {}
    for serial, pem in settings.WECHATPAY_PLATFORM_KEYS.items():
        keys[serial] = serialization.load_pem_public_key(pem.encode())
    return keys


def _sign(message: str) -> str:
    signature = _merchant_key().sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def verify_signed(*, timestamp, nonce, body: bytes, signature, serial) -> None:
    """The platform's signature over a notification or an answer, and its freshness; ValueError if not."""
    key = _platform_keys().get(str(serial or ""))
    if key is None:
        raise ValueError("unknown platform certificate serial")
    stamp = str(timestamp or "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise ValueError("no timestamp")
    if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
        raise ValueError("stale or future timestamp")
    try:
        raw = base64.b64decode(str(signature or ""), validate=True)
        key.verify(raw, f"{stamp}\n{nonce}\n".encode() + body + b"\n", padding.PKCS1v15(), hashes.SHA256())
    except (CryptoInvalidSignature, ValueError, TypeError):
        raise ValueError("bad signature") from None


def decrypt_resource(resource: dict) -> dict:
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise ValueError("unknown algorithm")
    try:
        plain = AESGCM(settings.WECHATPAY_APIV3_KEY.encode()).decrypt(
            str(resource["nonce"]).encode(), base64.b64decode(str(resource["ciphertext"]), validate=True),
            str(resource.get("associated_data") or "").encode(),
        )
    except (InvalidTag, ValueError, TypeError):
        raise ValueError("the resource does not decrypt") from None
    return loads_event(plain)



# --- the checkout pages ------------------------------------------------------------------------

def _wants_h5(payer: Payer | None) -> bool:
    return bool(payer and payer.phone and not payer.in_wechat and payer.ip)


def _page_url(view: str, salt: str, data: dict) -> str:
    """One of our checkout pages, by a token only we can sign: no page of ours draws a code, or asks
    WeChat Pay for an order, that we did not make."""
    return settings.SITE_URL + reverse(view) + "?c=" + quote(signing.dumps(data, salt=salt, compress=True))


def qr_page_url(*, code_url: str, back: str, trade_no: str) -> str:
    """The page that draws a Native order's code_url; it goes `back` once the payment is not waiting."""
    return _page_url("orders:wechat-pay", QR_SALT, {"code_url": code_url, "back": back, "trade_no": trade_no})


def page_read(token: str, *, h5: bool = False) -> dict | None:
    """What qr_page_url (or an H5 checkout link) signed: "back", "trade_no", and "code_url" (or the
    order's terms); None if forged or older than a payment window."""
    try:
        return signing.loads(token, salt=H5_SALT if h5 else QR_SALT, max_age=settings.PAYMENT_WINDOW_MINUTES * 60)
    except signing.BadSignature:
        return None


def _order_body(*, trade_no, amount_minor, currency, description) -> dict:
    return {
        "appid": settings.WECHATPAY_APPID, "mchid": settings.WECHATPAY_MCHID,
        "description": description, "out_trade_no": trade_no,
        "notify_url": settings.SITE_URL + reverse("payment-webhook", kwargs={"provider": WeChatPayProvider.code}),
        "amount": {"total": amount_minor, "currency": currency},
    }


def _h5_url(order: dict, ip: str) -> str:
    answer = _call("POST", "/v3/pay/transactions/h5",
                   {**order, "scene_info": {"payer_client_ip": ip, "h5_info": {"type": "Wap"}}})
    h5_url = str(answer.get("h5_url") or "")
    if not h5_url.startswith("https://"):
        raise ProviderError("wechatpay: no h5_url in the answer")
    return h5_url


def h5_checkout_url(data: dict, *, payer: Payer) -> str:
    """WeChat Pay's H5 page for the order an H5 checkout link holds, asked for now: an h5_url lives
    five minutes, and WeChat Pay checks it is opened from the IP it was asked for. The same
    out_trade_no and amount: the same order at WeChat Pay, never a second one. ProviderError if
    it refuses."""
    order = _order_body(trade_no=data["trade_no"], amount_minor=data["amount_minor"], currency=data["currency"],
                        description=data["description"])
    return f"{_h5_url(order, payer.ip)}&redirect_url={quote(data['back'], safe='')}"


# --- the HTTP client ----------------------------------------------------------------------------

def _call(method: str, path: str, payload: dict | None = None) -> dict:
    body = json.dumps(payload, separators=(",", ":")) if payload is not None else ""
    stamp, nonce = str(int(time.time())), secrets.token_hex(16)
    signature = _sign(f"{method}\n{path}\n{stamp}\n{nonce}\n{body}\n")
    authorization = (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{settings.WECHATPAY_MCHID}",nonce_str="{nonce}",'
        f'signature="{signature}",timestamp="{stamp}",serial_no="{settings.WECHATPAY_CERT_SERIAL}"'
    )
    headers = {"Authorization": authorization, "Accept": "application/json", "Content-Type": "application/json"}
    try:
        response = requests.request(method, settings.WECHATPAY_API_BASE.rstrip("/") + path, data=body or None,
                                    headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise ProviderError(f"wechatpay: {type(exc).__name__}") from None
    try:
        verify_signed(timestamp=response.headers.get("Wechatpay-Timestamp"),
                      nonce=response.headers.get("Wechatpay-Nonce", ""), body=response.content,
                      signature=response.headers.get("Wechatpay-Signature"),
                      serial=response.headers.get("Wechatpay-Serial"))
    except ValueError as exc:
        raise ProviderError(f"wechatpay: the answer is not the platform's ({exc})") from None
    data = response.json() if response.content else {}
    if response.status_code >= 400:
        raise ProviderError(f"wechatpay: {response.status_code} {data.get('code', '')} {data.get('message', '')}")
    return data


class WeChatPayProvider(PaymentProvider):
    code = "wechatpay"

    def create_payment(self, *, idempotency_key, amount_minor, currency, description, return_url, payer=None):
        trade_no = wire_ref(idempotency_key)
        terms = {"trade_no": trade_no, "amount_minor": amount_minor, "currency": currency.upper(),
                 "description": description[:127]}
        order = _order_body(**terms)
        if _wants_h5(payer):
            _h5_url(order, payer.ip)  # the order exists at WeChat Pay now (or the provider's error is ours now)
            # The link holds the order's terms, not the order: Payment.checkout_url has 500 characters.
            return Checkout(provider_ref=trade_no,
                            checkout_url=_page_url("orders:wechat-h5", H5_SALT, {**terms, "back": return_url}))
        code_url = str(_call("POST", "/v3/pay/transactions/native", order).get("code_url") or "")
        if not code_url.startswith("weixin://"):
            raise ProviderError("wechatpay: no code_url in the answer")
        return Checkout(provider_ref=trade_no,
                        checkout_url=qr_page_url(code_url=code_url, back=return_url, trade_no=trade_no))

    def query_payment(self, *, provider_ref):
        data = _call("GET", f"/v3/pay/transactions/out-trade-no/{quote(provider_ref)}"
                            f"?mchid={quote(settings.WECHATPAY_MCHID)}")
        amount = data.get("amount") or {}
        return PaymentState(provider_ref=provider_ref, status=TRADE_STATES.get(data.get("trade_state"), "pending"),
                            amount_minor=int(amount.get("total") or 0), currency=str(amount.get("currency") or ""))

    def refund(self, *, provider_ref, idempotency_key, amount_minor, currency):
        total = self.query_payment(provider_ref=provider_ref).amount_minor
        data = _call("POST", "/v3/refund/domestic/refunds", {
            "out_trade_no": provider_ref, "out_refund_no": wire_ref(idempotency_key),
            "notify_url": settings.SITE_URL + reverse("payment-webhook", kwargs={"provider": self.code}),
            "amount": {"refund": amount_minor, "total": total, "currency": currency.upper()},
        })
        return RefundResult(provider_ref=str(data.get("refund_id") or ""),
                            status=REFUND_STATES.get(data.get("status"), "pending"))

    def query_refund(self, *, provider_ref, idempotency_key):
        data = _call("GET", f"/v3/refund/domestic/refunds/{quote(wire_ref(idempotency_key))}")
        return RefundResult(provider_ref=str(data.get("refund_id") or provider_ref),
                            status=REFUND_STATES.get(data.get("status"), "pending"))

    def parse_webhook(self, *, headers, body):
        try:
            verify_signed(timestamp=headers.get("Wechatpay-Timestamp"), nonce=headers.get("Wechatpay-Nonce", ""),
                          body=body, signature=headers.get("Wechatpay-Signature"),
                          serial=headers.get("Wechatpay-Serial"))
            nonce = str(headers.get("Wechatpay-Nonce", ""))
            if not nonce or len(nonce) > 64 or not cache.add(f"wechatpay:nonce:{nonce}", 1, NONCE_TTL_SECONDS):
                raise ValueError("a nonce seen before: a replay")
            event = loads_event(body)
            resource = decrypt_resource(event["resource"])
            return _update_of(event, resource)
        except ValueError as exc:
            raise InvalidSignature(str(exc)[:200]) from None
        except MALFORMED as exc:
            raise InvalidSignature(f"malformed notification: {type(exc).__name__}") from None

    def refuse(self, error):
        return HttpResponse(json.dumps({"code": "FAIL", "message": str(error.detail)[:200]}), status=error.status,
                            content_type="application/json")

    def ack(self, *, ok=True, detail=""):
        if ok:
            return HttpResponse(status=204)
        return HttpResponse(json.dumps({"code": "FAIL", "message": detail[:200] or "refused"}), status=400,
                            content_type="application/json")


def _update_of(event: dict, resource: dict) -> PaymentUpdate:
    kind = str(event["event_type"])
    common = {"event_id": str(event["id"]), "event_type": kind, "raw": {**event, "resource": "(decrypted)"}}
    amount = resource.get("amount") or {}
    if kind.startswith("REFUND."):
        return PaymentUpdate(
            **common, provider_ref=str(resource["out_trade_no"]),
            status=REFUND_STATES.get(resource.get("refund_status"), "pending"),
            amount_minor=int(amount.get("refund") or 0), currency=str(amount.get("currency") or "CNY"),
            refund_provider_ref=str(resource.get("refund_id") or ""),
            refund_ref=our_ref(str(resource.get("out_refund_no") or "")),
        )
    return PaymentUpdate(
        **common, provider_ref=str(resource["out_trade_no"]),
        status=TRADE_STATES.get(resource.get("trade_state"), "pending"),
        amount_minor=int(amount.get("total") or 0), currency=str(amount.get("currency") or ""),
    )
