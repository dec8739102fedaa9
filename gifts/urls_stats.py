"""The console's statistics page, mounted at /merchant/ (beside stores.urls_console and
logistics.urls_console)."""

from django.urls import path

from gifts.views import stats

app_name = "stats"

urlpatterns = [
    path("s/<slug:slug>/stats/", stats.store_stats_page, name="store"),
]
