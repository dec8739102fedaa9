from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("pay/sandbox/<str:ref>/", views.sandbox_checkout, name="sandbox-checkout"),
]
