"""Mounted under /api/v1/ by giftshop/api_urls.py: the merchant's shipment queue and dispatch, one
shipment, and the carriers' push endpoint."""

from django.urls import path

from logistics.apis import shipments as shipment_apis
from logistics.webhooks import carrier_webhook

app_name = "shipments_api"

urlpatterns = [
    path(
        "merchant/stores/<slug:slug>/shipments/",
        shipment_apis.MerchantShipmentListApi.as_view(),
        name="merchant-store-shipments",
    ),
    path(
        "merchant/shipments/<str:shipment_id>/dispatch/",
        shipment_apis.MerchantShipmentDispatchApi.as_view(),
        name="merchant-shipment-dispatch",
    ),
    # Any id reaches the view: a malformed id is a 404 like anybody else's shipment.
    path("shipments/<str:shipment_id>/", shipment_apis.ShipmentDetailApi.as_view(), name="shipment-detail"),
    path("logistics/webhooks/<str:carrier>/", carrier_webhook, name="carrier-webhook"),
]
