"""Public catalog reads: active stores and their active products. Never shows stock numbers."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop import page_cache
from giftshop.api.pagination import Pagination
from giftshop.api.serializers import with_errors
from stores import selectors
from stores.apis.pagination import paginated_response


def absolute_file_url(request, field_file):
    if not field_file:
        return None
    return request.build_absolute_uri(field_file.url)


class StorePublicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    ship_within_hours = serializers.IntegerField()
    logo_url = serializers.SerializerMethodField(allow_null=True)

    class Meta:
        ref_name = "Store"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo_url(self, store) -> str | None:
        return absolute_file_url(self.context["request"], store.logo)


class StoreRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "StoreRef"


class ImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ProductImagePublic"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, image) -> str:
        return absolute_file_url(self.context["request"], image.image)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail_url(self, image) -> str:
        return absolute_file_url(self.context["request"], image.thumbnail)


class VariantPublicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    price_minor = serializers.IntegerField()
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()

    class Meta:
        ref_name = "VariantPublic"


class ProductPublicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    store = StoreRefSerializer()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    giftable = serializers.BooleanField()
    images = ImageSerializer(many=True)
    variants = VariantPublicSerializer(many=True)

    class Meta:
        ref_name = "ProductPublic"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product) -> str:
        """The product page."""
        return self.context["request"].build_absolute_uri(product.get_absolute_url())


class StoreListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = Pagination

    OutputSerializer = StorePublicSerializer

    @extend_schema(operation_id="stores_list", responses=OutputSerializer(many=True), tags=["catalog"])
    def get(self, request):
        return paginated_response(
            request=request, view=self, queryset=selectors.store_list_public(), serializer_class=self.OutputSerializer
        )


class StoreDetailApi(APIView):
    permission_classes = [AllowAny]

    OutputSerializer = StorePublicSerializer

    @extend_schema(
        operation_id="stores_retrieve", responses=with_errors({200: OutputSerializer}, 404), tags=["catalog"]
    )
    def get(self, request, slug):
        store = selectors.store_get_public(slug=slug)
        return Response(self.OutputSerializer(store, context={"request": request}).data)


@method_decorator(page_cache.anonymous(vary_on_accept=True), name="dispatch")
class ProductListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        store = serializers.SlugField(max_length=50, required=False)
        q = serializers.CharField(max_length=100, required=False, allow_blank=True)

    OutputSerializer = ProductPublicSerializer

    @extend_schema(
        operation_id="products_list",
        parameters=[
            OpenApiParameter("store", str, description="Only this store's products (its slug)."),
            OpenApiParameter("q", str, description="Words in the title or description (at most 100 characters)."),
        ],
        responses=with_errors({200: OutputSerializer(many=True)}, 400),
        tags=["catalog"],
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        store_slug = filters.validated_data.get("store")
        products = selectors.product_list_public(store_slug=store_slug, q=filters.validated_data.get("q", "").strip())

        def shows(rows):  # one store's list is cached for anonymous callers; the whole catalogue is not
            for product in rows if store_slug else ():
                page_cache.depends_on(request, store=product.store_id)

        return paginated_response(
            request=request, view=self, queryset=products, serializer_class=self.OutputSerializer, annotate_page=shows
        )


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    OutputSerializer = ProductPublicSerializer

    @extend_schema(
        operation_id="products_retrieve", responses=with_errors({200: OutputSerializer}, 404), tags=["catalog"]
    )
    def get(self, request, product_id):
        product = selectors.product_get_public(product_id=product_id)
        return Response(self.OutputSerializer(product, context={"request": request}).data)
