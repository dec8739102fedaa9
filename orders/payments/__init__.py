"""Payment providers behind one small interface (base.PaymentProvider).

`get_provider(code)` returns the adapter named in settings.PAYMENT_PROVIDERS; `provider_name(code)`
is what people call it.
"""

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from giftshop.errors import NotFound


def get_provider(code: str):
    path = settings.PAYMENT_PROVIDERS.get(code)
    if not path:
        raise NotFound()
    return import_string(path)()


PROVIDER_NAMES = {"sandbox": _("Sandbox (test payments)"), "stripe": "Stripe", "wechatpay": _("WeChat Pay")}


def provider_name(code: str) -> str:
    return str(PROVIDER_NAMES.get(code, code))
