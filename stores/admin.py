"""Django admin for stores, teams, products, variants and photos: platform staff manage everything here.

Photos are only added through the console or the API (they must be decoded and re-encoded without
their metadata, stores.images); here they can be reordered and removed.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from giftshop.errors import DomainError
from giftshop.money import format_money
from stores import services
from stores.models import Product, ProductImage, Store, StoreMember, Variant, WebhookDelivery, WebhookEndpoint
from stores.webhooks.services import webhook_delivery_resend


class StoreMemberInline(admin.TabularInline):
    model = StoreMember
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "ship_within_hours", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "members__user__username")
    readonly_fields = ("slug", "created_at")  # a store's address never changes: links to it are out there
    fields = ("name", "slug", "description", "ship_within_hours", "is_active", "created_at")
    ordering = ("name", "id")
    inlines = (StoreMemberInline,)

    def has_add_permission(self, request):
        return False  # a store is opened by its owner (the console or the API): it needs one

    def save_model(self, request, obj, form, change):
        """Through the same service as the console and the API, as the staff member."""
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.STORE_FIELDS}
        services.store_update(store=obj, actor=request.user, **fields)


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ("name", "sku", "price_minor", "currency", "stock", "position")
    # Orders move stock with conditional updates; a form saved later must not write back an old count.
    readonly_fields = ("stock",)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("preview", "width", "height", "position")
    readonly_fields = ("preview", "width", "height")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, image):
        if not image.thumbnail:
            return "-"
        return format_html('<img src="{}" alt="" width="96">', image.thumbnail.url)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "store", "giftable", "is_active", "created_at")
    list_filter = ("is_active", "giftable", "store__is_active")
    search_fields = ("title", "slug", "store__name", "store__slug", "variants__sku")
    list_select_related = ("store",)
    autocomplete_fields = ("store",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_at", "updated_at")
    ordering = ("-created_at", "-id")
    inlines = (VariantInline, ProductImageInline)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        # Removing a photo also removes its files: the service does both.
        images = formset.save(commit=False)
        for image in formset.deleted_objects:
            services.product_image_delete(image=image, actor=request.user)
        for image in images:
            image.save()
        return None


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "product", "store", "price", "stock")
    search_fields = ("sku", "name", "product__title", "product__store__name")
    list_filter = ("currency", "product__store__is_active")
    list_select_related = ("product__store",)
    raw_id_fields = ("product",)
    readonly_fields = ("stock",)

    @admin.display(description=_("store"), ordering="product__store__name")
    def store(self, variant):
        return variant.product.store

    @admin.display(description=_("price"), ordering="price_minor")
    def price(self, variant):
        return format_money(variant.price_minor, variant.currency)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Read-only here: endpoints are the store owners' (console and API), and the secret is never
    shown again after its creation."""

    list_display = ("url", "store", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "store__name", "store__slug")
    list_select_related = ("store",)
    fields = ("store", "url", "events", "description", "is_active", "previous_secret_until", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log of every store: failed deliveries are the dead letters of webhooks; "send
    again" goes through the same service as the console's button."""

    list_display = ("event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at",
                    "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "event_key", "endpoint__url", "endpoint__store__slug")
    list_select_related = ("endpoint__store",)
    readonly_fields = ("endpoint", "event_key", "event_id", "event_type", "body", "status", "attempts", "resends",
                       "last_status_code", "last_error", "last_attempt_at", "next_attempt_at", "created_at")
    fields = readonly_fields
    actions = ("send_again",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        sent = 0
        for delivery in queryset.select_related("endpoint__store"):
            try:
                webhook_delivery_resend(delivery=delivery, actor=request.user)
                sent += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery}: {exc.detail}", level="warning")
        self.message_user(request, _("%(n)d deliveries will be sent again.") % {"n": sent})
