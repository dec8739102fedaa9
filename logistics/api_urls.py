"""Mounted under /api/v1/ by giftshop/api_urls.py."""

from django.urls import path

from logistics.apis import addresses as apis

urlpatterns = [
    path("me/addresses/", apis.AddressListApi.as_view(), name="api-me-addresses"),
    # Any id reaches the view: malformed ids are a 404 like anybody else's address.
    path("me/addresses/<str:address_id>/", apis.AddressDetailApi.as_view(), name="api-me-address"),
]
