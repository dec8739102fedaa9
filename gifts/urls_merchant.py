"""Console pages that need gifts and orders, mounted at /merchant/ beside the shipping pages:
the merchant's refund of a parcel that has not left, and the payment and refunds behind a parcel.
Objects come through access helpers: what is not yours is a 404, for POSTs too."""

from django.urls import path

from gifts.views import merchant

app_name = "merchant_refunds"

urlpatterns = [
    path("shipments/<int:shipment_id>/refund/", merchant.refund, name="refund"),
    path("shipments/<int:shipment_id>/return/", merchant.resolve_return, name="resolve_return"),
    path("shipments/<int:shipment_id>/payment/", merchant.payment, name="payment"),
]
