"""giftshop.forms.form_add_domain_error: a service's error put back on a page form."""

from django import forms

from giftshop.errors import Conflict, InvalidInput
from giftshop.forms import form_add_domain_error


class AddressForm(forms.Form):
    city = forms.CharField(required=False)
    password1 = forms.CharField(required=False)


def _bound():
    form = AddressForm(data={})
    assert form.is_valid()
    return form


def test_field_messages_go_beside_their_fields():
    form = _bound()

    form_add_domain_error(form, InvalidInput(fields={"city": ["Enter a city."]}))

    assert form.errors == {"city": ["Enter a city."]}


def test_service_names_are_translated_through_the_field_map():
    form = _bound()

    form_add_domain_error(form, InvalidInput(fields={"password": ["Too short."]}), {"password": "password1"})

    assert form.errors == {"password1": ["Too short."]}


def test_a_field_the_form_does_not_have_goes_on_top_without_the_detail():
    form = _bound()

    form_add_domain_error(form, InvalidInput("Some fields are not valid.", fields={"street": ["Enter a street."]}))

    assert form.non_field_errors() == ["Enter a street."]
    assert list(form.errors) == ["__all__"]


def test_an_error_without_fields_shows_its_detail_on_top():
    form = _bound()

    form_add_domain_error(form, Conflict("The gift is no longer open."))

    assert form.non_field_errors() == ["The gift is no longer open."]
