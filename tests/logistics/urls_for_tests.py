"""The project's URLs plus the shipping pages and API, until giftshop/urls.py and
giftshop/api_urls.py include them. Ours come first: /api/ ends in a catch-all JSON 404."""

from django.urls import include, path

from giftshop.urls import handler400, handler403, handler404, handler500  # noqa: F401
from giftshop.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("logistics.shipment_api_urls")),
    path("merchant/", include("logistics.urls_console")),
    *project_urlpatterns,
]
