"""/api/v1/ routes for gifts (the sender) and claims (the recipient, by the card's token).

Any characters in a token reach the view (re_path, not a typed converter), so unknown, malformed
and revoked tokens all get the same 404 from gift_by_card_token and count as failed lookups.
"""

from django.urls import path, re_path

from gifts.apis import claims, returns, sender, wallet
from gifts.apis.stats import StoreStatsApi

app_name = "gifts_api"

urlpatterns = [
    path("gifts/", sender.GiftListCreateApi.as_view(), name="gift-list"),
    path("gifts/<int:gift_id>/", sender.GiftDetailApi.as_view(), name="gift-detail"),
    path("gifts/<int:gift_id>/cancel/", sender.GiftCancelApi.as_view(), name="gift-cancel"),
    path("gifts/<int:gift_id>/extend/", sender.GiftExtendApi.as_view(), name="gift-extend"),
    path("gifts/<int:gift_id>/refund-request/", sender.GiftRefundRequestApi.as_view(), name="gift-refund-request"),
    path("gifts/<int:gift_id>/revoke-link/", sender.GiftRevokeLinkApi.as_view(), name="gift-revoke-link"),
    path("gifts/<int:gift_id>/email/", sender.GiftEmailCardApi.as_view(), name="gift-email"),
    path("me/wallet/", wallet.WalletApi.as_view(), name="wallet"),
    re_path(r"^claims/(?P<token>[^/]*)/$", claims.ClaimCardApi.as_view(), name="claim-card"),
    re_path(r"^claims/(?P<token>[^/]*)/address/$", claims.ClaimAddressApi.as_view(), name="claim-address"),
    re_path(r"^claims/(?P<token>[^/]*)/decline/$", claims.ClaimDeclineApi.as_view(), name="claim-decline"),
    re_path(r"^claims/(?P<token>[^/]*)/thanks/$", claims.ClaimThanksApi.as_view(), name="claim-thanks"),
    path("merchant/stores/<slug:slug>/stats/", StoreStatsApi.as_view(), name="store-stats"),
    path("merchant/shipments/<str:shipment_id>/return/", returns.MerchantShipmentReturnApi.as_view(),
         name="merchant-shipment-return"),
]
