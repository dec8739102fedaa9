"""ROOT_URLCONF of the bench settings only (giftshop/settings/bench.py): the baseline views
(bench/baseline.py) under /_baseline/, then every URL of the shop, unchanged."""

from django.urls import path

from bench import baseline
from giftshop.urls import handler400, handler403, handler404, handler500  # noqa: F401  the shop's error pages
from giftshop.urls import urlpatterns as shop_urlpatterns

urlpatterns = [
    path("_baseline/a0/", baseline.a0, name="baseline_a0"),
    path("_baseline/a1/<int:pk>/", baseline.a1, name="baseline_a1"),
    path("_baseline/a3/<int:row_id>/", baseline.a3, name="baseline_a3"),
    *shop_urlpatterns,
]
