"""The console's shipping pages, mounted at /merchant/ (beside stores.urls_console).
Every view takes its objects through an access helper: what is not yours is a 404."""

from django.urls import path

from logistics import console_views

app_name = "shipping"

urlpatterns = [
    path("s/<slug:slug>/shipments/", console_views.queue, name="queue"),
    path("shipments/<int:shipment_id>/", console_views.detail, name="detail"),
]
