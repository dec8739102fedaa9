"""/api/: the versioned REST API (shared/API.md) and its OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from giftshop.api.responses import json_not_found

v1 = [
    path("", include("accounts.api_urls")),
    path("", include("logistics.api_urls")),
    path("", include("stores.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("logistics.shipment_api_urls")),
    path("", include("gifts.api_urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include(v1)),
    # Unknown URLs under /api/ get the JSON error shape too.
    re_path(r"^.*$", json_not_found),
]
