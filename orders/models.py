from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from giftshop.money import DEFAULT_CURRENCY
from giftshop.transitions import Transitions


def _status_check(name, values):
    return models.CheckConstraint(condition=models.Q(status__in=values), name=name)


class Order(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("purchase")
        GIFT = "gift", _("gift")

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("waiting for payment")
        PAID = "paid", _("paid")
        PAYMENT_FAILED = "payment_failed", _("payment failed")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    S = Status
    TRANSITIONS = Transitions(
        {
            S.PENDING_PAYMENT: {S.PAID, S.PAYMENT_FAILED, S.CANCELLED},
            S.PAID: {S.REFUNDED},
        }
    )

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    total_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    # Purchases: where to ship, copied from the buyer's address book when ordering; the shipment
    # is created from it once the order is paid.
    ship_to = models.JSONField(default=dict, blank=True)
    shipment = models.OneToOneField(
        "logistics.Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="purchase_order"
    )
    # The payment window: unpaid by then, the order is cancelled and its stock released.
    pay_by = models.DateTimeField()
    created_at = models.DateTimeField(db_default=Now())
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "pay_by"], name="order_unpaid_due_idx"),
            models.Index(fields=["buyer", "-created_at", "-id"], name="order_buyer_recent_idx"),
        ]
        constraints = [
            _status_check("order_status_valid", ["pending_payment", "paid", "payment_failed", "cancelled", "refunded"]),
            models.CheckConstraint(condition=models.Q(kind__in=["purchase", "gift"]), name="order_kind_valid"),
            models.CheckConstraint(condition=models.Q(total_minor__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return f"Order {self.pk} ({self.kind}, {self.status})"


class OrderLine(models.Model):
    """What was bought, at the price paid. Refunds are computed from here, never from the catalog."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("stores.Variant", on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField()
    unit_price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    product_title = models.CharField(max_length=120)
    variant_name = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=100), name="orderline_quantity_range"
            ),
            models.CheckConstraint(condition=models.Q(unit_price_minor__gte=0), name="orderline_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_title} / {self.variant_name}"

    @property
    def total_minor(self):
        return self.quantity * self.unit_price_minor


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        PARTIALLY_REFUNDED = "partially_refunded", _("partly refunded")
        REFUNDED = "refunded", _("refunded")

    S = Status
    TRANSITIONS = Transitions(
        {
            S.PENDING: {S.SUCCEEDED, S.FAILED},
            S.FAILED: {S.SUCCEEDED},  # a success that arrives after a failure notice still took money
            S.SUCCEEDED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
            S.PARTIALLY_REFUNDED: {S.REFUNDED},
        }
    )
    # Money we hold for the payer: what refunds are drawn from.
    REFUNDABLE = (S.SUCCEEDED, S.PARTIALLY_REFUNDED)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=100, blank=True, default="")
    # Deterministic, stored before calling the provider and reused on every retry.
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    checkout_url = models.CharField(max_length=500, blank=True, default="")
    # Set when the provider reported a payment we cannot take as it is (the wrong amount or
    # currency): the order is kept for the admin, never cancelled by the payment-window sweep.
    review_reason = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(db_default=Now())
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "provider_ref"], name="payment_provider_ref_idx")]
        constraints = [
            _status_check("payment_status_valid", ["pending", "succeeded", "failed", "partially_refunded", "refunded"]),
            models.CheckConstraint(
                condition=models.Q(refunded_minor__gte=0, refunded_minor__lte=models.F("amount_minor")),
                name="payment_refunded_within_amount",
            ),
        ]

    def __str__(self):
        return f"Payment {self.pk} {self.provider}:{self.provider_ref} ({self.status})"


class Refund(models.Model):
    class Reason(models.TextChoices):
        EXPIRED = "expired", _("the gift expired")
        CANCELLED = "cancelled", _("the sender cancelled")
        DECLINED = "declined", _("the recipient declined")
        NOT_SHIPPED = "not_shipped", _("the store did not ship in time")
        LATE_PAYMENT = "late_payment", _("the payment arrived after the order was cancelled")
        LOTTERY = "lottery_unclaimed", _("a lottery prize was not claimed")
        MERCHANT = "merchant", _("refunded by the store")
        RETURNED = "returned", _("the parcel came back to the store")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    S = Status
    TRANSITIONS = Transitions({S.PENDING: {S.SUCCEEDED, S.FAILED}, S.FAILED: {S.PENDING}})

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    # refund:<payment id>:<reason>:<claim id, order id or "unclaimed">: one refund per reason, ever.
    refund_ref = models.CharField(max_length=120, unique=True)
    amount_minor = models.BigIntegerField()
    reason = models.CharField(max_length=24, choices=Reason.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(max_length=100, blank=True, default="")
    # Tries at the provider: each retry of a failed refund is a new try, with its own idempotency
    # key (orders.selectors.refund_attempt_key); after REFUND_MAX_ATTEMPTS it waits for the admin.
    attempts = models.PositiveSmallIntegerField(default=1)
    retry_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The reconciliation job: refunds the provider has not confirmed yet, and failed ones due a retry.
            models.Index(fields=["created_at", "id"], condition=models.Q(status="pending"), name="refund_pending_idx"),
            models.Index(fields=["retry_at", "id"], condition=models.Q(status="failed"), name="refund_retry_idx"),
        ]
        constraints = [
            _status_check("refund_status_valid", ["pending", "succeeded", "failed"]),
            models.CheckConstraint(
                condition=models.Q(reason__in=["expired", "cancelled", "declined", "not_shipped", "late_payment",
                                               "lottery_unclaimed", "merchant", "returned"]),
                name="refund_reason_valid",
            ),
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self):
        return f"Refund {self.refund_ref} ({self.status})"


class WebhookEvent(models.Model):
    """Every verified provider notification, once: a replay hits the unique key and is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60, blank=True, default="")
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self):
        return f"{self.provider}:{self.event_id}"


# --- The sandbox provider's own books ---------------------------------------------------------
# The sandbox stands in for an outside payment service. These tables are its side of the wire:
# our code reaches them only through orders.payments.sandbox, as it would reach Stripe's servers.


class SandboxCharge(models.Model):
    class Status(models.TextChoices):
        REQUIRES_ACTION = "requires_action", "requires_action"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    ref = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True, default="")
    return_url = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUIRES_ACTION)
    refunded_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [_status_check("sandbox_charge_status_valid", ["requires_action", "succeeded", "failed"])]

    def __str__(self):
        return self.ref


class SandboxRefund(models.Model):
    """A refund at the sandbox. Made in SANDBOX_REFUND_MODE "succeeded" it is final at once (as the
    sandbox always did); in "pending" or "failed" it reads as pending until `settle_at`, then as
    `settles_to`, and a refund.updated webhook says so (as Stripe's and WeChat Pay's do)."""

    ref = models.CharField(max_length=40, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="refunds")
    idempotency_key = models.CharField(max_length=120, unique=True)
    amount_minor = models.BigIntegerField()
    settles_to = models.CharField(max_length=12, default="succeeded")  # succeeded or failed
    settle_at = models.DateTimeField(db_default=Now())
    created_at = models.DateTimeField(db_default=Now())

    def __str__(self):
        return self.ref


class SandboxWebhook(models.Model):
    """A notification the sandbox owes our webhook endpoint; sent by its own delivery job."""

    event_id = models.CharField(max_length=40)
    body = models.TextField()
    deliver_after = models.DateTimeField(db_default=Now())
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    dropped = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["deliver_after", "id"]

    def __str__(self):
        return self.event_id
