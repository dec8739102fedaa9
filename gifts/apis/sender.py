"""/api/v1/gifts/: the sender's gifts. Access first (another user's gift is a 404 whatever the
body says), then input, then one service call.

What the sender sees of a claim is who (display name), its milestone and the thank-you note:
never the recipient's address, phone or tracking number.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from gifts.covers import COVERS
from gifts.models import Gift
from gifts.selectors.gifts import access_gift_by_id, claims_for_sender, gift_list_sent
from gifts.services.lifecycle import gift_cancel, gift_extend
from gifts.services.sending import (
    MAX_CLAIM_HOURS,
    MAX_GROUP_QUANTITY,
    MIN_CLAIM_HOURS,
    gift_create,
    gift_email_card,
    gift_revoke_link,
)
from gifts.services.ship_by import claim_refund_not_shipped
from gifts.tokens import gift_share_url
from giftshop.api.pagination import Pagination
from giftshop.api.serializers import INVALID, NOT_AUTHENTICATED, StrictInputSerializer, error_response
from giftshop.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from stores.apis.inputs import datetime_field, id_field
from stores.apis.pagination import paginated_response

TAGS = ["gifts"]
NOT_FOUND = error_response("not_found: no such gift of yours")

def absolute_media_url(request, field_file):
    return request.build_absolute_uri(field_file.url) if field_file else None


def qr_path(gift_id: int) -> str:
    return reverse("gifts:qr", kwargs={"gift_id": gift_id})


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "GiftVariantRef"


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()

    class Meta:
        ref_name = "GiftProductRef"


class SenderClaimSerializer(serializers.Serializer):
    """A claim as its gift's sender sees it. No address, phone or tracking number, ever."""

    id = serializers.IntegerField(help_text="Use it to ask for a refund of a parcel that was not shipped.")
    recipient_display_name = serializers.CharField(source="recipient.public_name")
    status = serializers.CharField()
    claimed_at = serializers.SerializerMethodField()
    thank_you_note = serializers.CharField()

    class Meta:
        ref_name = "SentGiftClaim"

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_claimed_at(self, claim):
        when = claim.accepted_at or claim.created_at
        return serializers.DateTimeField().to_representation(when)


class SentGiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    mode = serializers.CharField()
    claim_rule = serializers.CharField()
    quantity = serializers.IntegerField()
    claimed_units = serializers.IntegerField()
    remaining = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    draw_at = serializers.DateTimeField(allow_null=True)
    extended = serializers.BooleanField()
    message = serializers.CharField()
    cover = serializers.CharField()
    order_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    product = ProductRefSerializer(source="variant.product")
    variant = RefSerializer()
    share_url = serializers.SerializerMethodField(help_text="The card link; null until the gift is paid.")
    card_image_url = serializers.SerializerMethodField(help_text="Public, at an unguessable address.")
    qr_url = serializers.SerializerMethodField(help_text="The QR code of the card link; served to the sender only.")
    claims = SenderClaimSerializer(many=True, source="sender_claims")

    class Meta:
        ref_name = "SentGift"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_share_url(self, gift):
        return gift_share_url(gift=gift)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_card_image_url(self, gift):
        return absolute_media_url(self.context["request"], gift.card_image)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_qr_url(self, gift):
        if gift.token_hash is None:
            return None
        return self.context["request"].build_absolute_uri(qr_path(gift.id))


def _gift_answer(request, gift_id, http_status=200):
    """The sender's view of the gift, read again after a change."""
    gift = access_gift_by_id(user=request.user, gift_id=gift_id)
    gift.sender_claims = list(claims_for_sender(gift=gift))
    return Response(SentGiftSerializer(gift, context={"request": request}).data, status=http_status)


class GiftListCreateApi(APIView):
    """GET: the gifts you sent, newest first. POST: send a gift (you then pay at checkout_url)."""

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        variant_id = id_field()
        quantity = serializers.IntegerField(
            min_value=1, max_value=MAX_GROUP_QUANTITY, required=False, default=1,
            help_text="1..10 for a single gift, 1..100 for a group gift.",
        )
        mode = serializers.ChoiceField(choices=Gift.Mode.choices, required=False, default=Gift.Mode.SINGLE)
        claim_rule = serializers.ChoiceField(
            choices=Gift.ClaimRule.choices, required=False, default=Gift.ClaimRule.FIRST_COME,
            help_text="lottery needs mode group.",
        )
        message = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        cover = serializers.ChoiceField(
            choices=[(code, c.name) for code, c in COVERS.items()], required=False, allow_null=True, default=None,
            help_text="A cover theme code; the default theme when left out.",
        )
        claim_hours = serializers.IntegerField(
            min_value=MIN_CLAIM_HOURS, max_value=MAX_CLAIM_HOURS, required=False, default=24
        )
        draw_at = datetime_field(
            required=False, allow_null=True, default=None,
            help_text="Lottery only: at least a minute away and an hour before the claim window ends.",
        )
        friend_email = serializers.CharField(
            max_length=254, required=False, allow_blank=True, default="",
            help_text="Optional: the worker emails the card (image, link, no price) here once the gift is paid.",
        )
        friend_phone = serializers.CharField(
            max_length=24, required=False, allow_blank=True, default="",
            help_text="Optional: the worker texts the card link here once the gift is paid, and a reminder "
                      "before it closes (digits, with + and the country code if abroad).",
        )

        class Meta:
            ref_name = "GiftCreate"

    class OutputSerializer(serializers.Serializer):
        class PaymentSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            status = serializers.CharField()
            checkout_url = serializers.CharField(help_text="Where the sender pays.")

            class Meta:
                ref_name = "GiftCreatedPayment"

        id = serializers.IntegerField()
        status = serializers.CharField()
        mode = serializers.CharField()
        claim_rule = serializers.CharField()
        quantity = serializers.IntegerField()
        draw_at = serializers.DateTimeField(allow_null=True)
        order_id = serializers.IntegerField()
        total_minor = serializers.IntegerField()
        currency = serializers.CharField()
        payment = PaymentSerializer()

        class Meta:
            ref_name = "GiftCreated"

    @extend_schema(
        operation_id="gifts_list", summary="Gifts you sent", responses={200: SentGiftSerializer(many=True),
                                                                         401: NOT_AUTHENTICATED}, tags=TAGS,
    )
    def get(self, request):
        def with_claims(gifts):
            for gift in gifts:
                gift.sender_claims = list(gift.claims.all())  # prefetched by gift_list_sent

        return paginated_response(
            request=request, view=self, queryset=gift_list_sent(user=request.user),
            serializer_class=SentGiftSerializer, annotate_page=with_claims,
        )

    @extend_schema(
        operation_id="gifts_create",
        summary="Send a gift: the order and its payment are made; the card opens once it is paid",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: OutputSerializer, 400: error_response("invalid (see `fields`), out_of_stock"),
                   401: NOT_AUTHENTICATED, 409: error_response("idempotency_key_in_flight"),
                   422: error_response("idempotency_key_reused")},
        tags=TAGS,
    )
    @idempotent("gifts.create")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gift = gift_create(sender=request.user, **serializer.validated_data)
        order = gift.order
        body = {
            "id": gift.id, "status": gift.status, "mode": gift.mode, "claim_rule": gift.claim_rule,
            "quantity": gift.quantity, "draw_at": gift.draw_at, "order_id": order.id,
            "total_minor": order.total_minor, "currency": order.currency, "payment": order.payments.get(),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class GiftDetailApi(APIView):
    @extend_schema(
        operation_id="gifts_retrieve", summary="One gift you sent, with its card link and claims",
        responses={200: SentGiftSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND}, tags=TAGS,
    )
    def get(self, request, gift_id):
        return _gift_answer(request, gift_id)


class GiftCancelApi(APIView):
    @extend_schema(
        operation_id="gifts_cancel", summary="Cancel an open gift: its unclaimed units are refunded",
        request=None,
        responses={200: SentGiftSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND,
                   409: error_response("gift_not_open, gift_expired, gift_fully_claimed")},
        tags=TAGS,
    )
    def post(self, request, gift_id):
        gift = access_gift_by_id(user=request.user, gift_id=gift_id)
        gift_cancel(gift=gift, actor=request.user)
        return _gift_answer(request, gift.id)


class GiftExtendApi(APIView):
    class InputSerializer(StrictInputSerializer):
        hours = serializers.IntegerField(min_value=MIN_CLAIM_HOURS, max_value=MAX_CLAIM_HOURS)

        class Meta:
            ref_name = "GiftExtend"

    @extend_schema(
        operation_id="gifts_extend", summary="Give friends more time to claim (once per gift)",
        request=InputSerializer,
        responses={200: SentGiftSerializer, 400: INVALID, 401: NOT_AUTHENTICATED, 404: NOT_FOUND,
                   409: error_response("already_extended, gift_not_open, gift_expired, gift_fully_claimed")},
        tags=TAGS,
    )
    def post(self, request, gift_id):
        gift = access_gift_by_id(user=request.user, gift_id=gift_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gift_extend(gift=gift, hours=serializer.validated_data["hours"], actor=request.user)
        return _gift_answer(request, gift.id)


class GiftRefundRequestApi(APIView):
    class InputSerializer(StrictInputSerializer):
        claim_id = id_field()

        class Meta:
            ref_name = "GiftRefundRequest"

    class OutputSerializer(serializers.Serializer):
        class ClaimSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            status = serializers.CharField()

            class Meta:
                ref_name = "RefundedClaim"

        class RefundSerializer(serializers.Serializer):
            amount_minor = serializers.IntegerField()
            currency = serializers.CharField(source="payment.currency")
            reason = serializers.CharField()
            status = serializers.CharField()

            class Meta:
                ref_name = "GiftRefund"

        claim = ClaimSerializer()
        refund = RefundSerializer()

        class Meta:
            ref_name = "GiftRefundRequested"

    @extend_schema(
        operation_id="gifts_refund_request",
        summary="Refund a claim whose parcel the store did not ship by its promised time",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: INVALID, 401: NOT_AUTHENTICATED, 404: NOT_FOUND,
                   409: error_response("not_overdue (the store still has time), shipment_not_pending (it has left)")},
        tags=TAGS,
    )
    def post(self, request, gift_id):
        gift = access_gift_by_id(user=request.user, gift_id=gift_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim_id = serializer.validated_data["claim_id"]
        refund = claim_refund_not_shipped(gift=gift, claim_id=claim_id, actor=request.user)
        claim = gift.claims.only("id", "status").get(id=claim_id)
        return Response(self.OutputSerializer({"claim": claim, "refund": refund}).data)


class GiftRevokeLinkApi(APIView):
    @extend_schema(
        operation_id="gifts_revoke_link",
        summary="Stop a leaked card link from working; the answer carries the new link",
        request=None,
        responses={200: SentGiftSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND,
                   409: error_response("gift_not_open")},
        tags=TAGS,
    )
    def post(self, request, gift_id):
        gift = access_gift_by_id(user=request.user, gift_id=gift_id)
        gift_revoke_link(gift=gift)
        return _gift_answer(request, gift.id)


class GiftEmailCardApi(APIView):
    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(max_length=254)

        class Meta:
            ref_name = "GiftEmailCard"

    @extend_schema(
        operation_id="gifts_email_card",
        summary="Email the card link to a friend (they also get the reminder before it closes)",
        request=InputSerializer,
        responses={200: SentGiftSerializer, 400: INVALID, 401: NOT_AUTHENTICATED, 404: NOT_FOUND,
                   409: error_response("gift_not_open, too_many_emails")},
        tags=TAGS,
    )
    def post(self, request, gift_id):
        gift = access_gift_by_id(user=request.user, gift_id=gift_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gift_email_card(gift=gift, email=serializer.validated_data["email"])
        return _gift_answer(request, gift.id)
