"""Merchant API for products, variants and photos. Access first (404 when the object belongs to a
store you are not a member of, whatever the body), then input, then one service call."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import StrictInputSerializer, with_errors
from giftshop.errors import PayloadTooLarge
from giftshop.money import DEFAULT_CURRENCY
from stores import selectors, services
from stores.apis.catalog import StoreRefSerializer, absolute_file_url
from stores.apis.inputs import (
    MAX_VARIANTS,
    currency_field,
    id_field,
    price_field,
    stock_field,
)
from stores.apis.pagination import paginated_response
from stores.images import InvalidImage

TAGS = ["merchant"]
# Room for the multipart envelope around a photo of the largest allowed size.
MULTIPART_OVERHEAD = 64 * 1024


class MerchantVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()
    price_minor = serializers.IntegerField()
    currency = serializers.CharField()
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()

    class Meta:
        ref_name = "MerchantVariant"


class MerchantImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    position = serializers.IntegerField()

    class Meta:
        ref_name = "MerchantProductImage"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, image) -> str:
        return absolute_file_url(self.context["request"], image.image)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail_url(self, image) -> str:
        return absolute_file_url(self.context["request"], image.thumbnail)


class MerchantProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    store = StoreRefSerializer()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    giftable = serializers.BooleanField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    images = MerchantImageSerializer(many=True)
    variants = MerchantVariantSerializer(many=True)

    class Meta:
        ref_name = "MerchantProduct"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product) -> str:
        """The public product page (404 there while the product is not on sale)."""
        return self.context["request"].build_absolute_uri(product.get_absolute_url())


class VariantInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=80)
    sku = serializers.CharField(max_length=64)
    price_minor = price_field()
    stock = stock_field(required=False, default=0)
    currency = currency_field(required=False, default=DEFAULT_CURRENCY)

    class Meta:
        ref_name = "MerchantVariantCreate"


def _product_answer(request, product, status=200):
    return Response(MerchantProductSerializer(product, context={"request": request}).data, status=status)


class MerchantProductListCreateApi(APIView):
    """GET: the store's products, inactive ones included. POST: add a product with its variants."""

    pagination_class = Pagination

    class InputSerializer(StrictInputSerializer):
        title = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        giftable = serializers.BooleanField(required=False, default=True)
        is_active = serializers.BooleanField(required=False, default=True)
        # A ListField (not many=True) so list-level errors land on "variants", item errors on "variants.0.sku".
        variants = serializers.ListField(child=VariantInputSerializer(), min_length=1, max_length=MAX_VARIANTS)

        class Meta:
            ref_name = "MerchantProductCreate"

    OutputSerializer = MerchantProductSerializer

    @extend_schema(
        operation_id="merchant_store_products_list",
        responses=with_errors({200: OutputSerializer(many=True)}, 401, 404),
        tags=TAGS,
    )
    def get(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug)
        products = selectors.product_list_for_store(store=store).select_related("store")
        return paginated_response(request=request, view=self, queryset=products, serializer_class=self.OutputSerializer)

    @extend_schema(
        operation_id="merchant_store_products_create",
        request=InputSerializer,
        responses=with_errors({201: OutputSerializer}, 400, 401, 404),
        tags=TAGS,
    )
    def post(self, request, slug):
        store = selectors.access_store_by_slug(user=request.user, slug=slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(store=store, actor=request.user, **data.validated_data)
        return _product_answer(request, product, status=201)


class MerchantProductDetailApi(APIView):
    """GET a product of one of your stores; PATCH any of its fields."""

    class InputSerializer(StrictInputSerializer):
        title = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        giftable = serializers.BooleanField(required=False)
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "MerchantProductUpdate"

    OutputSerializer = MerchantProductSerializer

    @extend_schema(
        operation_id="merchant_products_retrieve", responses=with_errors({200: OutputSerializer}, 401, 404), tags=TAGS
    )
    def get(self, request, product_id):
        product = selectors.access_product_by_id(user=request.user, product_id=product_id)
        return _product_answer(request, product)

    @extend_schema(
        operation_id="merchant_products_update",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer}, 400, 401, 404),
        tags=TAGS,
    )
    def patch(self, request, product_id):
        product = selectors.access_product_by_id(user=request.user, product_id=product_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_update(product=product, actor=request.user, **data.validated_data)
        return _product_answer(request, product)


class VariantCreateApi(APIView):
    """Add a variant to a product; its SKU must be new in the store."""

    InputSerializer = VariantInputSerializer
    OutputSerializer = MerchantVariantSerializer

    @extend_schema(
        operation_id="merchant_product_variants_create",
        request=InputSerializer,
        responses=with_errors({201: OutputSerializer}, 400, 401, 404),
        tags=TAGS,
    )
    def post(self, request, product_id):
        product = selectors.access_product_by_id(user=request.user, product_id=product_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variant = services.variant_create(product=product, actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(variant).data, status=201)


class VariantDetailApi(APIView):
    """PATCH a variant's price, stock, name or SKU; DELETE it (a product keeps at least one)."""

    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(max_length=80, required=False)
        sku = serializers.CharField(max_length=64, required=False)
        price_minor = price_field(required=False)
        stock = stock_field(required=False)

        class Meta:
            ref_name = "MerchantVariantUpdate"

    OutputSerializer = MerchantVariantSerializer

    @extend_schema(
        operation_id="merchant_variants_update",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer}, 400, 401, 404),
        tags=TAGS,
    )
    def patch(self, request, variant_id):
        variant = selectors.access_variant_by_id(user=request.user, variant_id=variant_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variant = services.variant_update(variant=variant, actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(variant).data)

    @extend_schema(
        operation_id="merchant_variants_delete",
        description="400 `invalid`: the product's last variant. 409 `variant_in_use`: it has been ordered "
        "(set its stock to 0 instead).",
        responses=with_errors({204: None}, 400, 401, 404, 409),
        tags=TAGS,
    )
    def delete(self, request, variant_id):
        variant = selectors.access_variant_by_id(user=request.user, variant_id=variant_id)
        services.variant_delete(variant=variant, actor=request.user)
        return Response(status=204)


class ProductImageUploadApi(APIView):
    """Add a photo (JPEG, PNG or WebP, at most 5 MB). It is decoded and re-encoded without its
    metadata before anything is stored."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        image = serializers.FileField()

        class Meta:
            ref_name = "ProductImageUpload"

    OutputSerializer = MerchantImageSerializer

    @extend_schema(
        operation_id="merchant_product_images_create",
        request={"multipart/form-data": InputSerializer},
        responses=with_errors({201: OutputSerializer}, 400, 401, 404, 413),
        tags=TAGS,
    )
    def post(self, request, product_id):
        product = selectors.access_product_by_id(user=request.user, product_id=product_id)
        # Refuse an oversized body before reading it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.IMAGE_MAX_BYTES + MULTIPART_OVERHEAD:
            raise PayloadTooLarge(_("Photos can be at most 5 MB."))
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():  # missing, empty, or not a file at all
            raise InvalidImage(_("Choose a photo to upload."))
        image = services.product_image_add(product=product, actor=request.user, upload=data.validated_data["image"])
        return Response(self.OutputSerializer(image, context={"request": request}).data, status=201)


class ProductImageDeleteApi(APIView):
    @extend_schema(operation_id="merchant_images_delete", responses=with_errors({204: None}, 401, 404), tags=TAGS)
    def delete(self, request, image_id):
        image = selectors.access_image_by_id(user=request.user, image_id=image_id)
        services.product_image_delete(image=image, actor=request.user)
        return Response(status=204)


class ProductImagesReorderApi(APIView):
    """Put the product's photos in this order (the first is the cover); list each exactly once."""

    class InputSerializer(StrictInputSerializer):
        image_ids = serializers.ListField(child=id_field(), max_length=100)

        class Meta:
            ref_name = "ProductImagesReorder"

    OutputSerializer = MerchantImageSerializer

    @extend_schema(
        operation_id="merchant_product_images_reorder",
        request=InputSerializer,
        responses=with_errors({200: OutputSerializer(many=True)}, 400, 401, 404),
        tags=TAGS,
    )
    def post(self, request, product_id):
        product = selectors.access_product_by_id(user=request.user, product_id=product_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.product_images_reorder(product=product, actor=request.user, image_ids=data.validated_data["image_ids"])
        images = product.images.order_by("position", "id")
        return Response(self.OutputSerializer(images, many=True, context={"request": request}).data)
