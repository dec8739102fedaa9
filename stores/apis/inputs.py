"""Input serializer pieces shared by the stores API: numbers are bounded. (Unknown fields are
refused by giftshop.api.serializers.StrictInputSerializer.)"""

from rest_framework import serializers

from giftshop.money import CURRENCIES, MAX_PRICE_MINOR
from stores.models import MAX_STOCK

MAX_ID = 2**63 - 1
MAX_VARIANTS = 50


def price_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_PRICE_MINOR, **kwargs)


def stock_field(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_STOCK, **kwargs)


def currency_field(**kwargs):
    return serializers.ChoiceField(choices=CURRENCIES, **kwargs)


def id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class DateTimeInputField(serializers.DateTimeField):
    """DRF's DateTimeField, and a naive time at the edge of the calendar (0001-01-01T00:00 read in
    a zone east of UTC) is the field's "out of range" 400, not the OverflowError DRF lets through."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def datetime_field(**kwargs):
    return DateTimeInputField(**kwargs)
