"""/api/v1/ routes for the catalog (public reads) and the merchant API (shared/API.md)."""

from django.urls import path

from stores.apis import catalog, merchant_products, merchant_stores, merchant_webhooks

app_name = "stores_api"

urlpatterns = [
    # Catalog, public.
    path("stores/", catalog.StoreListApi.as_view(), name="store-list"),
    path("stores/<slug:slug>/", catalog.StoreDetailApi.as_view(), name="store-detail"),
    path("products/", catalog.ProductListApi.as_view(), name="product-list"),
    path("products/<int:product_id>/", catalog.ProductDetailApi.as_view(), name="product-detail"),
    # Merchant: stores and teams.
    path("merchant/stores/", merchant_stores.MerchantStoreListCreateApi.as_view(), name="merchant-store-list"),
    path("merchant/stores/<slug:slug>/", merchant_stores.MerchantStoreDetailApi.as_view(), name="merchant-store"),
    path(
        "merchant/stores/<slug:slug>/members/",
        merchant_stores.StoreMemberListAddApi.as_view(),
        name="merchant-store-members",
    ),
    path(
        "merchant/stores/<slug:slug>/members/<int:member_id>/",
        merchant_stores.StoreMemberRemoveApi.as_view(),
        name="merchant-store-member",
    ),
    # Merchant: products, variants, photos.
    path(
        "merchant/stores/<slug:slug>/products/",
        merchant_products.MerchantProductListCreateApi.as_view(),
        name="merchant-store-products",
    ),
    path(
        "merchant/products/<int:product_id>/",
        merchant_products.MerchantProductDetailApi.as_view(),
        name="merchant-product",
    ),
    path(
        "merchant/products/<int:product_id>/variants/",
        merchant_products.VariantCreateApi.as_view(),
        name="merchant-product-variants",
    ),
    path("merchant/variants/<int:variant_id>/", merchant_products.VariantDetailApi.as_view(), name="merchant-variant"),
    path(
        "merchant/products/<int:product_id>/images/",
        merchant_products.ProductImageUploadApi.as_view(),
        name="merchant-product-images",
    ),
    path(
        "merchant/products/<int:product_id>/images/reorder/",
        merchant_products.ProductImagesReorderApi.as_view(),
        name="merchant-product-images-reorder",
    ),
    path("merchant/images/<int:image_id>/", merchant_products.ProductImageDeleteApi.as_view(), name="merchant-image"),
    # Merchant: webhook endpoints and their delivery log (owners only).
    path(
        "merchant/stores/<slug:slug>/webhooks/",
        merchant_webhooks.WebhookEndpointListCreateApi.as_view(),
        name="merchant-store-webhooks",
    ),
    path(
        "merchant/webhooks/<int:endpoint_id>/", merchant_webhooks.WebhookEndpointDetailApi.as_view(),
        name="merchant-webhook",
    ),
    path(
        "merchant/webhooks/<int:endpoint_id>/rotate-secret/", merchant_webhooks.WebhookSecretRotateApi.as_view(),
        name="merchant-webhook-rotate",
    ),
    path(
        "merchant/webhooks/<int:endpoint_id>/deliveries/", merchant_webhooks.WebhookDeliveryListApi.as_view(),
        name="merchant-webhook-deliveries",
    ),
    path(
        "merchant/webhook-deliveries/<int:delivery_id>/resend/",
        merchant_webhooks.WebhookDeliveryResendApi.as_view(),
        name="merchant-webhook-delivery-resend",
    ),
]
