"""What every app's page forms share: a service's DomainError put back on the form. Imports no app."""

from django import forms
from django.utils.translation import gettext_noop

# Django puts _(":") after every form label; its own Chinese catalogue keeps the ASCII colon. Ours
# (found first, LOCALE_PATHS) gives the full-width one. Named here so makemessages keeps the entry.
# Translators: the colon after a form field's label.
LABEL_SUFFIX = gettext_noop(":")


def form_add_domain_error(form: forms.Form, exc, field_map: dict | None = None) -> None:
    """Show a service's DomainError (InvalidInput included) on the form: field messages beside their
    fields when the form has them (service names translated through field_map), the rest on top of
    the form; with no field message at all, the error's detail on top."""
    field_map = field_map or {}
    placed = False
    for name, messages in (exc.fields or {}).items():
        target = field_map.get(name, name)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.detail)
