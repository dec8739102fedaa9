from django import template

from giftshop.money import DEFAULT_CURRENCY, format_money

register = template.Library()


@register.filter(name="money")
def money(amount_minor, currency=DEFAULT_CURRENCY):
    """{{ variant.price_minor|money:variant.currency }} -> ¥123.45"""
    if amount_minor is None or amount_minor == "":
        return ""
    return format_money(int(amount_minor), currency)
