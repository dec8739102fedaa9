"""OpenAPI pieces for the stores API: the one error shape every 4xx answer has."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine code: invalid, not_found, permission_denied, invalid_image, ...")
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For validation errors: field name (nested as variants.0.sku) to its messages.",
    )

    class Meta:
        ref_name = "Error"


def with_errors(success, *statuses):
    """{200: success, 400: Error, ...} for @extend_schema(responses=...)."""
    return {**success, **{status: ErrorSerializer for status in statuses}}
