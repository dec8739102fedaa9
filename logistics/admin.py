from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from logistics.models import Address
from logistics.services.addresses import address_set_default


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("recipient_name", "user", "phone", "city", "region", "country", "is_default", "created_at")
    list_filter = ("is_default", "country")
    search_fields = ("recipient_name", "phone", "street", "city", "postal_code", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    # One default per user is kept by the service (and a constraint): change it with the action.
    readonly_fields = ("is_default", "created_at")
    actions = ["make_default"]

    @admin.action(description=_("Make the selected addresses their owner's default"))
    def make_default(self, request, queryset):
        for address in queryset:
            address_set_default(address=address)
