"""Development and the embedded `make run` mode."""

from pathlib import Path
from urllib.parse import urlsplit

from . import install_secrets
from .base import *  # noqa: F401,F403
from .base import SITE_URL, VAR_DIR, env

# This install's own secrets, made on first start (var/secrets.env, mode 0600); the environment wins.
_secrets = install_secrets.load_or_create(Path(env("SECRETS_FILE", default=str(VAR_DIR / "secrets.env"))))
SECRET_KEY = env("DJANGO_SECRET_KEY", default=_secrets["DJANGO_SECRET_KEY"])
SANDBOX_PAYMENT_SECRET = env("SANDBOX_PAYMENT_SECRET", default=_secrets["SANDBOX_PAYMENT_SECRET"])
SANDBOX_CARRIER_SECRET = env("SANDBOX_CARRIER_SECRET", default=_secrets["SANDBOX_CARRIER_SECRET"])
DEMO_PASSWORD = env("DEMO_PASSWORD", default=_secrets["DEMO_PASSWORD"])

# Off unless asked for (`make dev`, or DJANGO_DEBUG=1): a shop on the embedded default may face real
# visitors, who get the friendly error pages, never a traceback.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The shop's own address and loopback; more with DJANGO_ALLOWED_HOSTS (a LAN name, say).
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=sorted({urlsplit(SITE_URL).hostname or "127.0.0.1", "127.0.0.1", "localhost"})
)
# The embedded mode runs on one's own machine: a webhook receiver there may be http://127.0.0.1.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=True)

# A person reads this terminal: one plain line per record (still masked, still with the request id).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
