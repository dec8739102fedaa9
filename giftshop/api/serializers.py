"""DRF pieces every app's API is written with: the one error shape as the OpenAPI document names it
(ApiError), the error answers built from it, and the input serializer that refuses unknown fields.

Not named by the settings (unlike this package's leaf modules), so it may import DRF.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from giftshop.api.responses import ERROR_COMPONENT


class ErrorSerializer(serializers.Serializer):
    """The one error shape (giftshop.api.exceptions.exception_handler), for the OpenAPI document."""

    code = serializers.CharField(
        help_text="Machine code: invalid, invalid_credentials, not_found, permission_denied, throttled, "
        "invalid_image, ..."
    )
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For validation errors: field name (nested as variants.0.sku) to its messages.",
    )

    class Meta:
        ref_name = ERROR_COMPONENT


def error_response(description: str) -> OpenApiResponse:
    """An error answer in the one shape; `description` names its codes."""
    return OpenApiResponse(ErrorSerializer, description=description)


def with_errors(success: dict, *statuses) -> dict:
    """{200: success, 400: ApiError, ...} for @extend_schema(responses=...)."""
    return {**success, **{status: ErrorSerializer for status in statuses}}


INVALID = error_response("invalid: some fields are not valid (see `fields`)")
NOT_AUTHENTICATED = error_response("not_authenticated")
THROTTLED = error_response("throttled: too many attempts; see Retry-After")


class StrictInputSerializer(serializers.Serializer):
    """A typo in a field name is a 400, not a silently ignored change."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
