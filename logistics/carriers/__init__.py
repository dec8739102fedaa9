"""Carriers behind one interface (base.Carrier): the sandbox, and parsers for AfterShip-style and
Kuaidi100-style pushes. `get_carrier(code)` builds the adapter named in settings.CARRIERS."""

from django.conf import settings
from django.utils.module_loading import import_string

from giftshop.errors import NotFound


def get_carrier(code: str, **kwargs):
    path = settings.CARRIERS.get(code)
    if not path:
        raise NotFound()
    return import_string(path)(**kwargs)


def dispatch_choices() -> list[tuple[str, str]]:
    """Carriers a merchant may dispatch with here (DISPATCH_CARRIERS)."""
    return [(code, import_string(settings.CARRIERS[code]).name) for code in settings.DISPATCH_CARRIERS]


def carrier_name(code: str) -> str:
    """The carrier's display name for people (the registry's `name`); a code the registry does not
    know (an old row, a carrier since removed) is shown as it was written."""
    path = settings.CARRIERS.get(code or "")
    if not path:
        return code or ""
    return str(getattr(import_string(path), "name", "") or code)
