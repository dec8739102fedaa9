"""The console's shipping pages, mounted at /merchant/ (beside stores.urls_console).
Every view takes its objects through an access helper: what is not yours is a 404."""

from django.urls import path

from logistics.views import console as console_views

app_name = "shipping"

urlpatterns = [
    path("s/<slug:slug>/shipments/", console_views.queue, name="queue"),
    path("s/<slug:slug>/shipments/slips/", console_views.slips, name="slips"),
    path("s/<slug:slug>/shipments/dispatch-sheet.csv", console_views.dispatch_sheet, name="dispatch_sheet"),
    path("s/<slug:slug>/shipments/dispatch/", console_views.bulk_upload, name="bulk_dispatch"),
    path("shipments/<int:shipment_id>/", console_views.detail, name="detail"),
    path("shipments/<int:shipment_id>/dispatch/", console_views.dispatch, name="dispatch"),
    path("shipments/<int:shipment_id>/slip/", console_views.slip, name="slip"),
]
