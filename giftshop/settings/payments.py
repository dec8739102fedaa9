"""Payments and refunds: the providers and their keys, the payment window, refund retries, and the
sandbox that stands in for a provider (shared/API.md "Sandboxes"). Read by base.py; production.py
checks that a real provider has every key it needs.
"""

import environ as _environ

_env = _environ.Env()

# Payments. Providers by code; the sandbox is the embedded default (shared/API.md "Sandboxes").
PAYMENT_PROVIDERS = {
    "sandbox": "orders.payments.sandbox.SandboxProvider",
    "stripe": "orders.payments.stripe_provider.StripeProvider",
    "wechatpay": "orders.payments.wechatpay.WeChatPayProvider",
}
# Stripe (PAYMENT_PROVIDER=stripe): the secret API key, the webhook endpoint's signing secret
# (whsec_…, for /api/v1/payments/webhooks/stripe/), and STRIPE_API_BASE only to point the library at
# another server (the tests' fake Stripe); empty means api.stripe.com.
STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = _env("STRIPE_API_BASE", default="")
# WeChat Pay API v3 (PAYMENT_PROVIDER=wechatpay): the merchant id and app id, the APIv3 key (32
# bytes), the merchant's private key (PEM) and its certificate's serial, and the platform's public
# keys by serial (WECHATPAY_PLATFORM_KEYS="serial1=<PEM>;serial2=<PEM>", for rotation).
WECHATPAY_MCHID = _env("WECHATPAY_MCHID", default="")
WECHATPAY_APPID = _env("WECHATPAY_APPID", default="")
WECHATPAY_APIV3_KEY = _env("WECHATPAY_APIV3_KEY", default="")
WECHATPAY_PRIVATE_KEY = _env("WECHATPAY_PRIVATE_KEY", default="").replace("\\n", "\n")
WECHATPAY_CERT_SERIAL = _env("WECHATPAY_CERT_SERIAL", default="")
WECHATPAY_PLATFORM_KEYS = {
    serial.strip(): pem.replace("\\n", "\n")
    for serial, _, pem in (item.partition("=") for item in _env("WECHATPAY_PLATFORM_KEYS", default="").split(";"))
    if serial.strip() and pem
}
WECHATPAY_API_BASE = _env("WECHATPAY_API_BASE", default="https://api.mch.weixin.qq.com")
DEFAULT_PAYMENT_PROVIDER = _env("PAYMENT_PROVIDER", default="sandbox")
# Where each provider's hosted checkout is (CSP form-action: a payment form redirects there). The
# sandbox's is our own; WeChat Pay's Native QR page is ours, its H5 page is WeChat Pay's.
CHECKOUT_ORIGINS = {"stripe": ["https://checkout.stripe.com"], "wechatpay": ["https://wx.tenpay.com"]}
PAYMENT_CHECKOUT_ORIGINS = CHECKOUT_ORIGINS.get(DEFAULT_PAYMENT_PROVIDER, [])
PAYMENT_WINDOW_MINUTES = _env.int("PAYMENT_WINDOW_MINUTES", default=30)
RECONCILE_AFTER_SECONDS = _env.int("RECONCILE_AFTER_SECONDS", default=120)
# A refund is done only on the provider's word (a webhook, or the reconcile-refunds job asking
# about one still pending after RECONCILE_AFTER_SECONDS). One the provider failed is tried again
# after REFUND_RETRY_SECONDS × 2^(tries - 1), with a new idempotency key each try; after
# REFUND_MAX_ATTEMPTS tries it waits for the admin (Refunds, "failed"), and the store is told.
REFUND_RETRY_SECONDS = _env.int("REFUND_RETRY_SECONDS", default=300)
REFUND_MAX_ATTEMPTS = _env.int("REFUND_MAX_ATTEMPTS", default=5)
SANDBOX_PAYMENTS_ENABLED = _env.bool("SANDBOX_PAYMENTS_ENABLED", default=True)
SANDBOX_PAYMENT_SECRET = _env("SANDBOX_PAYMENT_SECRET", default="")  # see SECRET_KEY
# normal | duplicate | delay | reorder | drop: how the sandbox delivers its webhooks.
SANDBOX_PAYMENT_WEBHOOK_MODE = _env("SANDBOX_PAYMENT_WEBHOOK_MODE", default="normal")
# How the sandbox answers a refund: "succeeded" at once (the default), or "pending" and, after
# SANDBOX_REFUND_SETTLE_SECONDS, succeeded ("pending") or failed ("failed"), told by a webhook.
SANDBOX_REFUND_MODE = _env("SANDBOX_REFUND_MODE", default="succeeded")
SANDBOX_REFUND_SETTLE_SECONDS = _env.int("SANDBOX_REFUND_SETTLE_SECONDS", default=10)
SANDBOX_PAYMENT_WEBHOOK_DELAY_SECONDS = _env.int("SANDBOX_PAYMENT_WEBHOOK_DELAY_SECONDS", default=20)
# http: POST to SITE_URL like the real service; inprocess: through Django's test client (tests).
SANDBOX_WEBHOOK_TRANSPORT = _env("SANDBOX_WEBHOOK_TRANSPORT", default="http")
SANDBOX_KICK_ON_COMMIT = _env.bool("SANDBOX_KICK_ON_COMMIT", default=True)
