from django.urls import path

from orders import apis
from orders.webhooks import payment_webhook

urlpatterns = [
    path("orders/", apis.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<int:order_id>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("payments/<int:payment_id>/", apis.PaymentDetailApi.as_view(), name="payment-detail"),
    path("payments/<int:payment_id>/sandbox/", apis.PaymentSandboxApi.as_view(), name="payment-sandbox"),
    path("payments/webhooks/<str:provider>/", payment_webhook, name="payment-webhook"),
]
