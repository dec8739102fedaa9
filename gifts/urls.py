"""Gift pages: the sender's (/gifts/...) and the recipient's card (/g/<token>/).

The card's token is matched with [^/]* so that any characters reach the view: unknown, revoked
and malformed tokens then all get the same friendly 404 (and count towards the failure limit).
"""

from django.urls import path, re_path

from gifts.views import card, sender

app_name = "gifts"

urlpatterns = [
    path("gifts/", sender.gift_list, name="list"),
    path("gifts/new/", sender.compose, name="compose"),
    path("gifts/<int:gift_id>/", sender.detail, name="detail"),
    path("gifts/<int:gift_id>/qr.png", sender.qr, name="qr"),
    path("gifts/<int:gift_id>/cancel/", sender.cancel, name="cancel"),
    path("gifts/<int:gift_id>/pay/", sender.pay, name="pay"),
    path("gifts/<int:gift_id>/extend/", sender.extend, name="extend"),
    path("gifts/<int:gift_id>/revoke/", sender.revoke, name="revoke"),
    path("gifts/<int:gift_id>/email/", sender.email_card, name="email"),
    re_path(r"^g/(?P<token>[^/]*)/$", card.card, name="card"),
]
