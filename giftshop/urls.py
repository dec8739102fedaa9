from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from giftshop import api_urls, favicon, health
from stores.views import shop

urlpatterns = [
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_urls)),
    path("accounts/", include("accounts.urls")),
    path("me/", include("gifts.urls_wallet")),
    path("me/", include("logistics.urls")),
    path("merchant/", include("stores.urls_console")),
    path("merchant/", include("logistics.urls_console")),
    path("merchant/", include("gifts.urls_merchant")),
    path("merchant/", include("gifts.urls_stats")),
    path("", include("orders.urls")),
    path("", shop.home, name="home"),
    path("", include("gifts.urls")),
    path("", include("stores.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded mode serves uploads itself; production puts them on object storage or a CDN.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "giftshop.views.bad_request"
handler403 = "giftshop.views.permission_denied"
handler404 = "giftshop.views.not_found"
handler500 = "giftshop.views.server_error"
