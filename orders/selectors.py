"""Reads for the buyer's orders and payments, with their joins; and the access helpers, the only
way a view gets an order or a payment (404 when it is not the caller's)."""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Now

from giftshop.errors import NotFound
from logistics.models import TrackingEvent
from orders.models import Order, Payment, Refund
from orders.payments import get_provider
from orders.payments.base import ProviderError

# Ids are positive 64-bit integers; anything else is simply not an order of yours.
_ID_RE = re.compile(r"[0-9]{1,18}")


def _own(user, object_id):
    return user.is_authenticated and _ID_RE.fullmatch(str(object_id)) is not None


def order_list_for_buyer(*, user) -> QuerySet[Order]:
    """The user's orders, newest first, with everything the order pages and the API show:
    store, lines, payments (with their refunds) and, for purchases, the shipment and its events."""
    if not user.is_authenticated:
        return Order.objects.none()
    return (
        Order.objects.filter(buyer=user)
        .select_related("store", "shipment")
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=Payment.objects.order_by("-created_at", "-id").prefetch_related("refunds")),
            Prefetch("shipment__events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")),
        )
        .order_by("-created_at", "-id")
    )


def access_order_by_id(*, user, order_id) -> Order:
    order = order_list_for_buyer(user=user).filter(id=int(order_id)).first() if _own(user, order_id) else None
    if order is None:
        raise NotFound()
    return order


def access_payment_by_id(*, user, payment_id) -> Payment:
    """A payment of one of the user's orders (the payer's), with its order and refunds."""
    payment = None
    if _own(user, payment_id):
        payment = (
            Payment.objects.select_related("order")
            .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")))
            .filter(id=int(payment_id), order__buyer=user)
            .first()
        )
    if payment is None:
        raise NotFound()
    return payment


def order_payment(order: Order) -> Payment | None:
    """The order's current payment (the newest), from the prefetched rows when there are some."""
    payments = list(order.payments.all())
    return payments[0] if payments else None


# --- an unpaid order: confirm, or pay ----------------------------------------------------------

class PaymentStage:
    """What an unpaid order's pages offer (the gift page, the order page): one rule, here."""

    CONFIRMING = "confirming"  # the buyer has paid (or failed) at the provider; its news is on its way
    PAY = "pay"  # not paid at the provider, and the payment window is open: "Pay now"
    CLOSED = "closed"  # the payment window has closed: the order is being cancelled, nothing to pay
    SETTLED = "settled"  # not waiting for a payment any more (paid, failed, cancelled, refunded)


def payment_waiting(*, provider: str, provider_ref: str) -> bool:
    """Whether the provider's checkout page for this payment is still worth showing: its payment
    is pending (not yet paid, failed or given up)."""
    return Payment.objects.filter(provider=provider, provider_ref=provider_ref, status=Payment.Status.PENDING).exists()


def order_payment_stage(*, order: Order, payment: Payment | None) -> str:
    """Offer "Pay now" only when the provider says the payment was not made (abandoned at the
    checkout, or never opened) and the payment window (Order.pay_by, on the database clock) is
    still open. Right after paying, the provider already knows while its webhook has not reached
    us: then the page says it is confirming, and offers no second payment. A provider that cannot
    be asked counts as confirming too (a refresh tells more; reconciliation settles it)."""
    if order.status != Order.Status.PENDING_PAYMENT:
        return PaymentStage.SETTLED
    if not Order.objects.filter(id=order.id, pay_by__gt=Now()).exists():
        return PaymentStage.CLOSED
    if payment is None or payment.status != Payment.Status.PENDING:
        return PaymentStage.CONFIRMING
    if not payment.provider_ref:
        return PaymentStage.PAY  # the checkout never opened (the provider failed): "Pay now" opens it
    try:
        state = get_provider(payment.provider).query_payment(provider_ref=payment.provider_ref)
    except (ProviderError, NotFound):
        return PaymentStage.CONFIRMING
    if state.status == "pending" and payment.checkout_url:
        return PaymentStage.PAY
    return PaymentStage.CONFIRMING


# --- refunds: how much, from which payment ---------------------------------------------------

@dataclass(frozen=True)
class RefundSummary:
    """The one answer to "how much of this payment has been refunded": `committed_minor` is what
    refunds have promised back, `succeeded_minor` what the provider has confirmed, `pending_minor`
    what it has not yet (pending, and failed: a failed refund is still owed and tried again, so its
    amount stays reserved for it), `left_minor` what may still be refunded."""

    paid_minor: int
    committed_minor: int
    succeeded_minor: int
    pending_minor: int

    @property
    def left_minor(self) -> int:
        return self.paid_minor - self.committed_minor


def refund_summary(*, payment: Payment) -> RefundSummary:
    totals = payment.refunds.aggregate(
        succeeded=Sum("amount_minor", filter=Q(status=Refund.Status.SUCCEEDED)),
        pending=Sum("amount_minor", filter=Q(status__in=[Refund.Status.PENDING, Refund.Status.FAILED])),
    )
    succeeded, pending = totals["succeeded"] or 0, totals["pending"] or 0
    return RefundSummary(paid_minor=payment.amount_minor, committed_minor=succeeded + pending,
                         succeeded_minor=succeeded, pending_minor=pending)


def refundable_payment(*, order: Order) -> Payment | None:
    """The payment refunds of this order go back to (refunds always go to the original payment)."""
    return order.payments.filter(status__in=Payment.REFUNDABLE).order_by("id").first()


def refund_ref(*, payment_id, reason, scope) -> str:
    """A refund's deterministic reference: one refund per payment, reason and scope, ever."""
    return f"refund:{payment_id}:{reason}:{scope}"


def refund_attempt_key(refund: Refund) -> str:
    """The idempotency key of a refund's current try at the provider: its refund_ref for the first
    (as every refund before retries had), refund_ref:<n> for try n, so a retry of a failed refund
    is a new request and never the replay of the failed one."""
    return refund.refund_ref if refund.attempts <= 1 else f"{refund.refund_ref}:{refund.attempts}"


def refund_attempt_of(key: str) -> tuple[str, int]:
    """The refund_ref and the try that refund_attempt_key(...) made `key` from."""
    base, _sep, tail = key.rpartition(":")
    if key.count(":") == 4 and tail.isdigit():  # refund:<payment>:<reason>:<scope>:<try>
        return base, int(tail)
    return key, 1


def refund_find(*, order: Order, reason: str, scope) -> Refund | None:
    """The refund already made of this order for `reason` about `scope`, if any."""
    payment_ids = order.payments.values_list("id", flat=True)
    refs = [refund_ref(payment_id=payment_id, reason=reason, scope=scope) for payment_id in payment_ids]
    return Refund.objects.filter(refund_ref__in=refs).first()


def units_refund_minor(*, order: Order, units: int) -> int:
    """What `units` of a one-line order give back: the unit price paid (the order line's), never today's."""
    return order.lines.get().unit_price_minor * units


def order_refund_left_minor(*, order: Order) -> int:
    """What a refund of the rest of this order would give back now (what refund_rest refunds)."""
    payment = refundable_payment(order=order)
    return refund_summary(payment=payment).left_minor if payment is not None else 0
