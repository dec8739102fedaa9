"""Stripe behind the payment interface, through the official `stripe` library (REFERENCE.md, Payments).

- A payment is a hosted Checkout Session (mode "payment", one line of the order's total) that
  returns to the order or gift page; its id is the payment's provider_ref. Every call carries our
  deterministic idempotency key (`pay:<order>:<attempt>`, the refund's key per try).
- Webhooks are verified by `stripe.Webhook.construct_event` on the raw body (tolerance 300 s), and
  on top of it we refuse a timestamp more than 300 s in the future (Stripe's check is one-sided).
- Events: checkout.session.completed (paid, or pending for a delayed method), the async
  succeeded/failed pair, checkout.session.expired (failed), payment_intent.payment_failed (a failed
  try inside a Checkout that stays open: informational), refund.updated / refund.created and
  charge.refunded (a refund's news: our key is in the refund's metadata).
- STRIPE_API_BASE points the client elsewhere (the tests' fake Stripe on loopback); empty: Stripe.

Amounts are in the currency's minor unit, as ours (CNY fen, USD cents); Stripe spells currencies
in lower case. The adapter never touches our models: the services do.
"""

import dataclasses
import time

import stripe
from django.conf import settings

from orders.payments.base import (
    MALFORMED,
    Checkout,
    InvalidSignature,
    PaymentProvider,
    PaymentState,
    PaymentUpdate,
    ProviderError,
    RefundResult,
    loads_event,
)

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300
PAYMENT_EVENTS = {
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired", "payment_intent.payment_failed",
}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refunded"}
REFUND_STATUS = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}  # else pending


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderError("STRIPE_SECRET_KEY is not set")
    bases = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    # No retries of our own inside the library: the outbox retries, with the same idempotency key.
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=bases, max_network_retries=0)


def _session_status(session) -> str:
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return "succeeded"
    if session.get("status") == "expired":
        return "failed"
    return "pending"


class StripeProvider(PaymentProvider):
    code = "stripe"

    def create_payment(self, *, idempotency_key, amount_minor, currency, description, return_url, payer=None):
        try:
            session = _client().v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "line_items": [{
                        "quantity": 1,
                        "price_data": {"currency": currency.lower(), "unit_amount": amount_minor,
                                       "product_data": {"name": description[:200]}},
                    }],
                    "success_url": return_url,
                    "cancel_url": return_url,
                    "client_reference_id": idempotency_key,
                    "metadata": {"payment_key": idempotency_key},
                    "payment_intent_data": {"metadata": {"payment_key": idempotency_key}},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"stripe: {exc.user_message or exc}") from None
        return Checkout(provider_ref=session.id, checkout_url=session.url)

    def query_payment(self, *, provider_ref):
        try:
            session = _client().v1.checkout.sessions.retrieve(provider_ref)
        except stripe.StripeError as exc:
            raise ProviderError(f"stripe: {exc.user_message or exc}") from None
        return PaymentState(provider_ref=session.id, status=_session_status(session),
                            amount_minor=int(session.amount_total or 0), currency=str(session.currency).upper())

    def refund(self, *, provider_ref, idempotency_key, amount_minor, currency):
        client = _client()
        try:
            session = client.v1.checkout.sessions.retrieve(provider_ref)
            if not session.payment_intent:
                raise ProviderError("stripe: the checkout session has no payment to refund")
            refund = client.v1.refunds.create(
                params={"payment_intent": session.payment_intent, "amount": amount_minor,
                        "metadata": {"refund_ref": idempotency_key}},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"stripe: {exc.user_message or exc}") from None
        return RefundResult(provider_ref=refund.id, status=REFUND_STATUS.get(refund.status, "pending"))

    def query_refund(self, *, provider_ref, idempotency_key):
        if not provider_ref:
            raise ProviderError("stripe: a refund is looked up by its id")
        try:
            refund = _client().v1.refunds.retrieve(provider_ref)
        except stripe.StripeError as exc:
            raise ProviderError(f"stripe: {exc.user_message or exc}") from None
        return RefundResult(provider_ref=refund.id, status=REFUND_STATUS.get(refund.status, "pending"))

    def parse_webhook(self, *, headers, body):
        header = headers.get(SIGNATURE_HEADER)
        try:
            stripe.Webhook.construct_event(body, header, settings.STRIPE_WEBHOOK_SECRET, tolerance=TOLERANCE_SECONDS)
            _not_from_the_future(header)
            event = loads_event(body)
            return _update_of(event)
        except (stripe.SignatureVerificationError, ValueError, UnicodeError) as exc:
            # a bad or stale signature, broken JSON, an update we cannot keep
            raise InvalidSignature(str(exc)[:200]) from None
        except MALFORMED as exc:
            raise InvalidSignature(f"malformed event: {exc}"[:200]) from None



def _not_from_the_future(header: str) -> None:
    """Stripe's library refuses a timestamp older than the tolerance; we refuse one as far ahead."""
    stamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
    if not stamps or not stamps[0].isascii() or not stamps[0].isdigit() or len(stamps[0]) > 12:
        raise ValueError("no timestamp in the signature header")
    if int(stamps[0]) > time.time() + TOLERANCE_SECONDS:
        raise ValueError("the signature's timestamp is in the future")


def _refund_news(common: dict, obj: dict, refund: dict) -> PaymentUpdate:
    return PaymentUpdate(
        **common, provider_ref=str(obj.get("payment_intent") or ""),
        status=REFUND_STATUS.get(refund.get("status"), "pending"),
        amount_minor=int(refund.get("amount") or 0), currency=str(refund.get("currency") or "").upper(),
        refund_provider_ref=str(refund.get("id") or ""),
        refund_ref=str((refund.get("metadata") or {}).get("refund_ref") or ""),
    )


def _update_of(event: dict) -> PaymentUpdate:
    kind = str(event["type"])
    obj = event["data"]["object"]
    common = {"event_id": str(event["id"]), "event_type": kind, "occurred_at": int(event.get("created") or 0),
              "raw": event}
    if kind in REFUND_EVENTS:
        # refund.*: the refund; charge.refunded: the charge, with its refunds where the API version
        # includes them (newest first; each is applied, as each may be news).
        refunds = ((obj.get("refunds") or {}).get("data") or []) if obj.get("object") == "charge" else [obj]
        news = [n for n in (_refund_news(common, obj, refund) for refund in refunds[:100] if refund) if n.is_refund]
        if not news:  # no refund we could know in it: nothing to apply
            return PaymentUpdate(**common, provider_ref=str(obj.get("id") or "?"), status="pending", amount_minor=0,
                                 currency="")
        first, *more = news
        return dataclasses.replace(first, more=tuple(more))
    if kind.startswith("checkout.session."):
        status = {"checkout.session.async_payment_succeeded": "succeeded",
                  "checkout.session.async_payment_failed": "failed",
                  "checkout.session.expired": "failed"}.get(kind) or _session_status(obj)
        return PaymentUpdate(**common, provider_ref=str(obj["id"]), status=status,
                             amount_minor=int(obj.get("amount_total") or 0),
                             currency=str(obj.get("currency") or "").upper())
    # payment_intent.payment_failed and anything else: informational (a Checkout stays open after a
    # failed try; its expiry is what ends it)
    return PaymentUpdate(**common, provider_ref=str(obj.get("id") or ""), status="pending",
                         amount_minor=int(obj.get("amount") or 0), currency=str(obj.get("currency") or "").upper())
