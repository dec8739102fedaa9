"""{{ shipment.carrier|carrier_name }}: a carrier's name, never its code, wherever people read it."""

from django import template

from logistics.carriers import carrier_name as _carrier_name

register = template.Library()


@register.filter
def carrier_name(code):
    return _carrier_name(code)
