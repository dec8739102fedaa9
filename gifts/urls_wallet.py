"""/me/: Orders & Cards. Mounted at "me/" before logistics.urls, which serves the address book
under the same prefix (/me/addresses/...): paths not defined here fall through to it."""

from django.urls import path

from gifts.views import wallet

app_name = "wallet"

urlpatterns = [
    path("", wallet.home, name="home"),
    path("notices/read/", wallet.notices_read, name="notices_read"),
    path("sent/<int:gift_id>/refund/", wallet.refund_not_shipped, name="refund_not_shipped"),
]
