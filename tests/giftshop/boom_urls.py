"""A URL conf for tests/giftshop/test_error_pages.py: the shop's own, plus views that fail."""

from django.urls import path

from giftshop.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *urlpatterns]
