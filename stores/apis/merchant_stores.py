"""Merchant API for stores and their teams. Access first (404 when not a member), then input."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import StrictInputSerializer, with_errors
from stores import selectors, services
from stores.apis.catalog import absolute_file_url
from stores.apis.pagination import paginated_response
from stores.models import StoreMember

TAGS = ["merchant"]


class MerchantStoreSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    logo_url = serializers.SerializerMethodField(allow_null=True)
    ship_within_hours = serializers.IntegerField()
    is_active = serializers.BooleanField()
    role = serializers.ChoiceField(choices=StoreMember.Role.choices, source="my_role", help_text="Your role here.")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "MerchantStore"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo_url(self, store) -> str | None:
        return absolute_file_url(self.context["request"], store.logo)


def _with_role(store, user):
    store.my_role = selectors.member_role(store=store, user=user)
    return store


class MerchantStoreListCreateApi(APIView):
    """GET: the stores you are a member of. POST: open a store; you become its owner."""

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(max_length=80)
        slug = serializers.SlugField(max_length=50)
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        ship_within_hours = serializers.IntegerField(min_value=1, max_value=720, required=False)

        class Meta:
            ref_name = "MerchantStoreCreate"

    OutputSerializer = MerchantStoreSerializer

    @extend_schema(
        operation_id="merchant_stores_list", responses=with_errors({200: OutputSerializer(many=True)}, 401), tags=TAGS
    )
    def get(self, request):
        user = request.user

        def add_roles(stores):
            roles = dict(
                StoreMember.objects.filter(user=user, store__in=[s.id for s in stores]).values_list("store_id", "role")
            )
            for store in stores:
                store.my_role = roles.get(store.id)

        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.store_list_for_member(user=user),
            serializer_class=self.OutputSerializer,
            annotate_page=add_roles,
        )

    @extend_schema(
        operation_id="merchant_stores_create",
        request=InputSerializer,
        responses=with_errors({201: OutputSerializer}, 400, 401),
        tags=TAGS,
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = services.store_create(owner=request.user, **data.validated_data)
        store.my_role = StoreMember.Role.OWNER
        return Response(self.OutputSerializer(store, context={"request": request}).data, status=201)


class MerchantStoreDetailApi(APIView):
    """GET: a store you are a member of. PATCH: change its settings (owners only)."""

    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(max_length=80, required=False)
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        ship_within_hours = serializers.IntegerField(min_value=1, max_value=720, required=False)
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "MerchantStoreUpdate"

    OutputSerializer = MerchantStoreSerializer

    @extend_schema(
        operation_id="merchant_stores_retrieve", responses=with_errors({200: OutputSerializer}, 401, 404), tags=TAGS
    )
    def get(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug)
        return Response(self.OutputSerializer(_with_role(store, request.user), context={"request": request}).data)

    @extend_schema(
        operation_id="merchant_stores_update",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer}, 400, 401, 403, 404),
        tags=TAGS,
    )
    def patch(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug, owner=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = services.store_update(store=store, actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(_with_role(store, request.user), context={"request": request}).data)


class StoreMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.public_name")
    role = serializers.ChoiceField(choices=StoreMember.Role.choices)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "StoreMember"


class StoreMemberListAddApi(APIView):
    """The store's team. Owners only: staff get 403."""

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=StoreMember.Role.choices, default=StoreMember.Role.STAFF)

        class Meta:
            ref_name = "StoreMemberAdd"

    OutputSerializer = StoreMemberSerializer

    @extend_schema(
        operation_id="merchant_store_members_list",
        responses=with_errors({200: OutputSerializer(many=True)}, 401, 403, 404),
        tags=TAGS,
    )
    def get(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug, owner=True)
        members = store.members.select_related("user").order_by("created_at", "id")
        return paginated_response(request=request, view=self, queryset=members, serializer_class=self.OutputSerializer)

    @extend_schema(
        operation_id="merchant_store_members_add",
        request=InputSerializer,
        responses=with_errors({201: OutputSerializer}, 400, 401, 403, 404),
        tags=TAGS,
    )
    def post(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug, owner=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.store_member_add(store=store, actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(member).data, status=201)


class StoreMemberRemoveApi(APIView):
    """Take someone off the team (owners only); the last owner stays."""

    @extend_schema(
        operation_id="merchant_store_members_remove", responses=with_errors({204: None}, 400, 401, 403, 404), tags=TAGS
    )
    def delete(self, request, slug, member_id):
        store = selectors.access_store_by_slug(user=request.user, slug=slug)
        services.store_member_remove(store=store, actor=request.user, member_id=member_id)
        return Response(status=204)
