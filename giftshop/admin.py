"""Admin for the infrastructure tables: support staff watch the outbox and requeue dead messages;
the status history is read-only (only services move statuses)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from giftshop.models import OutboxMessage, StatusChange
from giftshop.outbox import outbox_requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "key", "status", "attempts", "available_at", "created_at", "delivered_at")
    list_filter = ("status", "topic")
    search_fields = ("key", "topic")
    ordering = ("-id",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "topic", "key", "payload", "status", "attempts", "available_at", "created_at", "delivered_at", "last_error",
    )
    actions = ("requeue",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewable, not editable: a message changes only through the outbox's own functions.
        return False

    @admin.action(description=_("Requeue the selected dead messages"), permissions=["view"])
    def requeue(self, request, queryset):
        dead = list(queryset.filter(status=OutboxMessage.Status.DEAD).values_list("id", flat=True))
        moved = sum(1 for message_id in dead if outbox_requeue(message_id=message_id))
        skipped = queryset.count() - moved
        if moved:
            self.message_user(
                request,
                ngettext("%(count)d message requeued.", "%(count)d messages requeued.", moved) % {"count": moved},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was not dead and was left as it is.",
                    "%(count)d messages were not dead and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("id", "content_type", "object_id", "field", "from_status", "to_status", "reason", "created_at")
    list_filter = ("content_type", "field", "to_status")
    search_fields = ("object_id", "reason")
    ordering = ("-id",)
    list_select_related = ("content_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
