from django.urls import path

from orders.webhooks import payment_webhook

urlpatterns = [
    path("payments/webhooks/<str:provider>/", payment_webhook, name="payment-webhook"),
]
