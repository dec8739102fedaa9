"""Production: refuses to start without a real secret key and allowed hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import (
    CARRIERS,
    DISPATCH_CARRIERS,
    PAYMENT_PROVIDERS,
    STORAGES,
    WECHATPAY_APIV3_KEY,
    WECHATPAY_APPID,
    WECHATPAY_CERT_SERIAL,
    WECHATPAY_MCHID,
    WECHATPAY_PLATFORM_KEYS,
    WECHATPAY_PRIVATE_KEY,
    env,
)

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a long random value (50+ characters).")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the host names this shop answers on.")
# Links in cards, mails and QR codes, and where the sandboxes deliver: the first allowed host over
# HTTPS unless said otherwise (never a process's own port).
SITE_URL = env("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Only behind a proxy that overwrites this header.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Per-IP rate limits count the client the proxy saw, not the proxy (else one abuser locks out all).
    RATELIMIT_IP_META_KEY = "giftshop.client_ip.client_ip"
    AXES_CLIENT_IP_CALLABLE = "giftshop.client_ip.client_ip"
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
STORAGES = {
    **STORAGES,  # media as MEDIA_STORAGE says (base)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The sandboxes are for development and demos. Off by default here: their endpoints then do not
# exist at all (a known development secret must never move money or parcels). A demo deployment
# may switch them on, but only with secrets of its own.
SANDBOX_PAYMENTS_ENABLED = env.bool("SANDBOX_PAYMENTS_ENABLED", default=False)
SANDBOX_CARRIER_ENABLED = env.bool("SANDBOX_CARRIER_ENABLED", default=False)
if SANDBOX_PAYMENTS_ENABLED:
    SANDBOX_PAYMENT_SECRET = env("SANDBOX_PAYMENT_SECRET", default="")
    if len(SANDBOX_PAYMENT_SECRET) < 24 or "development" in SANDBOX_PAYMENT_SECRET:
        raise ImproperlyConfigured("SANDBOX_PAYMENTS_ENABLED needs a SANDBOX_PAYMENT_SECRET of your own.")
else:
    PAYMENT_PROVIDERS = {code: path for code, path in PAYMENT_PROVIDERS.items() if code != "sandbox"}
if SANDBOX_CARRIER_ENABLED:
    SANDBOX_CARRIER_SECRET = env("SANDBOX_CARRIER_SECRET", default="")
    if len(SANDBOX_CARRIER_SECRET) < 24 or "development" in SANDBOX_CARRIER_SECRET:
        raise ImproperlyConfigured("SANDBOX_CARRIER_ENABLED needs a SANDBOX_CARRIER_SECRET of your own.")
else:
    CARRIERS = {code: path for code, path in CARRIERS.items() if code != "sandbox"}
    DISPATCH_CARRIERS = [code for code in DISPATCH_CARRIERS if code != "sandbox"]
# A real provider is offered only with its keys: without them every checkout would fail.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
if not (STRIPE_SECRET_KEY.startswith(("sk_", "rk_")) and STRIPE_WEBHOOK_SECRET.startswith("whsec_")):
    PAYMENT_PROVIDERS = {code: path for code, path in PAYMENT_PROVIDERS.items() if code != "stripe"}
_wechatpay = (WECHATPAY_MCHID, WECHATPAY_APPID, WECHATPAY_PRIVATE_KEY, WECHATPAY_CERT_SERIAL, WECHATPAY_PLATFORM_KEYS)
if not (all(_wechatpay) and len(WECHATPAY_APIV3_KEY.encode()) == 32):  # the APIv3 key is an AES-256 key
    PAYMENT_PROVIDERS = {code: path for code, path in PAYMENT_PROVIDERS.items() if code != "wechatpay"}
DEFAULT_PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox")
if DEFAULT_PAYMENT_PROVIDER not in PAYMENT_PROVIDERS:
    # A shop that cannot take payments must not start: every checkout would fail after reserving stock.
    raise ImproperlyConfigured(
        f"PAYMENT_PROVIDER={DEFAULT_PAYMENT_PROVIDER!r} is not configured (available: {sorted(PAYMENT_PROVIDERS)}). "
        "Set PAYMENT_PROVIDER=stripe with STRIPE_SECRET_KEY (sk_…) and STRIPE_WEBHOOK_SECRET (whsec_…), "
        "or PAYMENT_PROVIDER=wechatpay with every WECHATPAY_* setting (README, Operations), "
        "or run the sandbox with SANDBOX_PAYMENTS_ENABLED=1 and a secret of its own."
    )
GIFT_TOKEN_SECRET = env("GIFT_TOKEN_SECRET", default=SECRET_KEY)
