"""The console's fulfilment forms: dispatch one parcel, upload a dispatch file.

The forms only shape input; the rules (which carriers, what a tracking number looks like, how big
a file may be) live in logistics.tracking and logistics.bulk_dispatch, whose errors are put back on
the form with stores.forms.form_add_domain_error.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.bulk_dispatch import MAX_BYTES, MAX_ROWS
from logistics.carriers import dispatch_choices


class DispatchForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=())
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=64,
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
