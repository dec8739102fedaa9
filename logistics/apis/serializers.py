"""Logistics' data as every API shows it: a parcel's tracking events, and an address as typed.
gifts and orders (to the left) import these rather than describe logistics' rows again."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from giftshop.api.serializers import StrictInputSerializer
from logistics.countries import COUNTRY_CODES
from logistics.models import Address, Shipment


def _max(name):
    return Address._meta.get_field(name).max_length


class TrackingEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Shipment.Status.choices)
    location = serializers.CharField()
    description = serializers.CharField()

    class Meta:
        ref_name = "TrackingEvent"


# The document says what logistics.services.addresses checks (phone_problem, country_problem), so a
# client, or a fuzzer, can tell a valid address from the schema alone. Documentation only: the
# service still decides, with its own messages.
@extend_schema_field({"type": "string", "pattern": r"^(?=.*[0-9])[0-9 +\-]{5,24}$",
                      "description": "5 to 24 digits, spaces, + or -"})
class _PhoneField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": sorted(COUNTRY_CODES), "description": "ISO 3166 alpha-2 code, e.g. CN"})
class _CountryField(serializers.CharField):
    pass


# The address book's fields, as a person types them. No docstring on purpose: drf-spectacular would
# make it the description of every input built on it. Subclasses add what their endpoint takes
# besides (the address book: is_default) and name their own component.
class AddressFieldsSerializer(StrictInputSerializer):
    recipient_name = serializers.CharField(max_length=_max("recipient_name"))
    phone = _PhoneField(max_length=_max("phone"))
    country = _CountryField(max_length=_max("country"), help_text="ISO 3166 alpha-2 code, e.g. CN")
    region = serializers.CharField(max_length=_max("region"))
    city = serializers.CharField(max_length=_max("city"))
    district = serializers.CharField(max_length=_max("district"), required=False, allow_blank=True)
    street = serializers.CharField(max_length=_max("street"))
    postal_code = serializers.CharField(max_length=_max("postal_code"), required=False, allow_blank=True)
