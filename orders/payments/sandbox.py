"""The sandbox payment provider: an outside party that runs in this process.

Its side of the wire (orders.models.Sandbox*) keeps charges, idempotency keys and refunds, shows a
hosted checkout page (/pay/sandbox/<ref>/ with "Pay" and "Fail"), and tells us the outcome only
through a signed webhook (Stripe-style, see signing.py) that its own delivery job POSTs to our
endpoint, asynchronously. Like a real provider it can duplicate, delay, reorder or drop those
webhooks (SANDBOX_PAYMENT_WEBHOOK_MODE, or per completion), so reconciliation must recover.

`SandboxProvider` is our adapter for it, the same interface a Stripe or WeChat Pay adapter has.
"""

import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.urls import reverse

from giftshop import signing
from giftshop.sandbox_transport import post_to_us
from orders.models import SandboxCharge, SandboxRefund, SandboxWebhook
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

logger = logging.getLogger(__name__)

WEBHOOK_MODES = ("normal", "duplicate", "delay", "reorder", "drop")
SIGNATURE_HEADER = "Stripe-Signature"



def _ref(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


# --- the sandbox's own side ------------------------------------------------------------------


def sandbox_charge_create(*, idempotency_key, amount_minor, currency, description="", return_url=""):
    """Create a charge, or return the one made earlier with this idempotency key."""
    existing = SandboxCharge.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        if existing.amount_minor != amount_minor or existing.currency != currency:
            raise ProviderError("idempotency key reused with different parameters")
        return existing
    try:
        with transaction.atomic():
            return SandboxCharge.objects.create(
                ref=_ref("ch"),
                idempotency_key=idempotency_key,
                amount_minor=amount_minor,
                currency=currency,
                description=description[:200],
                return_url=return_url[:500],
            )
    except IntegrityError:
        return SandboxCharge.objects.get(idempotency_key=idempotency_key)


def _event(charge, event_type, status):
    return {
        "id": _ref("evt"),
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "object": {"id": charge.ref, "amount": charge.amount_minor, "currency": charge.currency, "status": status}
        },
    }


def sandbox_charge_complete(*, ref, outcome, webhook_mode=None):
    """The payer pressed "Pay" or "Fail". Records the outcome once and queues the webhook(s)."""
    if outcome not in ("succeeded", "failed"):
        raise ValueError("outcome must be succeeded or failed")
    mode = webhook_mode or settings.SANDBOX_PAYMENT_WEBHOOK_MODE
    if mode not in WEBHOOK_MODES:
        raise ValueError(f"webhook mode must be one of {WEBHOOK_MODES}")
    with transaction.atomic():
        moved = SandboxCharge.objects.filter(ref=ref, status=SandboxCharge.Status.REQUIRES_ACTION).update(
            status=outcome
        )
        charge = SandboxCharge.objects.get(ref=ref)
        if not moved:
            return charge  # already completed: a second click changes nothing
        final = _event(charge, f"payment.{outcome}", outcome)
        body = json.dumps(final, separators=(",", ":"))
        delay = timedelta(seconds=settings.SANDBOX_PAYMENT_WEBHOOK_DELAY_SECONDS)
        if mode == "normal":
            SandboxWebhook.objects.create(event_id=final["id"], body=body)
        elif mode == "duplicate":
            SandboxWebhook.objects.create(event_id=final["id"], body=body)
            SandboxWebhook.objects.create(event_id=final["id"], body=body)
        elif mode == "delay":
            SandboxWebhook.objects.create(event_id=final["id"], body=body, deliver_after=Now() + delay)
        elif mode == "reorder":
            # The earlier "processing" update arrives after the final one.
            early = _event(charge, "payment.processing", "pending")
            SandboxWebhook.objects.create(event_id=final["id"], body=body)
            SandboxWebhook.objects.create(
                event_id=early["id"], body=json.dumps(early, separators=(",", ":")), deliver_after=Now() + delay
            )
        else:  # drop: the provider never calls; only reconciliation can learn the outcome
            SandboxWebhook.objects.create(event_id=final["id"], body=body, dropped=True)
    if settings.SANDBOX_KICK_ON_COMMIT:
        transaction.on_commit(_kick_delivery)
    return charge


def _kick_delivery():
    try:
        from orders.tasks import sandbox_deliver_webhooks

        sandbox_deliver_webhooks.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the periodic delivery job is the net
        logger.warning("sandbox: could not nudge webhook delivery; the periodic job will send it")




def sandbox_deliver_webhooks(*, limit=50):
    """Send every due, undropped notification, signed at the moment of sending. Returns counts."""
    path = reverse("payment-webhook", kwargs={"provider": SandboxProvider.code})
    sent = failed = 0
    due = SandboxWebhook.objects.filter(delivered_at__isnull=True, dropped=False, deliver_after__lte=Now())
    for hook_id in list(due.order_by("deliver_after", "id").values_list("id", flat=True)[:limit]):
        taken = SandboxWebhook.objects.filter(id=hook_id, delivered_at__isnull=True, deliver_after__lte=Now()).update(
            attempts=F("attempts") + 1, deliver_after=Now() + timedelta(seconds=30)
        )
        if not taken:
            continue
        hook = SandboxWebhook.objects.get(id=hook_id)
        body = hook.body.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signing.sign(settings.SANDBOX_PAYMENT_SECRET, body),
        }
        try:
            status = post_to_us(path, body, headers)
        except Exception as exc:  # noqa: BLE001 - a network failure is retried
            logger.warning("sandbox: webhook %s failed: %s", hook.event_id, exc)
            status = 0
        if 200 <= status < 300:
            SandboxWebhook.objects.filter(id=hook.id).update(delivered_at=Now())
            sent += 1
        else:
            backoff = min(600, 5 * 2**hook.attempts)
            SandboxWebhook.objects.filter(id=hook.id).update(deliver_after=Now() + timedelta(seconds=backoff))
            failed += 1
    return {"sent": sent, "failed": failed}


REFUND_MODES = ("succeeded", "pending", "failed")


def sandbox_refund_create(*, charge_ref, idempotency_key, amount_minor, mode=None):
    """Refund part of a paid charge, once per idempotency key. In mode "succeeded" (the default)
    the refund is final at once; in "pending" or "failed" it settles after
    SANDBOX_REFUND_SETTLE_SECONDS, and a refund.updated webhook tells us how it went."""
    mode = mode or settings.SANDBOX_REFUND_MODE
    if mode not in REFUND_MODES:
        raise ValueError(f"refund mode must be one of {REFUND_MODES}")
    existing = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(ref=charge_ref)
        if charge.status != SandboxCharge.Status.SUCCEEDED:
            raise ProviderError("charge was not paid")
        if charge.refunded_minor + amount_minor > charge.amount_minor:
            raise ProviderError("refund exceeds the charge")
        settles_to = "failed" if mode == "failed" else "succeeded"
        if settles_to == "succeeded":  # a failed refund gives the money back to the charge
            SandboxCharge.objects.filter(id=charge.id).update(refunded_minor=F("refunded_minor") + amount_minor)
        settle_at = Now() if mode == "succeeded" else Now() + timedelta(seconds=settings.SANDBOX_REFUND_SETTLE_SECONDS)
        refund = SandboxRefund.objects.create(
            ref=_ref("re"), charge=charge, idempotency_key=idempotency_key, amount_minor=amount_minor,
            settles_to=settles_to, settle_at=settle_at,
        )
        if mode != "succeeded":
            refund.refresh_from_db(fields=["settle_at"])
            final = _refund_event(refund, settles_to)
            SandboxWebhook.objects.create(
                event_id=final["id"], body=json.dumps(final, separators=(",", ":")), deliver_after=refund.settle_at
            )
    return refund


def sandbox_refund_status(refund: SandboxRefund) -> str:
    """pending until the refund settles, then succeeded or failed."""
    settled = SandboxRefund.objects.filter(id=refund.id, settle_at__lte=Now()).exists()
    return refund.settles_to if settled else "pending"


def _refund_event(refund, status):
    """A refund.updated event, shaped like Stripe's: the refund object names its charge and carries
    our reference in its metadata."""
    return {
        "id": _ref("evt"),
        "type": "refund.updated",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": refund.ref, "object": "refund", "charge": refund.charge.ref, "amount": refund.amount_minor,
                "currency": refund.charge.currency, "status": status,
                "metadata": {"refund_ref": refund.idempotency_key},
            }
        },
    }


# --- our adapter -----------------------------------------------------------------------------


class SandboxProvider(PaymentProvider):
    code = "sandbox"

    def create_payment(self, *, idempotency_key, amount_minor, currency, description, return_url, payer=None):
        charge = sandbox_charge_create(
            idempotency_key=idempotency_key,
            amount_minor=amount_minor,
            currency=currency,
            description=description,
            return_url=return_url,
        )
        url = settings.SITE_URL + reverse("orders:sandbox-checkout", kwargs={"ref": charge.ref})
        return Checkout(provider_ref=charge.ref, checkout_url=url)

    def query_payment(self, *, provider_ref):
        charge = SandboxCharge.objects.filter(ref=provider_ref).first()
        if charge is None:
            raise ProviderError("unknown charge")
        status = {"succeeded": "succeeded", "failed": "failed"}.get(charge.status, "pending")
        return PaymentState(
            provider_ref=charge.ref, status=status, amount_minor=charge.amount_minor, currency=charge.currency
        )

    def refund(self, *, provider_ref, idempotency_key, amount_minor, currency):
        refund = sandbox_refund_create(
            charge_ref=provider_ref, idempotency_key=idempotency_key, amount_minor=amount_minor
        )
        return RefundResult(provider_ref=refund.ref, status=sandbox_refund_status(refund))

    def query_refund(self, *, provider_ref, idempotency_key):
        refund = SandboxRefund.objects.filter(ref=provider_ref).first() if provider_ref else None
        refund = refund or SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if refund is None:
            raise ProviderError("unknown refund")
        return RefundResult(provider_ref=refund.ref, status=sandbox_refund_status(refund))

    def parse_webhook(self, *, headers, body):
        try:
            signing.verify(settings.SANDBOX_PAYMENT_SECRET, headers.get(SIGNATURE_HEADER), body)
            event = loads_event(body)
            obj = event["data"]["object"]
            if obj.get("object") == "refund":
                return PaymentUpdate(
                    event_id=str(event["id"]),
                    event_type=str(event["type"]),
                    provider_ref=str(obj["charge"]),
                    status={"succeeded": "succeeded", "failed": "failed"}.get(obj.get("status"), "pending"),
                    amount_minor=int(obj["amount"]),
                    currency=str(obj["currency"]),
                    occurred_at=int(event.get("created", 0)),
                    raw=event,
                    refund_provider_ref=str(obj["id"]),
                    refund_ref=str((obj.get("metadata") or {}).get("refund_ref", "")),
                )
            return PaymentUpdate(
                event_id=str(event["id"]),
                event_type=str(event["type"]),
                provider_ref=str(obj["id"]),
                status={"succeeded": "succeeded", "failed": "failed"}.get(obj.get("status"), "pending"),
                amount_minor=int(obj["amount"]),
                currency=str(obj["currency"]),
                occurred_at=int(event.get("created", 0)),
                raw=event,
            )
        except ValueError as exc:  # bad signature, stale timestamp, broken JSON, a PaymentUpdate we cannot keep
            raise InvalidSignature(str(exc)) from None
        except MALFORMED as exc:
            # Well signed but not an event we can read: wrong shapes, 1e400 as an amount, [[[[…
            raise InvalidSignature(f"malformed event: {exc}") from None
