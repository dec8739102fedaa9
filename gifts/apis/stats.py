"""GET /api/v1/merchant/stores/<slug>/stats/?start=&end=: a store's statistics, for its members
only (another store is a 404, as if it did not exist). The same selector as the console page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gifts.selectors.stats import stats_period, store_stats
from giftshop.api.serializers import NOT_AUTHENTICATED, error_response
from stores.selectors import access_store_by_slug

TAGS = ["merchant"]


class StatsDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    sent = serializers.IntegerField(help_text="Gifts paid (card live) that day.")
    claimed = serializers.IntegerField(help_text="Claims accepted that day.")
    expired = serializers.IntegerField(help_text="Gifts whose claim window closed that day.")
    declined = serializers.IntegerField(help_text="Gifts declined by their recipient that day.")

    class Meta:
        ref_name = "StatsDay"


class StatsTotalsSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    claimed = serializers.IntegerField()
    expired = serializers.IntegerField()
    declined = serializers.IntegerField()
    units_sent = serializers.IntegerField(help_text="Units of the gifts sent in the range.")
    units_claimed = serializers.IntegerField(help_text="Of those, the units claimed so far.")

    class Meta:
        ref_name = "StatsTotals"


class StatsRevenueSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount_minor = serializers.IntegerField(help_text="Orders paid in the range less their refunds.")

    class Meta:
        ref_name = "StatsRevenue"


class StoreStatsApi(APIView):
    """Gifts sent, claimed, expired and declined per day (the store's days), claim rate, median time
    to claim, revenue per currency and the shipments overdue now."""

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField()
        end = serializers.DateField()
        days = StatsDaySerializer(many=True)
        totals = StatsTotalsSerializer()
        claim_rate = serializers.FloatField(
            allow_null=True, help_text="units_claimed / units_sent (0 to 1); null when nothing was sent."
        )
        median_seconds_to_claim = serializers.IntegerField(
            allow_null=True, help_text="From the gift's payment to the claim; null when nothing was claimed."
        )
        revenue = StatsRevenueSerializer(many=True)
        shipments_overdue = serializers.IntegerField(help_text="Waiting to be dispatched past their ship-by time.")

        class Meta:
            ref_name = "StoreStats"

    @extend_schema(
        operation_id="merchant_store_stats",
        summary="The store's statistics over a range of days (default: the last 30; at most 366)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day, YYYY-MM-DD (store's time zone)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, YYYY-MM-DD; default today"),
        ],
        responses={
            200: OutputSerializer,
            400: error_response("invalid: start / end are not days, in the wrong order, or more than 366 days apart"),
            401: NOT_AUTHENTICATED,
            404: error_response("not_found: no such store of yours"),
        },
        tags=TAGS,
    )
    def get(self, request, slug):
        store = access_store_by_slug(user=request.user, slug=slug)
        period = stats_period(start=request.query_params.get("start"), end=request.query_params.get("end"))
        return Response(self.OutputSerializer(store_stats(store=store, period=period)).data)
