"""Django admin for orders, payments, refunds and provider notifications, for support staff.

Everything here is read-only: statuses and amounts move only through the services (a status set by
hand would skip its stock release, its refund or its history row), and the notifications and the
sandbox provider's own books are records of what happened. Support staff look things up here;
the periodic jobs and their management commands (reconcile_payments, cancel_unpaid_orders) act.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from giftshop.errors import DomainError
from giftshop.money import format_money
from orders.models import (
    Order,
    OrderLine,
    Payment,
    Refund,
    SandboxCharge,
    SandboxRefund,
    SandboxWebhook,
    WebhookEvent,
)
from orders.services.refunds import refund_retry


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product_title", "variant_name", "variant", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    @admin.display(description=_("unit price"))
    def unit_price(self, line):
        return format_money(line.unit_price_minor, line.currency)

    @admin.display(description=_("total"))
    def line_total(self, line):
        return format_money(line.total_minor, line.currency)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("provider", "provider_ref", "status", "amount_minor", "refunded_minor", "currency", "created_at")
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("refund_ref", "amount_minor", "reason", "status", "provider_ref", "created_at", "completed_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "buyer", "store", "kind", "status", "total", "created_at", "pay_by", "paid_at")
    list_filter = ("status", "kind")
    search_fields = ("=id", "buyer__username", "buyer__email", "store__name", "store__slug", "payments__provider_ref")
    list_select_related = ("buyer", "store")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "buyer",
        "store",
        "kind",
        "status",
        "total",
        "ship_to",
        "shipment",
        "pay_by",
        "created_at",
        "paid_at",
    )
    fields = readonly_fields
    inlines = (OrderLineInline, PaymentInline)

    @admin.display(description=_("total"), ordering="total_minor")
    def total(self, order):
        return format_money(order.total_minor, order.currency)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "provider", "provider_ref", "status", "amount", "refunded", "review_reason",
                    "created_at")
    list_filter = ("status", "provider", ("review_reason", admin.EmptyFieldListFilter))
    search_fields = ("=id", "=order__id", "provider_ref", "idempotency_key", "order__buyer__username")
    list_select_related = ("order",)
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "order",
        "provider",
        "provider_ref",
        "idempotency_key",
        "status",
        "review_reason",
        "amount_minor",
        "refunded_minor",
        "currency",
        "checkout_url",
        "created_at",
        "succeeded_at",
    )
    fields = readonly_fields
    inlines = (RefundInline,)

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, payment):
        return format_money(payment.amount_minor, payment.currency)

    @admin.display(description=_("refunded"), ordering="refunded_minor")
    def refunded(self, payment):
        return format_money(payment.refunded_minor, payment.currency)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("refund_ref", "payment", "amount", "reason", "status", "attempts", "provider_ref", "created_at",
                    "completed_at")
    list_filter = ("status", "reason")
    search_fields = ("refund_ref", "provider_ref", "=payment__id", "=payment__order__id", "payment__provider_ref")
    list_select_related = ("payment",)
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "payment",
        "refund_ref",
        "amount_minor",
        "reason",
        "status",
        "provider_ref",
        "attempts",
        "retry_at",
        "created_at",
        "completed_at",
    )
    fields = readonly_fields
    actions = ["retry_refund"]

    @admin.action(description=_("Try the failed refund again at the provider"))
    def retry_refund(self, request, queryset):
        retried = 0
        for refund in queryset:
            try:
                retried += refund_retry(refund_id=refund.id, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{refund.refund_ref}: {exc.detail}", messages.WARNING)
        self.message_user(
            request, ngettext("%(n)d refund sent again.", "%(n)d refunds sent again.", retried) % {"n": retried},
            messages.SUCCESS,
        )

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, refund):
        return format_money(refund.amount_minor, refund.payment.currency)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "provider", "event_id", "event_type", "outcome", "received_at")
    list_filter = ("provider", "event_type", "outcome")
    search_fields = ("event_id", "outcome")
    ordering = ("-id",)
    readonly_fields = ("provider", "event_id", "event_type", "payload", "outcome", "received_at")
    fields = readonly_fields


# --- the sandbox provider's side of the wire (it stands in for an outside service) -------------


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ReadOnlyAdmin):
    list_display = ("ref", "status", "amount_minor", "refunded_minor", "currency", "created_at")
    list_filter = ("status",)
    search_fields = ("ref", "idempotency_key")
    ordering = ("-id",)


@admin.register(SandboxRefund)
class SandboxRefundAdmin(ReadOnlyAdmin):
    list_display = ("ref", "charge", "amount_minor", "created_at")
    search_fields = ("ref", "idempotency_key", "charge__ref")
    list_select_related = ("charge",)
    ordering = ("-id",)


@admin.register(SandboxWebhook)
class SandboxWebhookAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "deliver_after", "delivered_at", "attempts", "dropped", "created_at")
    list_filter = ("dropped",)
    search_fields = ("event_id",)
    ordering = ("-id",)
