"""Public shop pages, mounted at "". The home page (stores.views.shop.home) is
routed as "home" by giftshop/urls.py."""

from django.urls import path

from stores.views import shop

app_name = "stores"

urlpatterns = [
    path("s/<slug:slug>/", shop.store, name="store"),
    path("s/<slug:store_slug>/p/<int:product_id>/", shop.product, name="product"),
]
