"""Django admin for gifts and claims, for support staff.

Statuses, counters and the token hash move only through the services (a status changed by hand
would skip its refund, its stock and its history row), so they are read-only here; the actions
call the same services the sender's buttons do.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gifts.models import Claim, Gift
from gifts.services.lifecycle import gift_cancel
from gifts.services.sending import gift_revoke_link
from giftshop.errors import DomainError

GIFT_READ_ONLY = (
    "order", "sender", "variant", "quantity", "mode", "claim_rule", "status", "token_hash", "token_version",
    "claim_hours", "expires_at", "draw_at", "drawn_at", "claimed_units", "extended", "reminded_at", "card_image",
    "qr_image", "declined_by", "created_at", "opened_at", "closed_at",
)
CLAIM_READ_ONLY = (
    "gift", "recipient", "variant", "quantity", "status", "shipment", "thanked_at", "created_at", "accepted_at",
)


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    fields = ("recipient", "variant", "quantity", "status", "shipment", "thank_you_note", "accepted_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient", "variant__product", "shipment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ("id", "sender", "variant", "mode", "claim_rule", "quantity", "claimed_units", "status",
                    "expires_at", "created_at")
    list_filter = ("status", "mode", "claim_rule", "cover")
    search_fields = ("=id", "sender__username", "sender__email", "variant__product__title", "variant__sku",
                     "message")
    list_select_related = ("sender", "variant__product")
    readonly_fields = GIFT_READ_ONLY
    fields = GIFT_READ_ONLY[:6] + ("message", "cover") + GIFT_READ_ONLY[6:]
    ordering = ("-created_at", "-id")
    inlines = (ClaimInline,)
    actions = ["revoke_link", "cancel_gift"]

    def has_add_permission(self, request):
        return False  # a gift is made with its order and payment: through the site or the API

    def has_delete_permission(self, request, obj=None):
        return False  # money moved for it; cancel it instead

    @admin.action(description=_("Revoke the card link (the sender gets a new one)"))
    def revoke_link(self, request, queryset):
        revoked = 0
        for gift in queryset:
            if gift.status == Gift.Status.OPEN:  # a closed card has nothing left to protect
                gift_revoke_link(gift=gift)
                revoked += 1
        self.message_user(
            request, ngettext("%(n)d card link revoked.", "%(n)d card links revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel (refund the unclaimed units to the sender)"))
    def cancel_gift(self, request, queryset):
        cancelled = 0
        for gift in queryset:
            try:
                gift_cancel(gift=gift, actor=request.user)
            except DomainError as exc:
                self.message_user(request, _("Gift %(id)s: %(reason)s") % {"id": gift.id, "reason": exc.detail},
                                  messages.WARNING)
            else:
                cancelled += 1
        self.message_user(
            request, ngettext("%(n)d gift cancelled.", "%(n)d gifts cancelled.", cancelled) % {"n": cancelled},
            messages.SUCCESS,
        )


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("id", "gift", "recipient", "variant", "quantity", "status", "created_at", "accepted_at")
    list_filter = ("status",)
    search_fields = ("=id", "=gift__id", "recipient__username", "recipient__email", "shipment__reference")
    list_select_related = ("gift", "recipient", "variant__product")
    readonly_fields = CLAIM_READ_ONLY
    fields = CLAIM_READ_ONLY + ("thank_you_note",)
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
