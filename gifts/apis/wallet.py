"""GET /api/v1/me/wallet/: Orders & Cards for programs, the same reads as the /me/ page
(gifts.selectors.wallet): the first 20 of each list, newest first, and how many there are in all.

The privacy rules are the page's:
- `received` (your claims) never carries a price: no order, line, payment or amount;
- `sent` (your gifts) shows each friend's display name, milestone and thank-you note, never their
  address, phone, tracking number or shipment.
"""

import html
import re

from django.template.loader import render_to_string
from django.utils.html import strip_tags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gifts.apis.sender import SenderClaimSerializer, SentGiftSerializer
from gifts.selectors.wallet import wallet_overview
from giftshop.api.serializers import NOT_AUTHENTICATED
from logistics.apis.serializers import TrackingEventSerializer
from orders.apis import OrderSerializer

TAGS = ["me"]
SPACES = re.compile(r"\s+")


def notice_text(notice) -> str:
    """The notice's sentence in the current language, as plain text."""
    rendered = render_to_string("accounts/_notice.html", {"notice": notice, "plain": True})
    return SPACES.sub(" ", html.unescape(strip_tags(rendered))).strip()


class WalletTrackingEventSerializer(TrackingEventSerializer):
    # logistics' tracking event, and the status in words for the person following the parcel.
    status_display = serializers.CharField(source="get_status_display", help_text="The status in words.")

    class Meta:
        ref_name = "WalletTrackingEvent"


class ReceivedShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    events = WalletTrackingEventSerializer(many=True, source="timeline", help_text="Newest first.")

    class Meta:
        ref_name = "WalletReceivedShipment"

    def to_representation(self, shipment):
        shipment.timeline = list(shipment.events.all())  # prefetched by gifts.selectors.wallet
        return super().to_representation(shipment)


class ReceivedClaimSerializer(serializers.Serializer):
    """A gift you received. No price, ever."""

    class SenderSerializer(serializers.Serializer):
        display_name = serializers.CharField(source="sender_name")

        class Meta:
            ref_name = "WalletGiftSender"

    class ProductSerializer(serializers.Serializer):
        title = serializers.CharField(source="variant.product.title")
        image_url = serializers.SerializerMethodField()
        thumbnail_url = serializers.SerializerMethodField()

        class Meta:
            ref_name = "WalletReceivedProduct"

        @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
        def get_image_url(self, claim):
            return self._url(claim.photo.image if claim.photo else None)

        @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
        def get_thumbnail_url(self, claim):
            return self._url(claim.photo.thumbnail if claim.photo else None)

        def _url(self, field_file):
            return self.context["request"].build_absolute_uri(field_file.url) if field_file else None

    class VariantSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

        class Meta:
            ref_name = "WalletReceivedVariant"

    id = serializers.IntegerField()
    status = serializers.CharField(
        help_text="entered, won, lost, accepted, shipped, out_for_delivery, delivered, returned or refunded."
    )
    sender = SenderSerializer(source="*")
    message = serializers.CharField(source="gift.message")
    cover = serializers.CharField(source="gift.cover")
    product = ProductSerializer(source="*")
    variant = VariantSerializer()
    quantity = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    thank_you_note = serializers.CharField()
    card_url = serializers.CharField(
        allow_null=True, help_text="The card link, for a lottery winner who must still choose an address there."
    )
    shipment = ReceivedShipmentSerializer(allow_null=True, help_text="The parcel and its timeline, once accepted.")

    class Meta:
        ref_name = "WalletReceivedClaim"


class WalletSentClaimSerializer(SenderClaimSerializer):
    overdue = serializers.BooleanField(
        source="is_overdue", help_text="The store has not shipped it by its promised time: you may ask for a refund."
    )

    class Meta:
        ref_name = "WalletSentClaim"


class WalletSentGiftSerializer(SentGiftSerializer):
    """A gift you sent: what the gift's API shows, with money paid and refunded. No address,
    phone or tracking number of any friend."""

    total_minor = serializers.IntegerField(source="order.total_minor")
    currency = serializers.CharField(source="order.currency")
    refunded_minor = serializers.IntegerField(help_text="Refunded to your payment so far.")
    refund_pending_minor = serializers.IntegerField(help_text="Refunds on their way.")
    accepted_by = serializers.ListField(
        child=serializers.CharField(), help_text="Display names of the friends holding a unit."
    )
    claims = WalletSentClaimSerializer(many=True, source="sender_claims")

    class Meta:
        ref_name = "WalletSentGift"


class WalletNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="One of accounts.notices.KINDS: gift_claimed, parcel_shipped, ...")
    text = serializers.SerializerMethodField(help_text="The notice in the request's language.")
    params = serializers.DictField(help_text="What fills the sentence in (names, product, amount for a payer).")
    link = serializers.CharField(help_text="Where to look (a path on this site).")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "WalletNotice"

    @extend_schema_field(OpenApiTypes.STR)
    def get_text(self, notice):
        return notice_text(notice)


class WalletApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class CountsSerializer(serializers.Serializer):
            received = serializers.IntegerField()
            sent = serializers.IntegerField()
            orders = serializers.IntegerField()
            unread_notices = serializers.IntegerField()

            class Meta:
                ref_name = "WalletCounts"

        received = ReceivedClaimSerializer(many=True, help_text="Gifts you received (your claims). No price.")
        sent = WalletSentGiftSerializer(
            many=True, help_text="Gifts you sent. No friend's address, phone or tracking number."
        )
        orders = OrderSerializer(many=True, help_text="Your purchases, with their parcels and timelines.")
        notices = WalletNoticeSerializer(many=True, help_text="Your notices, newest first.")
        counts = CountsSerializer(help_text="How many of each there are in all (each list holds the first 20).")

        class Meta:
            ref_name = "Wallet"

    @extend_schema(
        operation_id="me_wallet",
        summary="Orders & Cards: gifts received and sent, your orders and your notices",
        description=(
            "The first 20 of each list, newest first; `counts` says how many there are. Gifts received never "
            "show a price; gifts sent never show a friend's address, phone or tracking number."
        ),
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED},
        tags=TAGS,
    )
    def get(self, request):
        overview = wallet_overview(user=request.user)
        return Response(self.OutputSerializer(overview, context={"request": request}).data)
