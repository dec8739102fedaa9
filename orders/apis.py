"""/api/v1/orders/ and /api/v1/payments/: buy for yourself, follow your orders, see a payment, and
press the sandbox provider's buttons. Access is checked before input: another user's order or
payment is a 404 whatever the body says."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import NOT_AUTHENTICATED, StrictInputSerializer, error_response
from giftshop.errors import Conflict, NotFound
from giftshop.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from logistics.apis.serializers import TrackingEventSerializer
from orders import selectors
from orders.models import Order, Payment, Refund
from orders.payments.sandbox import WEBHOOK_MODES, SandboxProvider, sandbox_charge_complete
from orders.services.checkout import MAX_PURCHASE_QUANTITY, order_create_purchase
from stores.apis.catalog import StoreRefSerializer
from stores.apis.inputs import id_field
from stores.apis.pagination import paginated_response

ORDERS = ["orders"]
PAYMENTS = ["payments"]


def status_field(choices, **kwargs):
    """A status as a plain string whose values are listed in its description. (Enums named by the
    field would collide in the OpenAPI document: orders, payments, refunds and gifts all have a
    `status` with different values.)"""
    values = ", ".join(value for value, _label in choices)
    help_text = kwargs.pop("help_text", "")
    return serializers.CharField(help_text=f"One of: {values}. {help_text}".strip(), **kwargs)


INVALID = error_response("invalid: some fields are not valid (see `fields`); parse_error: malformed JSON")
NOT_FOUND = error_response("not_found: no such object of yours")


# --- output pieces ---------------------------------------------------------------------------


class PaymentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = status_field(Payment.Status.choices)
    checkout_url = serializers.CharField(help_text="Where the buyer pays (empty if not opened yet).")

    class Meta:
        ref_name = "OrderPaymentRef"


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    events = TrackingEventSerializer(many=True, source="events.all", help_text="Newest first.")

    class Meta:
        ref_name = "OrderShipment"


class OrderLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    product_title = serializers.CharField()
    variant_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_minor = serializers.IntegerField()
    currency = serializers.CharField()

    class Meta:
        ref_name = "OrderLine"


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Order.Kind.choices)
    status = status_field(Order.Status.choices)
    store = StoreRefSerializer()
    lines = OrderLineSerializer(many=True, source="lines.all")
    total_minor = serializers.IntegerField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    pay_by = serializers.DateTimeField(help_text="Unpaid by then, the order is cancelled and its stock released.")
    paid_at = serializers.DateTimeField(allow_null=True)
    payment = serializers.SerializerMethodField()
    shipments = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Order"

    @extend_schema_field(PaymentRefSerializer(allow_null=True))
    def get_payment(self, order):
        payment = selectors.order_payment(order)
        return PaymentRefSerializer(payment).data if payment else None

    @extend_schema_field(
        ShipmentSerializer(many=True, help_text="Purchases: the parcel once paid. Gifts: always [] (see /gifts/<id>/).")
    )
    def get_shipments(self, order):
        if order.kind != Order.Kind.PURCHASE or order.shipment is None:
            return []
        return ShipmentSerializer([order.shipment], many=True).data


# --- orders ----------------------------------------------------------------------------------


class OrderListCreateApi(APIView):
    """GET: your orders, newest first. POST: buy for yourself."""

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        variant_id = id_field()
        quantity = serializers.IntegerField(min_value=1, max_value=MAX_PURCHASE_QUANTITY)
        address_id = id_field(help_text="One of your saved addresses (/api/v1/me/addresses/).")

        class Meta:
            ref_name = "OrderCreate"

    OutputSerializer = OrderSerializer

    @extend_schema(
        operation_id="orders_list",
        summary="Your orders (purchases and the orders behind the gifts you sent)",
        responses={200: OutputSerializer(many=True), 401: NOT_AUTHENTICATED},
        tags=ORDERS,
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.order_list_for_buyer(user=request.user),
            serializer_class=self.OutputSerializer,
        )

    @extend_schema(
        operation_id="orders_create",
        summary="Buy for yourself: reserve the stock and open the payment",
        description="Pay at `payment.checkout_url`; the order becomes `paid` once the provider's signed "
        "webhook arrives. Unpaid after `pay_by`, it is cancelled.",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OutputSerializer,
            400: error_response("invalid (see `fields`; also another user's address), out_of_stock, parse_error"),
            401: NOT_AUTHENTICATED,
            409: error_response("idempotency_key_in_flight"),
            422: error_response("idempotency_key_reused"),
        },
        tags=ORDERS,
    )
    @idempotent("orders.create")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_create_purchase(buyer=request.user, **serializer.validated_data)
        order = selectors.access_order_by_id(user=request.user, order_id=order.id)
        return Response(self.OutputSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    OutputSerializer = OrderSerializer

    @extend_schema(
        operation_id="orders_retrieve",
        summary="One of your orders, with its payment and (purchases) its shipment",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=ORDERS,
    )
    def get(self, request, order_id):
        order = selectors.access_order_by_id(user=request.user, order_id=order_id)
        return Response(self.OutputSerializer(order).data)


# --- payments --------------------------------------------------------------------------------


class PaymentDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class RefundSerializer(serializers.Serializer):
            amount_minor = serializers.IntegerField()
            reason = serializers.ChoiceField(choices=Refund.Reason.choices)
            status = status_field(Refund.Status.choices)
            created_at = serializers.DateTimeField()
            completed_at = serializers.DateTimeField(allow_null=True)

            class Meta:
                ref_name = "PaymentRefund"

        id = serializers.IntegerField()
        order_id = serializers.IntegerField()
        provider = serializers.CharField()
        status = status_field(Payment.Status.choices)
        amount_minor = serializers.IntegerField()
        refunded_minor = serializers.IntegerField()
        currency = serializers.CharField()
        checkout_url = serializers.CharField()
        created_at = serializers.DateTimeField()
        succeeded_at = serializers.DateTimeField(allow_null=True)
        refunds = RefundSerializer(many=True, source="refunds.all")

        class Meta:
            ref_name = "PaymentDetail"

    @extend_schema(
        operation_id="payments_retrieve",
        summary="A payment of one of your orders, with its refunds",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
        tags=PAYMENTS,
    )
    def get(self, request, payment_id):
        payment = selectors.access_payment_by_id(user=request.user, payment_id=payment_id)
        return Response(self.OutputSerializer(payment).data)


class PaymentSandboxApi(APIView):
    """What the sandbox provider's hosted page does when the payer presses "Pay" or "Fail"."""

    class InputSerializer(StrictInputSerializer):
        outcome = serializers.ChoiceField(choices=["succeeded", "failed"])
        webhook_mode = serializers.ChoiceField(
            choices=list(WEBHOOK_MODES),
            required=False,
            help_text="How the sandbox delivers its webhook: normal, duplicate, delay, reorder or drop "
            "(default: the SANDBOX_PAYMENT_WEBHOOK_MODE setting).",
        )

        class Meta:
            ref_name = "SandboxPaymentComplete"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = status_field(
            Payment.Status.choices,
            help_text="Still the status before the webhook: the order moves only when the signed webhook arrives.",
        )

        class Meta:
            ref_name = "SandboxPaymentAccepted"

    @extend_schema(
        operation_id="payments_sandbox_complete",
        summary="Sandbox provider only: pay or fail a payment, as its hosted page's buttons do",
        request=InputSerializer,
        responses={
            202: OutputSerializer,
            400: INVALID,
            401: NOT_AUTHENTICATED,
            404: error_response("not_found: not your payment, not a sandbox payment, or the sandbox is off"),
            409: error_response("payment_not_started: the provider's checkout was not opened yet"),
        },
        tags=PAYMENTS,
    )
    def post(self, request, payment_id):
        if not settings.SANDBOX_PAYMENTS_ENABLED:
            raise NotFound()
        payment = selectors.access_payment_by_id(user=request.user, payment_id=payment_id)
        if payment.provider != SandboxProvider.code:
            raise NotFound()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not payment.provider_ref:
            raise Conflict(_("The payment page is not open yet. Try again in a moment."), code="payment_not_started")
        sandbox_charge_complete(
            ref=payment.provider_ref,
            outcome=serializer.validated_data["outcome"],
            webhook_mode=serializer.validated_data.get("webhook_mode"),
        )
        return Response(self.OutputSerializer(payment).data, status=status.HTTP_202_ACCEPTED)
