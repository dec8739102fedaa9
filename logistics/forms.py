"""Forms of the logistics pages: the address book's, and the console's fulfilment forms (dispatch one
parcel, upload a dispatch file).

The forms only shape input; the rules (what an address needs, which carriers, what a tracking
number looks like, how big a file may be) live in logistics.services.addresses, .tracking and
.bulk_dispatch, whose errors are put back on the form with giftshop.forms.form_add_domain_error."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.carriers import dispatch_choices
from logistics.models import Address
from logistics.services.addresses import ADDRESS_FIELDS, country_problem, phone_problem
from logistics.services.bulk_dispatch import MAX_BYTES, MAX_ROWS


class AddressForm(forms.ModelForm):
    """Field definitions (labels, lengths) come from the model; saving goes through the services,
    never through form.save()."""

    class Meta:
        model = Address
        fields = [*ADDRESS_FIELDS, "is_default"]
        labels = {"is_default": _("Use as my default address")}
        help_texts = {"country": _("Two-letter code, such as CN, HK or US.")}
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "recipient_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "country": forms.TextInput(
                attrs={"autocomplete": "country", "autocapitalize": "characters", "size": 2, "maxlength": 2}
            ),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "district": forms.TextInput(attrs={"autocomplete": "address-level3"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_default:
            # The default stays the default until another address is chosen.
            del self.fields["is_default"]

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        problem = country_problem(country)
        if problem:
            raise forms.ValidationError(problem)
        return country

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        problem = phone_problem(phone)
        if problem:
            raise forms.ValidationError(problem)
        return phone

    def _post_clean(self):
        # Skip ModelForm's model validation: the service runs it (with the phone and country rules)
        # and its messages are shown on the form.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class DispatchForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=())
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=64,
        help_text=_("As printed on the carrier's label: 4 to 40 letters, digits or dashes."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is built, not at import: DISPATCH_CARRIERS is a setting.
        choices = dispatch_choices()
        self.fields["carrier"].choices = choices
        if len(choices) == 1:
            self.fields["carrier"].initial = choices[0][0]


class DispatchFileForm(forms.Form):
    file = forms.FileField(
        label=_("Dispatch file (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Columns: reference, carrier, tracking_number, with the column names in the first row. "
            "UTF-8, at most 1 MB and %(rows)s parcels."
        ) % {"rows": MAX_ROWS}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse a big file before reading it; bulk_dispatch checks the bytes again.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than 1 MB. Split it into smaller files of at most %(rows)s rows.")
                % {"rows": MAX_ROWS}
            )
        return upload

    def data_bytes(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(MAX_BYTES + 1)
