"""Shipments in the API: the merchant's queue (GET /merchant/stores/<slug>/shipments/), one shipment
for the people allowed to follow it (GET /shipments/<id>/: its recipient and its store's members),
and the merchant's dispatch (POST /merchant/shipments/<id>/dispatch/). Access is checked before
input; what is not yours is a 404. No prices, ever: a shipment carries none."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import StrictInputSerializer, with_errors
from logistics.apis.serializers import TrackingEventSerializer
from logistics.models import Shipment
from logistics.selectors import shipments as selectors
from logistics.services.tracking import shipment_dispatch
from stores.selectors import access_store_by_slug

TAGS = ["shipments"]
STATUS_GROUPS = ["overdue", "dispatched", "all"]  # besides the statuses themselves
ADDRESS_PURGED_HELP = (
    "When the address was removed, ADDRESS_RETENTION_DAYS after the parcel ended (null: still kept). From then on "
    "ship_to keeps only country, region and city (the other fields are empty strings), and the gift note is empty."
)


class ShipToSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_to_name")
    phone = serializers.CharField(source="ship_to_phone")
    country = serializers.CharField(source="ship_to_country", help_text="ISO 3166 alpha-2 code")
    region = serializers.CharField(source="ship_to_region")
    city = serializers.CharField(source="ship_to_city")
    district = serializers.CharField(source="ship_to_district")
    street = serializers.CharField(source="ship_to_street")
    postal_code = serializers.CharField(source="ship_to_postal_code")

    class Meta:
        ref_name = "ShipTo"


class PackingLineSerializer(serializers.Serializer):
    product_title = serializers.CharField()
    variant_name = serializers.CharField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()

    class Meta:
        ref_name = "PackingLine"


class GiftNoteSerializer(serializers.Serializer):
    giver_name = serializers.CharField()
    message = serializers.CharField(source="gift_message")

    class Meta:
        ref_name = "GiftNote"


class MerchantShipmentListApi(APIView):
    """A store's shipments, the earliest promise first (members of the store only)."""

    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[*Shipment.Status.values, *STATUS_GROUPS], required=False,
            help_text="pending = waiting to be dispatched; overdue = still pending after ship_by; "
                      "dispatched = handed to a carrier (neither pending nor cancelled); all (or none) = every status",
        )
        kind = serializers.ChoiceField(choices=list(selectors.QUEUE_KINDS), required=False)

        class Meta:
            ref_name = "MerchantShipmentFilter"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reference = serializers.CharField()
        status = serializers.ChoiceField(choices=Shipment.Status.choices)
        ship_to = ShipToSerializer(source="*")
        address_purged_at = serializers.DateTimeField(allow_null=True, help_text=ADDRESS_PURGED_HELP)
        ship_by = serializers.DateTimeField()
        overdue = serializers.BooleanField(source="is_overdue", help_text="Still pending after ship_by.")
        lines = PackingLineSerializer(many=True)
        gift = serializers.SerializerMethodField(help_text="The card to print for a gift; null for a purchase.")
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "MerchantShipment"

        @extend_schema_field(GiftNoteSerializer(allow_null=True))
        def get_gift(self, shipment):
            return GiftNoteSerializer(shipment).data if shipment.is_gift else None

    @extend_schema(
        operation_id="merchant_store_shipments_list",
        summary="The store's shipments (status=pending: the queue to ship)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[*Shipment.Status.values, *STATUS_GROUPS]),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(selectors.QUEUE_KINDS)),
        ],
        responses=with_errors({200: OutputSerializer(many=True)}, 400, 401, 404),
        tags=TAGS,
    )
    def get(self, request, slug):
        store = access_store_by_slug(user=request.user, slug=slug)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        shipments = selectors.shipment_list_for_store(
            store=store, status=filters.validated_data.get("status"), kind=filters.validated_data.get("kind")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(shipments, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ShipmentDetailApi(APIView):
    """One shipment and its tracking, for its recipient and its store's members; 404 for anyone
    else (a gift's sender included: the sender never sees the address or the tracking number)."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reference = serializers.CharField()
        status = serializers.ChoiceField(choices=Shipment.Status.choices)
        carrier = serializers.CharField()
        tracking_number = serializers.CharField()
        ship_to = ShipToSerializer(source="*")
        address_purged_at = serializers.DateTimeField(allow_null=True, help_text=ADDRESS_PURGED_HELP)
        ship_by = serializers.DateTimeField()
        shipped_at = serializers.DateTimeField(allow_null=True)
        delivered_at = serializers.DateTimeField(allow_null=True)
        events = TrackingEventSerializer(many=True, source="events.all")

        class Meta:
            ref_name = "Shipment"

    @extend_schema(
        operation_id="shipments_retrieve",
        summary="A shipment you receive, or one of your store's",
        responses=with_errors({200: OutputSerializer}, 401, 404),
        tags=TAGS,
    )
    def get(self, request, shipment_id):
        shipment = selectors.access_shipment_for_viewer(user=request.user, shipment_id=shipment_id)
        return Response(self.OutputSerializer(shipment).data)


class MerchantShipmentDispatchApi(APIView):
    """The store hands a parcel to a carrier: pending → info_received, once; its tracking then fills
    in by itself. Members of the shipment's store only (404 for anyone else)."""

    class InputSerializer(StrictInputSerializer):
        carrier = serializers.CharField(max_length=32, help_text="A carrier code offered for dispatch, e.g. sandbox.")
        tracking_number = serializers.CharField(max_length=64, help_text="4 to 40 letters, digits or dashes.")

        class Meta:
            ref_name = "MerchantShipmentDispatch"

    OutputSerializer = ShipmentDetailApi.OutputSerializer

    @extend_schema(
        operation_id="merchant_shipments_dispatch",
        summary="Dispatch a parcel of your store with a carrier and tracking number",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer}, 400, 401, 404, 409),
        tags=TAGS,
    )
    def post(self, request, shipment_id):
        shipment = selectors.access_shipment_for_member(user=request.user, shipment_id=shipment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_dispatch(shipment=shipment, **data.validated_data, actor=request.user)
        shipment = selectors.access_shipment_for_member(user=request.user, shipment_id=shipment.id)
        return Response(self.OutputSerializer(shipment).data)
