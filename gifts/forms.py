"""Forms of the gift pages. They only parse input; gifts.services holds the rules, and its
DomainErrors are put back on the form (giftshop.forms.form_add_domain_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gifts.covers import COVER_CHOICES, DEFAULT_COVER
from gifts.models import Gift
from logistics.forms import AddressForm
from logistics.services.addresses import ADDRESS_FIELDS

CLAIM_HOURS = (1, 3, 6, 12, 24, 48, 72, 120, 168)
DEFAULT_CLAIM_HOURS = 24
MESSAGE_MAX = 200
NOTE_MAX = 200
NEW_ADDRESS = "new"
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
# Service argument → form field, for errors the services report.
COMPOSE_FIELD_MAP = {"variant_id": "variant"}


def hours_label(hours: int) -> str:
    if hours >= 48 and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def _hour_choices():
    return [(h, hours_label(h)) for h in CLAIM_HOURS]


class ComposeForm(forms.Form):
    """Send as a gift. `variants` are the product's variants (the template lists those in stock;
    one that sold out meanwhile reaches the service, which says so)."""

    variant = forms.TypedChoiceField(label=_("Option"), coerce=int, widget=forms.RadioSelect)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=100, initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
        help_text=_("One friend: 1 to 10. A group: one unit per friend, up to 100."),
    )
    mode = forms.ChoiceField(
        label=_("Who is it for?"), choices=Gift.Mode.choices, initial=Gift.Mode.SINGLE, widget=forms.RadioSelect
    )
    claim_rule = forms.ChoiceField(
        label=_("How the group shares it"), choices=Gift.ClaimRule.choices, initial=Gift.ClaimRule.FIRST_COME,
        widget=forms.RadioSelect, required=False,
    )
    draw_at = forms.DateTimeField(
        label=_("Draw time"), required=False, input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Lottery only: winners are drawn at this time (at least an hour before the claim window ends)."),
    )
    message = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX, "data-counter": "message-count"}),
    )
    cover = forms.ChoiceField(label=_("Card cover"), choices=COVER_CHOICES, initial=DEFAULT_COVER,
                              widget=forms.RadioSelect)
    claim_hours = forms.TypedChoiceField(
        label=_("Claim window"), coerce=int, choices=_hour_choices, initial=DEFAULT_CLAIM_HOURS,
        help_text=_("Unclaimed units are refunded to you when it ends."),
    )
    friend_email = forms.EmailField(
        label=_("Your friend's email (optional)"), required=False, max_length=254,
        help_text=_("We email them the card as soon as you have paid. Or share the link yourself."),
    )
    friend_phone = forms.CharField(
        label=_("Your friend's mobile number (optional)"), required=False, max_length=24,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
        help_text=_("We text them the card link as soon as you have paid, and a reminder before it closes."),
    )

    def __init__(self, *args, variants, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].choices = [(v.id, v.name) for v in variants]
        if chosen is not None:
            self.fields["variant"].initial = chosen.id
        # The draw time is typed and read in the current time zone (Django reads a naive time in it): say which.
        zone, offset = timezone.get_current_timezone_name(), timezone.localtime().strftime("%z")
        self.fields["draw_at"].label = _("Draw time (%(zone)s, UTC%(offset)s)") % {
            "zone": zone, "offset": f"{offset[:3]}:{offset[3:]}",
        }

    def clean(self):
        data = super().clean()
        if data.get("mode") == Gift.Mode.SINGLE or not data.get("claim_rule"):
            data["claim_rule"] = Gift.ClaimRule.FIRST_COME
        if data.get("claim_rule") == Gift.ClaimRule.LOTTERY:
            if not data.get("draw_at") and "draw_at" not in self.errors:
                self.add_error("draw_at", _("Choose when the draw takes place."))
        else:
            data["draw_at"] = None
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "variant_id": data["variant"], "quantity": data["quantity"], "mode": data["mode"],
            "claim_rule": data["claim_rule"], "message": data["message"], "cover": data["cover"],
            "claim_hours": data["claim_hours"], "draw_at": data["draw_at"],
            "friend_email": data.get("friend_email", ""),
            "friend_phone": data.get("friend_phone", ""),
        }


class EmailCardForm(forms.Form):
    email = forms.EmailField(label=_("Your friend's email"), max_length=254)


class ExtendForm(forms.Form):
    hours = forms.TypedChoiceField(label=_("Extend by"), coerce=int, choices=_hour_choices,
                                   initial=DEFAULT_CLAIM_HOURS)


class AddressChoiceForm(forms.Form):
    """Where the gift goes (a saved address or a new one) and, when the gift allows it, another
    option of the same product at the same price."""

    address = forms.ChoiceField(label=_("Send it to"), widget=forms.RadioSelect)
    variant = forms.TypedChoiceField(label=_("Option"), coerce=int, required=False, widget=forms.RadioSelect)

    def __init__(self, *args, addresses, variants, current_variant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = list(addresses)
        choices = [(str(a.id), f"{a.recipient_name} · {a.one_line()}") for a in self.addresses]
        self.fields["address"].choices = [*choices, (NEW_ADDRESS, _("A new address"))]
        default = next((a for a in self.addresses if a.is_default), self.addresses[0] if self.addresses else None)
        self.fields["address"].initial = str(default.id) if default else NEW_ADDRESS
        self.fields["variant"].choices = [(v.id, v.name) for v in variants]
        if current_variant is not None:
            self.fields["variant"].initial = current_variant.id

    @property
    def wants_new_address(self) -> bool:
        return self.is_bound and self.data.get("address") == NEW_ADDRESS


class GuestForm(forms.Form):
    """The card's one screen for a visitor with no account: how to reach them (a sign-in link goes
    there) and, when the gift allows it, the option. The address is a NewAddressForm beside it."""

    contact = forms.CharField(
        label=_("Your email or mobile number"), max_length=254,
        help_text=_("We send you a sign-in link there, to follow the parcel. The sender never sees it."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
    variant = forms.TypedChoiceField(label=_("Option"), coerce=int, required=False, widget=forms.RadioSelect)

    def __init__(self, *args, variants, current_variant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].choices = [(v.id, v.name) for v in variants]
        if current_variant is not None:
            self.fields["variant"].initial = current_variant.id


class NewAddressForm(AddressForm):
    """The address book's fields, typed on the card; claim_accept saves it to the book."""

    class Meta(AddressForm.Meta):
        fields = list(ADDRESS_FIELDS)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ADDRESS_FIELDS}


class ThankForm(forms.Form):
    note = forms.CharField(
        label=_("A thank-you note"), max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX, "data-counter": "note-count"}),
    )
