"""/me/: the account hub and the address book."""

from django.urls import path

from logistics.views import addresses as views

app_name = "logistics"

urlpatterns = [
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:address_id>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", views.address_make_default, name="address_default"),
]
