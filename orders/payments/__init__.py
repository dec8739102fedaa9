"""Payment providers behind one small interface (base.PaymentProvider).

`get_provider(code)` returns the adapter named in settings.PAYMENT_PROVIDERS.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from giftshop.errors import NotFound


def get_provider(code: str):
    path = settings.PAYMENT_PROVIDERS.get(code)
    if not path:
        raise NotFound()
    return import_string(path)()
