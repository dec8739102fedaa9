"""Merchant API for webhook endpoints and their delivery log (stores.webhooks). Owners only: the
store's staff get 403, anyone else 404. The secret is in the answer of a create or a rotation
only."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import StrictInputSerializer, with_errors
from giftshop.errors import InvalidInput
from stores import selectors
from stores.apis.pagination import paginated_response
from stores.models import WebhookDelivery
from stores.webhooks import selectors as webhook_selectors
from stores.webhooks import services
from stores.webhooks.services import EVENT_TYPES

TAGS = ["merchant"]


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES))
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WebhookEndpoint"


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The Standard Webhooks signing secret (whsec_…). Shown only now.")

    class Meta:
        ref_name = "WebhookEndpointWithSecret"


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.CharField(help_text="The webhook-id header: the same on every attempt.")
    event_type = serializers.ChoiceField(choices=EVENT_TYPES)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WebhookDelivery"


class _EndpointInput(StrictInputSerializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=20)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookEndpointListCreateApi(APIView):
    """GET: the store's endpoints. POST: add one; its secret is in this answer only."""

    pagination_class = Pagination

    class InputSerializer(_EndpointInput):
        class Meta:
            ref_name = "WebhookEndpointCreate"

    @extend_schema(
        operation_id="merchant_webhooks_list",
        responses=with_errors({200: WebhookEndpointSerializer(many=True)}, 401, 403, 404),
        tags=TAGS,
    )
    def get(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug, owner=True)
        return paginated_response(
            request=request, view=self, queryset=webhook_selectors.endpoint_list(store=store, actor=request.user),
            serializer_class=WebhookEndpointSerializer,
        )

    @extend_schema(
        operation_id="merchant_webhooks_create",
        request=InputSerializer,
        responses=with_errors({201: WebhookEndpointWithSecretSerializer}, 400, 401, 403, 404),
        tags=TAGS,
    )
    def post(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug, owner=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(store=store, actor=request.user, **data.validated_data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=201)


class WebhookEndpointDetailApi(APIView):
    """GET, PATCH (url, events, description, is_active) or DELETE one endpoint."""

    class InputSerializer(_EndpointInput):
        url = serializers.CharField(max_length=500, required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=20, required=False
        )
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "WebhookEndpointUpdate"

    @extend_schema(
        operation_id="merchant_webhooks_retrieve",
        responses=with_errors({200: WebhookEndpointSerializer}, 401, 403, 404), tags=TAGS,
    )
    def get(self, request, endpoint_id):
        endpoint = webhook_selectors.endpoint_for_owner(endpoint_id=endpoint_id, actor=request.user)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="merchant_webhooks_update", request=InputSerializer,
        responses=with_errors({200: WebhookEndpointSerializer}, 400, 401, 403, 404), tags=TAGS,
    )
    def patch(self, request, endpoint_id):
        endpoint = webhook_selectors.endpoint_for_owner(endpoint_id=endpoint_id, actor=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, actor=request.user, **data.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="merchant_webhooks_delete", responses=with_errors({204: None}, 401, 403, 404), tags=TAGS
    )
    def delete(self, request, endpoint_id):
        endpoint = webhook_selectors.endpoint_for_owner(endpoint_id=endpoint_id, actor=request.user)
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
        return Response(status=204)


class WebhookSecretRotateApi(APIView):
    """A new signing secret, in this answer only; the old one also signs for 24 hours."""

    @extend_schema(
        operation_id="merchant_webhooks_rotate_secret", request=None,
        responses=with_errors({200: WebhookEndpointWithSecretSerializer}, 401, 403, 404), tags=TAGS,
    )
    def post(self, request, endpoint_id):
        endpoint = webhook_selectors.endpoint_for_owner(endpoint_id=endpoint_id, actor=request.user)
        endpoint = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookDeliveryListApi(APIView):
    """The endpoint's delivery log, newest first; `?status=pending|succeeded|failed`."""

    pagination_class = Pagination

    @extend_schema(
        operation_id="merchant_webhook_deliveries_list",
        parameters=[OpenApiParameter("status", str, enum=WebhookDelivery.Status.values, required=False)],
        responses=with_errors({200: WebhookDeliverySerializer(many=True)}, 400, 401, 403, 404),
        tags=TAGS,
    )
    def get(self, request, endpoint_id):
        endpoint = webhook_selectors.endpoint_for_owner(endpoint_id=endpoint_id, actor=request.user)
        status = request.query_params.get("status") or None
        if status is not None and status not in WebhookDelivery.Status.values:
            raise InvalidInput(_("Choose pending, succeeded or failed."), field="status")
        return paginated_response(
            request=request, view=self, queryset=webhook_selectors.delivery_log(endpoint=endpoint, status=status),
            serializer_class=WebhookDeliverySerializer,
        )


class WebhookDeliveryResendApi(APIView):
    """Send a delivered or failed event once more (same webhook-id); 409 while it is still sending."""

    @extend_schema(
        operation_id="merchant_webhook_deliveries_resend", request=None,
        responses=with_errors({202: WebhookDeliverySerializer}, 401, 403, 404, 409), tags=TAGS,
    )
    def post(self, request, delivery_id):
        delivery = webhook_selectors.delivery_for_owner(delivery_id=delivery_id, actor=request.user)
        delivery = services.webhook_delivery_resend(delivery=delivery, actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=202)
