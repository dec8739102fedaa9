"""`manage.py check --deploy` on payments: a real provider whose keys are test-mode keys takes no
real money, which a production shop must hear about before its first order."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def payment_provider_in_test_mode(app_configs, **kwargs):
    test_key = settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))
    if settings.DEFAULT_PAYMENT_PROVIDER == "stripe" and test_key:
        return [checks.Warning(
            "PAYMENT_PROVIDER=stripe runs with a test-mode key (sk_test_…): no real money is taken.",
            hint="Set STRIPE_SECRET_KEY to a live key (sk_live_…) and STRIPE_WEBHOOK_SECRET to the live "
                 "endpoint's signing secret.",
            id="orders.W001",
        )]
    return []
