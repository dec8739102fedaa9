"""/api/v1/me/addresses/: the address book. Access is checked before input: another user's id is
a 404 whatever the body says."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from giftshop.api.pagination import Pagination
from giftshop.api.serializers import INVALID, NOT_AUTHENTICATED, error_response
from logistics.apis.serializers import AddressFieldsSerializer
from logistics.models import Address
from logistics.selectors import addresses as selectors
from logistics.services import addresses as services

NOT_FOUND = error_response("not_found: no such address of yours")


class AddressOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
            "recipient_name",
            "phone",
            "country",
            "region",
            "city",
            "district",
            "street",
            "postal_code",
            "is_default",
            "created_at",
        ]
        read_only_fields = fields
        ref_name = "Address"


class AddressInputSerializer(AddressFieldsSerializer):
    is_default = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "AddressInput"


class AddressListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="me_addresses_list",
        summary="Your saved addresses, the default first",
        responses={200: AddressOutputSerializer(many=True), 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.address_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(AddressOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="me_addresses_create",
        summary="Save an address (your first one becomes the default)",
        request=AddressInputSerializer,
        responses={201: AddressOutputSerializer, 400: INVALID, 401: NOT_AUTHENTICATED},
    )
    def post(self, request):
        serializer = AddressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(user=request.user, **serializer.validated_data)
        return Response(AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    @extend_schema(
        operation_id="me_addresses_retrieve",
        summary="One of your addresses",
        responses={200: AddressOutputSerializer, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request, address_id):
        address = selectors.access_address_by_id(user=request.user, address_id=address_id)
        return Response(AddressOutputSerializer(address).data)

    @extend_schema(
        operation_id="me_addresses_update",
        summary="Change an address, or make it the default (is_default: true)",
        request=AddressInputSerializer,
        responses={200: AddressOutputSerializer, 400: INVALID, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
    )
    def patch(self, request, address_id):
        address = selectors.access_address_by_id(user=request.user, address_id=address_id)
        serializer = AddressInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(address=address, **serializer.validated_data)
        return Response(AddressOutputSerializer(address).data)

    @extend_schema(
        operation_id="me_addresses_destroy",
        summary="Delete an address (if it was the default, your oldest other address becomes it)",
        responses={204: None, 401: NOT_AUTHENTICATED, 404: NOT_FOUND},
    )
    def delete(self, request, address_id):
        address = selectors.access_address_by_id(user=request.user, address_id=address_id)
        services.address_delete(address=address)
        return Response(status=status.HTTP_204_NO_CONTENT)
