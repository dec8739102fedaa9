"""POST /api/v1/merchant/shipments/<id>/return/: a parcel that came back to the store is shipped
again or refunded (gifts.services.returns), the console's twin. Members of its store only: 404 for
anyone else, whatever the body says."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gifts.services.returns import ACTIONS, shipment_resolve_return
from giftshop.api.serializers import StrictInputSerializer, with_errors
from logistics.selectors.shipments import access_shipment_for_member, shipment_to_follow


class MerchantShipmentReturnApi(APIView):
    class InputSerializer(StrictInputSerializer):
        action = serializers.ChoiceField(
            choices=ACTIONS,
            help_text="resend: a new parcel to the same address; refund: the units back on sale, the money back.",
        )

        class Meta:
            ref_name = "MerchantShipmentReturn"

    class OutputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=["resent", "refunded"])
        shipment_id = serializers.IntegerField(help_text="The parcel to follow now: the new one when resent.")

        class Meta:
            ref_name = "MerchantShipmentReturnResult"

    @extend_schema(
        operation_id="merchant_shipments_return",
        summary="Ship a returned parcel again, or refund it",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer}, 400, 401, 404, 409),
        tags=["shipments"],
    )
    def post(self, request, shipment_id):
        shipment = access_shipment_for_member(user=request.user, shipment_id=shipment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = shipment_resolve_return(shipment=shipment, actor=request.user, action=data.validated_data["action"])
        follow = shipment_to_follow(shipment)
        return Response(self.OutputSerializer({"outcome": outcome, "shipment_id": follow.id}).data)
