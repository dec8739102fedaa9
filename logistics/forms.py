"""Forms of the address-book pages. They parse input; logistics.services validates and saves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import Address
from logistics.services import ADDRESS_FIELDS, country_problem, phone_problem


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
