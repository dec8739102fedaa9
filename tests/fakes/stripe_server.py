"""A small fake Stripe on loopback, for pointing the official `stripe` library at (STRIPE_API_BASE).

It implements only the endpoints giftshop calls, with answers shaped like Stripe's API objects
(checkout.session, refund, the error envelope), and keeps Stripe's rules that matter to us:
a bearer secret key, the Idempotency-Key replay (the first answer for a key is stored and replayed;
the same key with other parameters is an `idempotency_error`), refunds never above what was paid.

What a customer or Stripe itself would do is driven from the test, in-process: `pay(session_id)`,
`expire(session_id)`, `settle_refund(refund_id, status)` change the objects and return the webhook
Stripe would send, signed with the library's own helper (`stripe.WebhookSignature`).

    POST /v1/checkout/sessions        GET /v1/checkout/sessions/<id>
    POST /v1/refunds                  GET /v1/refunds/<id>
"""

import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl

import stripe

from tests.fakes.loopback import LoopbackServer

API_KEY = "sk_test_fake_giftshop"
WEBHOOK_SECRET = "whsec_fake_giftshop_signing_secret"


def _id(prefix):
    return f"{prefix}_test_{secrets.token_hex(12)}"


def unflatten(pairs) -> dict:
    """Stripe's form encoding (line_items[0][price_data][currency]=cny) back into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, nxt in zip(parts, parts[1:] + [None], strict=True):
            if nxt is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class FakeStripe(LoopbackServer):
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idempotency: dict[str, tuple[str, int, dict]] = {}  # key -> (params digest, status, body)
        self.refund_status = "succeeded"  # what a new refund answers: succeeded, pending or failed
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, idempotency key)
        self.lock = threading.Lock()
        super().__init__()

    # --- the API -------------------------------------------------------------------------------

    def handle(self, method, path, params, headers) -> tuple[int, dict]:
        if headers.get("Authorization") != f"Bearer {API_KEY}":
            return 401, _error("invalid_request_error", "Invalid API Key provided.")
        key = headers.get("Idempotency-Key")
        self.requests.append((method, path, key))
        if method == "POST" and key:
            digest = json.dumps([path, params], sort_keys=True)
            with self.lock:
                if key in self.idempotency:
                    seen, status, body = self.idempotency[key]
                    if seen != digest:
                        return 400, _error("idempotency_error", "Keys for idempotent requests can only be used "
                                                                "with the same parameters they were first used with.")
                    return status, body
                status, body = self._route(method, path, params)
                if status < 400 or status >= 500:  # Stripe stores results, not validation failures
                    self.idempotency[key] = (digest, status, body)
                return status, body
        with self.lock:
            return self._route(method, path, params)

    def _route(self, method, path, params):
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._session_create(params)
        if method == "GET" and (m := re.fullmatch(r"/v1/checkout/sessions/([\w]+)", path)):
            session = self.sessions.get(m[1])
            return (200, session) if session else (404, _error("invalid_request_error", "No such checkout.session"))
        if method == "POST" and path == "/v1/refunds":
            return self._refund_create(params)
        if method == "GET" and (m := re.fullmatch(r"/v1/refunds/([\w]+)", path)):
            refund = self.refunds.get(m[1])
            return (200, refund) if refund else (404, _error("invalid_request_error", "No such refund"))
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _session_create(self, params):
        try:
            [line] = params["line_items"]
            amount = int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
            currency = line["price_data"]["currency"]
        except (KeyError, ValueError, TypeError):
            return 400, _error("invalid_request_error", "Missing required param: line_items.")
        if params.get("mode") != "payment":
            return 400, _error("invalid_request_error", "Invalid mode.")
        session_id = _id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "amount_total": amount, "amount_subtotal": amount, "currency": currency,
            "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}", "payment_intent": None, "livemode": False,
            "created": int(time.time()), "expires_at": int(time.time()) + 86400,
        }
        self.sessions[session_id] = session
        return 200, session

    def _refund_create(self, params):
        intent = params.get("payment_intent")
        session = next((s for s in self.sessions.values() if s["payment_intent"] and s["payment_intent"] == intent),
                       None)
        if session is None:
            return 400, _error("invalid_request_error", f"No such payment_intent: '{intent}'")
        amount = int(params.get("amount") or session["amount_total"])
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == intent and r["status"] in ("succeeded", "pending"))
        if amount > session["amount_total"] - refunded:
            return 400, _error("invalid_request_error", "Refund amount is greater than unrefunded amount on charge.",
                               code="amount_too_large")
        refund = {
            "id": _id("re"), "object": "refund", "amount": amount, "currency": session["currency"],
            "payment_intent": intent, "charge": session["charge"], "status": self.refund_status,
            "metadata": params.get("metadata", {}), "reason": None, "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    # --- what the customer and Stripe do, and the webhooks Stripe sends ------------------------------

    def pay(self, session_id):
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="paid", payment_intent=_id("pi"))
            session["charge"] = _id("ch")
        return self.event("checkout.session.completed", session)

    def expire(self, session_id):
        with self.lock:
            self.sessions[session_id].update(status="expired")
        return self.event("checkout.session.expired", self.sessions[session_id])

    def settle_refund(self, refund_id, status):
        with self.lock:
            self.refunds[refund_id]["status"] = status
        return self.event("refund.updated", self.refunds[refund_id])

    def charge_refunded(self, payment_intent):
        """Every refund of the payment succeeds; charge.refunded carries the charge with its refunds
        (newest first), as API versions that include them do."""
        with self.lock:
            session = next(s for s in self.sessions.values() if s["payment_intent"] == payment_intent)
            refunds = sorted((r for r in self.refunds.values() if r["payment_intent"] == payment_intent),
                             key=lambda r: (r["created"], r["id"]), reverse=True)
            for refund in refunds:
                refund["status"] = "succeeded"
            charge = {"id": session["charge"], "object": "charge", "payment_intent": payment_intent,
                      "amount": session["amount_total"], "amount_refunded": sum(r["amount"] for r in refunds),
                      "currency": session["currency"], "refunded": True,
                      "refunds": {"object": "list", "data": [dict(r) for r in refunds], "has_more": False}}
        return self.event("charge.refunded", charge)

    def event(self, kind, obj, *, timestamp=None, secret=WEBHOOK_SECRET) -> tuple[bytes, str]:
        """(raw body, Stripe-Signature header) of the event Stripe would POST."""
        body = json.dumps({
            "id": _id("evt"), "object": "event", "api_version": "2025-01-27.acacia", "created": int(time.time()),
            "type": kind, "livemode": False, "pending_webhooks": 1, "data": {"object": dict(obj)},
        })
        header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
        return body.encode(), header

    def respond(self, method, path, headers, body):
        path, _, query = path.partition("?")
        raw = body.decode() if body else query
        status, answer = self.handle(method, path, unflatten(parse_qsl(raw, keep_blank_values=True)), headers)
        return status, {"Request-Id": _id("req")}, json.dumps(answer).encode()


def _error(kind, message, code=None):
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}
