"""Console pages that need gifts and orders, mounted at /merchant/ beside the shipping pages:
the merchant's refund of a parcel that has not left. Objects come through access helpers: what
is not yours is a 404, for POSTs too."""

from django.urls import path

from gifts import merchant_refunds

app_name = "merchant_refunds"

urlpatterns = [
    path("shipments/<int:shipment_id>/refund/", merchant_refunds.refund, name="refund"),
]
