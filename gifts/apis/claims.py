"""/api/v1/claims/<token>/: the recipient's side of a gift, by the card's token.

Reading a card is public and never changes anything (link previews and mail scanners fetch it).
Unknown, revoked and malformed tokens are one and the same 404, and failed lookups are limited per
IP (gifts.selectors.gifts.gift_by_card_token). Accepting, entering, declining and thanking need an
account. Nothing here ever shows a price.
"""

from functools import wraps

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gifts.apis.sender import RefSerializer, absolute_media_url
from gifts.models import Gift
from gifts.selectors.gifts import (
    claim_attempts_limited,
    claim_for,
    claim_variant_options,
    gift_by_card_token,
    gift_shown_status,
)
from gifts.services.claim_gate import gate_refusal
from gifts.services.claims import claim_accept, claim_decline, claim_set_address, claim_thank
from giftshop.api.serializers import INVALID, NOT_AUTHENTICATED, THROTTLED, StrictInputSerializer, error_response
from giftshop.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from giftshop.logfilters import log_response_token_masked
from giftshop.privacy_headers import mark_card
from giftshop.ratelimits import Throttled
from logistics.apis.serializers import AddressFieldsSerializer
from stores.apis.catalog import ImageSerializer
from stores.apis.inputs import id_field

TAGS = ["claims"]
TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.PATH, description="The token of the card link /g/<token>/."
)
CARD_NOT_FOUND = error_response("not_found: no such card (unknown, revoked and malformed links all answer this)")
THROTTLED_CARD = error_response("throttled: too many failed card lookups from this address, or too many claim attempts")


class CardTokenApi(APIView):
    """The views under /claims/<token>/. Django logs every 4xx answer with the request's path, and
    here the path holds the card's token (DESIGN §2: tokens never appear in logs): we log the same
    line with the token masked, and mark the answer as logged so Django does not log it again."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        log_response_token_masked(request, response, kwargs.get("token") or "")
        return mark_card(response)


def sold_out_gate(post):
    """A loser on a fully claimed gift is answered from the gate (gifts.services.claim_gate), before
    the idempotency record and the gift are read: no database work at all."""

    @wraps(post)
    def gated(view, request, token, *args, **kwargs):
        if (refusal := gate_refusal(token=token, user=request.user)) is not None:
            raise refusal
        return post(view, request, token, *args, **kwargs)

    return gated


def _check_attempts(request):
    if wait := claim_attempts_limited(request=request):
        raise Throttled(wait)


class TypedAddressSerializer(AddressFieldsSerializer):
    # The address book's fields, and no is_default on purpose: claim_accept takes only the address's
    # own fields (gifts.services.claims.ADDRESS_INPUT_FIELDS) and refuses any other.

    class Meta:
        ref_name = "ClaimAddress"


class ShipToInputSerializer(StrictInputSerializer):
    """Where the gift goes: a saved address, or a typed one (saved to your book too)."""

    address_id = id_field(required=False, allow_null=True, help_text="One of your saved addresses.")
    address = TypedAddressSerializer(required=False, allow_null=True, help_text="A new address; saved to your book.")
    variant_id = id_field(
        required=False, allow_null=True,
        help_text="Another option of the same product at the same price, if in stock (before accepting only).",
    )

    class Meta:
        ref_name = "ClaimShipTo"

    def validate(self, attrs):
        if attrs.get("address") is not None and attrs.get("address_id") is not None:
            raise serializers.ValidationError({"address": [_("Give a saved address or a new one, not both.")]})
        return attrs

    def service_kwargs(self):
        data = self.validated_data
        address = data.get("address")
        return {
            "address_id": data.get("address_id"),
            "address": dict(address) if address is not None else None,
            "variant_id": data.get("variant_id"),
        }


class YourClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    variant = RefSerializer()
    shipment_id = serializers.IntegerField(allow_null=True, help_text="Follow it at /api/v1/shipments/<id>/.")
    thank_you_note = serializers.CharField()

    class Meta:
        ref_name = "YourClaim"


class ClaimResultSerializer(serializers.Serializer):
    class ClaimSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField(help_text="accepted; entered for a lottery; accepted for a winner's address")
        variant = RefSerializer()

        class Meta:
            ref_name = "ClaimMade"

    claim = ClaimSerializer()
    shipment_id = serializers.IntegerField(allow_null=True, help_text="null for a lottery entry")

    class Meta:
        ref_name = "ClaimResult"


def _claim_result(claim, http_status):
    body = {"claim": claim, "shipment_id": claim.shipment_id}
    return Response(ClaimResultSerializer(body).data, status=http_status)


class CardSerializer(serializers.Serializer):
    """The card as its recipient sees it. No price anywhere."""

    class SenderSerializer(serializers.Serializer):
        display_name = serializers.CharField(source="public_name")

        class Meta:
            ref_name = "CardSender"

    class ProductSerializer(serializers.Serializer):
        title = serializers.CharField()
        images = ImageSerializer(many=True, source="images.all")

        class Meta:
            ref_name = "CardProduct"

    class VariantSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        in_stock = serializers.BooleanField()

        class Meta:
            ref_name = "CardVariant"

    sender = SenderSerializer()
    message = serializers.CharField()
    cover = serializers.CharField()
    card_image_url = serializers.CharField(allow_null=True)
    product = ProductSerializer()
    variants = VariantSerializer(many=True, help_text="The options you may choose: same product, same price.")
    status = serializers.CharField(help_text="open, claimed, expired, cancelled, declined")
    mode = serializers.CharField()
    claim_rule = serializers.CharField()
    remaining = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    draw_at = serializers.DateTimeField(allow_null=True)
    your_claim = YourClaimSerializer(allow_null=True)

    class Meta:
        ref_name = "Card"


def _choosable_variants(gift: Gift) -> list[dict]:
    return [{"id": o.id, "name": o.name, "in_stock": o.in_stock} for o in claim_variant_options(gift=gift)]


def _card(request, gift: Gift) -> dict:
    return {
        "sender": gift.sender,
        "message": gift.message,
        "cover": gift.cover,
        "card_image_url": absolute_media_url(request, gift.card_image),
        "product": gift.variant.product,
        "variants": _choosable_variants(gift),
        "status": gift_shown_status(gift),
        "mode": gift.mode,
        "claim_rule": gift.claim_rule,
        "remaining": gift.remaining,
        "expires_at": gift.expires_at,
        "draw_at": gift.draw_at,
        "your_claim": claim_for(gift=gift, user=request.user),
    }


class ClaimCardApi(CardTokenApi):
    """GET (public): read the card. POST: accept it (or enter its lottery)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsAuthenticated()]

    @extend_schema(
        operation_id="claims_card", summary="Open a gift card (public; changes nothing)",
        parameters=[TOKEN], responses={200: CardSerializer, 404: CARD_NOT_FOUND, 429: THROTTLED_CARD},
        tags=TAGS,
    )
    def get(self, request, token):
        gift = gift_by_card_token(request=request, token=token)
        return Response(CardSerializer(_card(request, gift), context={"request": request}).data)

    @extend_schema(
        operation_id="claims_accept",
        summary="Accept the gift with an address (a lottery gift: enter the draw, no address yet)",
        parameters=[TOKEN, IDEMPOTENCY_KEY_PARAMETER], request=ShipToInputSerializer,
        responses={
            201: ClaimResultSerializer,
            400: error_response("invalid (see `fields`), variant_not_allowed, out_of_stock"),
            401: NOT_AUTHENTICATED,
            403: error_response("own_gift"),
            404: CARD_NOT_FOUND,
            409: error_response("gift_not_open, gift_fully_claimed, gift_expired, already_claimed, draw_closed, "
                                "idempotency_key_in_flight"),
            422: error_response("idempotency_key_reused"),
            429: THROTTLED_CARD,
        },
        tags=TAGS,
    )
    @sold_out_gate
    @idempotent("claims.accept")
    def post(self, request, token):
        _check_attempts(request)
        gift = gift_by_card_token(request=request, token=token)
        serializer = ShipToInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_accept(gift=gift, user=request.user, **serializer.service_kwargs())
        return _claim_result(claim, status.HTTP_201_CREATED)


class ClaimAddressApi(CardTokenApi):
    @extend_schema(
        operation_id="claims_set_address", summary="A lottery winner chooses where the prize goes",
        parameters=[TOKEN], request=ShipToInputSerializer,
        responses={
            200: ClaimResultSerializer,
            400: error_response("invalid (see `fields`), variant_not_allowed, out_of_stock"),
            401: NOT_AUTHENTICATED, 404: CARD_NOT_FOUND,
            409: error_response("not_a_winner, gift_expired"), 429: THROTTLED_CARD,
        },
        tags=TAGS,
    )
    def post(self, request, token):
        _check_attempts(request)
        gift = gift_by_card_token(request=request, token=token)
        serializer = ShipToInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_set_address(gift=gift, user=request.user, **serializer.service_kwargs())
        return _claim_result(claim, status.HTTP_200_OK)


class ClaimDeclineApi(CardTokenApi):
    class OutputSerializer(serializers.Serializer):
        status = serializers.CharField(help_text="declined")

        class Meta:
            ref_name = "CardDeclined"

    @extend_schema(
        operation_id="claims_decline", summary="Decline a single gift: its sender is refunded",
        parameters=[TOKEN], request=None,
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 403: error_response("own_gift"), 404: CARD_NOT_FOUND,
                   409: error_response("cannot_decline_group, gift_not_open, gift_expired, gift_fully_claimed"),
                   429: THROTTLED_CARD},
        tags=TAGS,
    )
    def post(self, request, token):
        _check_attempts(request)
        gift = gift_by_card_token(request=request, token=token)
        gift = claim_decline(gift=gift, user=request.user)
        return Response(self.OutputSerializer({"status": gift.status}).data)


class ClaimThanksApi(CardTokenApi):
    class InputSerializer(StrictInputSerializer):
        note = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "ClaimThanks"

    @extend_schema(
        operation_id="claims_thank", summary="Thank the sender (they see the note)",
        parameters=[TOKEN], request=InputSerializer,
        responses={200: YourClaimSerializer, 400: INVALID, 401: NOT_AUTHENTICATED, 404: CARD_NOT_FOUND,
                   409: error_response("not_claimed"), 429: THROTTLED},
        tags=TAGS,
    )
    def post(self, request, token):
        gift = gift_by_card_token(request=request, token=token)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_thank(gift=gift, user=request.user, note=serializer.validated_data["note"])
        claim = claim_for(gift=gift, user=request.user)
        return Response(YourClaimSerializer(claim).data)
