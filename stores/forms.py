"""Page forms for the shop and the merchant console. They only parse input; the rules live in
stores.services, whose DomainErrors are put back on the form with giftshop.forms.form_add_domain_error()."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from giftshop.money import DEFAULT_CURRENCY, MAX_PRICE_MINOR, exponent, parse_major
from stores.models import MAX_STOCK, StoreMember
from stores.webhooks.services import EVENT_TYPES

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def price_to_major(price_minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """12900 -> "129.00": the text a merchant edits (no symbol, no thousands separator)."""
    exp = exponent(currency)
    return f"{Decimal(int(price_minor)).scaleb(-exp):.{exp}f}"


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class PriceField(forms.CharField):
    """A price typed in major units ("129.00"), cleaned to integer minor units."""

    def __init__(self, *, currency=DEFAULT_CURRENCY, **kwargs):
        self.currency = currency
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("In yuan, for example 129.00"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        text = super().clean(value)  # the text, checked as text (required, max_length)
        if text in self.empty_values:
            return None
        try:
            minor = parse_major(text, self.currency)
        except (ValueError, ArithmeticError):
            raise ValidationError(_("Enter a price like 129.00."), code="invalid") from None
        if not 1 <= minor <= MAX_PRICE_MINOR:
            raise ValidationError(_("Enter a price between 0.01 and 10,000,000.00."), code="range")
        return minor


class StoreCreateForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=80)
    slug = forms.SlugField(
        label=_("Web address"), max_length=50,
        help_text=_("Letters, digits and hyphens; for example tea-house gives /s/tea-house/"),
    )
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=TEXTAREA)
    ship_within_hours = forms.IntegerField(
        label=_("Ships within (hours)"), min_value=1, max_value=720, initial=48,
        help_text=_("Your promise to buyers and gift senders."),
    )


class StoreSettingsForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=TEXTAREA)
    ship_within_hours = forms.IntegerField(
        label=_("Ships within (hours)"), min_value=1, max_value=720,
        help_text=_("Your promise to buyers and gift senders."),
    )
    is_active = forms.BooleanField(
        label=_("Open (visible in the shop)"), required=False,
        help_text=_("A closed store and its products are hidden from shoppers."),
    )


class TeamAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=StoreMember.Role.choices, initial=StoreMember.Role.STAFF)


# What each webhook event means to a merchant, one line each (the checkbox's label beside its code).
# Keyed by every type in EVENT_TYPES: a new event without its line fails at import, not on a page.
WEBHOOK_EVENT_DESCRIPTIONS = {
    "gift.paid": _("A gift was paid for: its card can now be shared."),
    "gift.claimed": _("A friend accepted a gift (or won its draw) and chose an address."),
    "gift.declined": _("A friend declined a gift."),
    "gift.expired": _("A gift's claim window closed with units left unclaimed."),
    "gift.refunded": _("Money for a gift was refunded to its sender."),
    "gift.thanked": _("A friend sent a thank-you note for a gift."),
    "order.paid": _("An order (a gift or a purchase) was paid."),
    "shipment.updated": _("A parcel was dispatched or moved on its way."),
}
WEBHOOK_EVENT_CHOICES = [(event, WEBHOOK_EVENT_DESCRIPTIONS[event]) for event in EVENT_TYPES]


class WebhookEventsForm(forms.Form):
    """The events an endpoint listens to. The URL and the rest are checked by the service
    (stores.webhooks.services): the form only parses."""

    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WEBHOOK_EVENT_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False,
        help_text=_("A note for your team, for example: stock system."),
    )


class WebhookEndpointCreateForm(WebhookEventsForm):
    # Text, not URLField: what may be called (https, public addresses) is the service's one rule.
    url = forms.CharField(
        label=_("Endpoint URL"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Your receiver's https address; each event is POSTed to it as signed JSON."),
    )

    field_order = ["url", "events", "description"]


class WebhookEndpointSettingsForm(WebhookEventsForm):
    is_active = forms.BooleanField(
        label=_("Active"), required=False,
        help_text=_("A paused endpoint hears nothing until you turn it on again; events in between are not sent."),
    )


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=TEXTAREA)
    giftable = forms.BooleanField(label=_("Can be sent as a gift"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)


class VariantForm(forms.Form):
    name = forms.CharField(label=_("Variant name"), max_length=80, help_text=_("For example: Red, 500 g, Large"))
    sku = forms.CharField(label=_("SKU"), max_length=64, help_text=_("Your stock code; unique in the store."))
    price = PriceField(label=_("Price"))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    # The stock shown when the page was loaded: orders keep moving stock while the merchant edits,
    # so stock is written only when the merchant changed the number, never echoed back.
    stock_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Service field names -> this form's names.
    FIELD_MAP = {"price_minor": "price"}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"name": data["name"], "sku": data["sku"], "price_minor": data["price"]}
        if data.get("stock_seen") is None or data["stock"] != data["stock_seen"]:
            kwargs["stock"] = data["stock"]
        return kwargs


class ProductCreateForm(ProductForm):
    """A product and its first variant, on one page."""

    variant_name = forms.CharField(
        label=_("First variant name"), max_length=80, initial=_("Standard"),
        help_text=_("For example: Red, 500 g, Large. Add more variants afterwards."),
    )
    sku = forms.CharField(label=_("SKU"), max_length=64, help_text=_("Your stock code; unique in the store."))
    price = PriceField(label=_("Price"))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, initial=0)

    FIELD_MAP = {"price_minor": "price", "name": "variant_name", "variants": "variant_name"}

    def product_fields(self):
        return [self[name] for name in ProductForm.base_fields]

    def variant_fields(self):
        return [self[name] for name in ("variant_name", "sku", "price", "stock")]

    def product_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "giftable": data["giftable"],
            "is_active": data["is_active"],
            "variants": [
                {"name": data["variant_name"], "sku": data["sku"], "price_minor": data["price"], "stock": data["stock"]}
            ],
        }
