"""The merchant console, mounted at /merchant/. Every view takes its objects through the
stores.selectors.access_* helpers: what is not yours is a 404."""

from django.urls import path

from stores.views import console, console_products, console_webhooks

app_name = "console"

urlpatterns = [
    path("", console.home, name="home"),
    path("stores/new/", console.store_create, name="store_create"),
    path("s/<slug:slug>/", console.store, name="store"),
    path("s/<slug:slug>/settings/", console.store_settings, name="store_settings"),
    path("s/<slug:slug>/team/", console.team, name="team"),
    path("s/<slug:slug>/team/<int:member_id>/remove/", console.team_remove, name="team_remove"),
    path("s/<slug:slug>/webhooks/", console_webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", console_webhooks.webhook, name="webhook"),
    path("webhooks/<int:endpoint_id>/rotate-secret/", console_webhooks.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:endpoint_id>/delete/", console_webhooks.webhook_delete, name="webhook_delete"),
    path(
        "webhook-deliveries/<int:delivery_id>/resend/", console_webhooks.webhook_delivery_resend,
        name="webhook_delivery_resend",
    ),
    path("s/<slug:slug>/products/new/", console_products.product_create, name="product_create"),
    path("products/<int:product_id>/", console_products.product, name="product"),
    path("products/<int:product_id>/variants/new/", console_products.variant_create, name="variant_create"),
    path("products/<int:product_id>/photos/", console_products.photo_upload, name="photo_upload"),
    path("photos/<int:image_id>/move/", console_products.photo_move, name="photo_move"),
    path("photos/<int:image_id>/delete/", console_products.photo_delete, name="photo_delete"),
    path("variants/<int:variant_id>/", console_products.variant, name="variant"),
    path("variants/<int:variant_id>/delete/", console_products.variant_delete, name="variant_delete"),
]
