"""The buy page's form. It parses input; orders.services.checkout.order_create_purchase decides
(stock, the address being yours, the quantity) and its errors are shown on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.services.checkout import MAX_PURCHASE_QUANTITY

MAX_ID = 2**63 - 1


class BuyForm(forms.Form):
    """Field names are the service's argument names, so its errors land on the right field."""

    variant_id = forms.TypedChoiceField(
        label=_("Variant"), coerce=int, error_messages={"invalid_choice": _("Choose one of this product's variants.")}
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_PURCHASE_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # Any id: whether it is one of your addresses is the service's rule (access_address_by_id).
    address_id = forms.IntegerField(
        label=_("Ship to"),
        min_value=1,
        max_value=MAX_ID,
        error_messages={"required": _("Choose where to send it.")},
    )

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant_id"].choices = [(v.id, v.name) for v in variants]
        self.fields["variant_id"].error_messages["required"] = _("Choose a variant.")
