"""Settings shared by every environment; values come from the environment (django-environ).

The embedded default (no DATABASE_URL, no REDIS_URL) is SQLite, a filesystem Celery broker and a
database-backed cache: a fresh machine runs the whole shop with nothing else installed.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from .media import media_storages

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# No secret lives in the repository: production requires its own, `make run` makes its install's own
# (settings/local.py, install_secrets.py), and the tests use throwaway ones (settings/test.py).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# The shop's one public address, the same for every process: a process manager (honcho) gives each
# process its own PORT, so the worker must never derive its links, or where the sandboxes deliver
# their webhooks, from its own. `make run` and `make up` set it from the web server's port.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Behind our own reverse proxy (production: DJANGO_BEHIND_PROXY): see giftshop/client_ip.py.
BEHIND_PROXY = False

# Payments and refunds: providers, keys, the payment window, refund retries, the sandbox.
from .payments import *  # noqa: E402, F403

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
    "axes",
    "giftshop",
    "accounts",
    "stores",
    "logistics",
    "orders",
    "gifts",
]

MIDDLEWARE = [
    "giftshop.requestid.RequestIdMiddleware",  # first: every later log line carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "giftshop.privacy_headers.SameOriginNullMiddleware",  # a no-referrer page's own forms pass CSRF
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "giftshop.privacy_headers.PrivateResponsesMiddleware",  # no-store, private for signed-in answers
    "accounts.middleware.RememberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into accounts.lockout's 429
]

ROOT_URLCONF = "giftshop.urls"
WSGI_APPLICATION = "giftshop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.unread_notices",
                "accounts.context_processors.auth_next",
                "stores.context_processors.store_membership",
            ],
            "builtins": ["giftshop.templatetags.money"],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# Any database URL: sqlite:////abs/path.sqlite3 or postgres://user@host:5432/name.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers: take the write lock at BEGIN (no upgrade deadlocks), wait for it
    # instead of failing, and let readers run beside the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 25,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Kept on (issue 12 weighed it): the check is one loopback round trip ("SELECT 1") on the first
    # query of a request that reuses a connection, and the cached anonymous pages and the sold-out
    # gate make no query, so they never pay it. Off, every database restart or failover would cost
    # one failed request (a 500) per web thread holding a dead connection.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Whole anonymous answers (giftshop.page_cache): kept at most this long; 0 turns the cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# An answer is stored only if nothing it shows changed within this margin before the request began.
PAGE_CACHE_CLOCK_MARGIN_MS = env.int("PAGE_CACHE_CLOCK_MARGIN_MS", default=1000)
PAGE_CACHE_LOCAL_ENTRIES = env.int("PAGE_CACHE_LOCAL_ENTRIES", default=256)  # per process (see page_cache)
RELEASE = env("RELEASE", default="")  # names the deployed code (else a fingerprint of it is used)
# An API token's user is kept in the cache this long (accounts.authentication); 0: read every time.
TOKEN_AUTH_CACHE_SECONDS = env.int("TOKEN_AUTH_CACHE_SECONDS", default=30)
# No task runs longer than this (seconds; see "Celery" below for the rest of the reliability choices).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
if REDIS_URL:
    # Redis, and the database while Redis is down (giftshop.cache.FallbackCache): rate limits keep
    # counting and no page answers 500 for a dead cache. Short socket timeouts: nobody waits long.
    CACHES = {
        "default": {
            "BACKEND": "giftshop.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"},
        },
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        },
        "database": {"BACKEND": "giftshop.cache.AtomicDatabaseCache", "LOCATION": "giftshop_cache"},
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    # Just above the longest task time limit: Redis hands an unacknowledged message to another
    # worker after this, and by then the task that held it can no longer be running.
    # max_retries 0: a publish (the web's nudge to the relay) tries to connect once and gives up at
    # once when Redis is down (kombu's default retries took 6 s), since the outbox already holds the
    # news; the worker's own reconnecting is separate (broker_connection_max_retries).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30, "max_retries": 0}
else:
    # Shared by every web process (rate limits count across them) and atomic on increment.
    CACHES = {
        "default": {
            "BACKEND": "giftshop.cache.AtomicDatabaseCache",
            "LOCATION": "giftshop_cache",
        }
    }
    BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
    if CELERY_BROKER_URL.startswith("filesystem://"):
        CELERY_BROKER_TRANSPORT = "giftshop.broker_fs:Transport"  # kombu's, with atomic writes (see there)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "max_retries": 0,  # as with Redis: a publish tries once (the outbox holds the news)
    }

# --- Celery (the app is giftshop/celery.py) ------------------------------------------------
# Reliability, choice by choice (README "Operations"):
# - late acks: a task's message is acknowledged when the task has finished, so a worker that dies
#   mid-task leaves it to another; and reject-on-worker-lost: a pool child killed outright (kill -9,
#   the OOM killer) has its message put back too, not acknowledged as failed. A task may so run
#   twice: every task takes ids and is idempotent (outbox consumers on a business key).
# - what bounds a task that kills its worker every time: an outbox delivery is claimed afresh by
#   the relay each time (attempts + 1) and goes dead after OUTBOX_MAX_ATTEMPTS; a periodic job's
#   message expires after its own period (beat `expires`), when the next run has been sent anyway.
# - time limits: no task holds its message longer than CELERY_TASK_TIME_LIMIT (every network call
#   has a shorter timeout), and the Redis visibility timeout is just above it.
# - one queue per kind of work, so a slow mail server or webhook receiver never holds up a payment.
# - no countdowns or ETAs: deadlines (claim windows, retries, ship-by) live in the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "payments", "messages", "webhooks", "tracking")]
CELERY_TASK_ROUTES = {
    "orders.tasks.*": {"queue": "payments"},
    "logistics.tasks.*": {"queue": "tracking"},
}
# Which queue carries an outbox message's delivery, by topic prefix (giftshop.tasks.queue_for).
OUTBOX_TOPIC_QUEUES = (
    ("stores.webhook", "webhooks"),
    ("accounts.", "messages"),
    ("gifts.card_email", "messages"),
    ("gifts.card_sms", "messages"),
    ("orders.", "payments"),
    ("logistics.", "tracking"),
)
OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=2.0)
# The beat's record of when each job last ran (its folder is made by giftshop.celery on start).
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
_JOBS = {  # name: (task, every N seconds)
    "relay-outbox": ("giftshop.tasks.relay_outbox", OUTBOX_RELAY_SECONDS),
    "sandbox-payment-webhooks": ("orders.tasks.sandbox_deliver_webhooks", 2.0),
    "cancel-unpaid-orders": ("orders.tasks.cancel_unpaid_orders", 60.0),
    "reconcile-payments": ("orders.tasks.reconcile_payments", 60.0),
    "reconcile-refunds": ("orders.tasks.reconcile_refunds", 60.0),
    "expire-gifts": ("gifts.tasks.expire_gifts", 15.0),
    "draw-lotteries": ("gifts.tasks.draw_lotteries", 15.0),
    "gift-reminders": ("gifts.tasks.send_reminders", 300.0),
    "enforce-ship-by": ("logistics.tasks.enforce_ship_by", 60.0),
    "sandbox-carrier-pushes": ("logistics.tasks.sandbox_carrier_push", 5.0),
    "sync-quiet-shipments": ("logistics.tasks.sync_shipments", 60.0),
    "purge-addresses": ("logistics.tasks.purge_addresses", 3600.0),
    "purge-order-addresses": ("orders.tasks.purge_order_addresses", 3600.0),
}
# A delivered (or returned, expired, cancelled) parcel's ship-to address is redacted this many days
# after it ended (DESIGN §6 "purge addresses"): the merchant no longer sees it, nor does anyone else.
ADDRESS_RETENTION_DAYS = env.int("ADDRESS_RETENTION_DAYS", default=30)
# A job's message not started within its period is dropped (the next one has been sent by then):
# a backlog after an outage is one run of each job, not hundreds.
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": every, "options": {"expires": max(every, 5.0)}}
    for name, (task, every) in _JOBS.items()
}
# After a commit that wrote outbox rows, nudge the relay at once (best effort: the beat is the net).
OUTBOX_KICK_ON_COMMIT = env.bool("OUTBOX_KICK_ON_COMMIT", default=True)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# How long a relay holds a message it took. A worker killed mid-message (kill -9) holds it no longer
# than this: another relay then carries it out. Every consumer finishes well within it, since each
# network call in a consumer has a shorter timeout (EMAIL_TIMEOUT, the providers' HTTP timeouts).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# One date format per language (giftshop/formats/<lang>/formats.py): the short formats equal the long ones.
FORMAT_MODULE_PATH = ["giftshop.formats"]

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files only our own views serve, after checking who asks (QR codes: each holds its card's token).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
# filesystem (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) or s3 (a bucket; the AWS_* variables): see settings/media.py.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
_MEDIA_STORAGES, MEDIA_ORIGINS = media_storages(env, MEDIA_STORAGE)  # MEDIA_ORIGINS: CSP img-src
# The embedded mode serves MEDIA_ROOT itself; a bucket serves its own files.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=MEDIA_STORAGE == "filesystem")
STORAGES = {
    **_MEDIA_STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: product photos up to 5 MB (bigger: 413); anything else in a body stays small.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Payment and carrier webhooks: a larger body is a JSON 413 before any signature work (no provider
# or carrier sends anything near it).
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1_048_576)

# --- Email ---------------------------------------------------------------------------------
# Each mail whole in EMAIL_FILE_PATH, and in the log with its links' credentials masked (giftshop.mail).
EMAIL_BACKEND = env("EMAIL_BACKEND", default="giftshop.mail.MaskedConsoleBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="giftshop <no-reply@giftshop.local>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; under OUTBOX_LEASE_SECONDS

# --- Text messages (giftshop.sms): each one whole in a file under SMS_FILE_PATH by default ------
SMS_BACKEND = env("SMS_BACKEND", default="giftshop.sms.FileBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))

# --- Merchant webhooks (stores.webhooks) --------------------------------------------------------
# 1 lets endpoints use http and private or loopback addresses (a receiver on your own machine);
# never in production: anyone who can open a store could make the worker call your network.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)  # under OUTBOX_LEASE_SECONDS

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "giftshop.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "giftshop.api.parsers.JSONParser",  # DRF's, with too-deep nesting a 400 parse_error
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "giftshop.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "giftshop API",
    "DESCRIPTION": "A giftable product can be sent as a gift. See shared/API.md for the contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Imported when a schema is made, never at settings time (no import cycle: issue 7).
    "ENUM_NAME_OVERRIDES": {
        "WebhookDeliveryStatusEnum": "stores.models.WebhookDelivery.Status",
        "WebhookEventTypeEnum": "stores.webhooks.services.EVENT_TYPES",
        "ShipmentStatusEnum": "logistics.models.Shipment.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "giftshop.api.schema.document_page_errors",  # every paginated list documents its 400 and 404 for ?page=
        "giftshop.api.schema.document_body_errors",  # every operation with a body documents DRF's 415
        "giftshop.api_links.add_links",  # OpenAPI links: create -> fetch, change, delete (schemathesis' stateful mode)
        "giftshop.api_links.forbid_unknown_fields",  # additionalProperties: false on the strict request bodies
    ],
}

# --- Rate limits (django-ratelimit; "<count>/<period>") -------------------------------------
RATELIMIT_VIEW = "giftshop.views.ratelimited"
RATELIMIT_LOGIN = env("RATELIMIT_LOGIN", default="10/m")
RATELIMIT_REGISTER = env("RATELIMIT_REGISTER", default="30/m")
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# Log-in lockout with a cool-off (django-axes; accounts/lockout.py): the site, the token API and the
# admin. Counted per username and address together, so nobody can lock a stranger out from afar;
# kept in the default cache (Redis in services mode, the database cache in the embedded one).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# django-ratelimit warns about any cache backend it does not know. Both of ours are shared by all
# web processes and increment atomically, which is exactly what the warning is about: the embedded
# mode's database cache (giftshop.cache.AtomicDatabaseCache), and the services mode's
# FallbackCache, which is django-redis while Redis answers and that same database cache while not.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Content Security Policy (django-csp 4) -------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *MEDIA_ORIGINS],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # A form that starts a payment is answered with a redirect to the provider's hosted
        # checkout, and browsers hold a form's redirects to form-action too.
        "form-action": ["'self'", *PAYMENT_CHECKOUT_ORIGINS],  # noqa: F405
        "base-uri": ["'self'"],
    }
}



# --- Domain settings -----------------------------------------------------------------------
# Payments and refunds (providers, keys, windows, retries, the sandbox): settings/payments.py, read
# near the top (the CSP needs the provider's checkout origin).

MAX_ORDER_TOTAL_MINOR = env.int("MAX_ORDER_TOTAL_MINOR", default=100_000_000_000)
# The demo accounts' password (seed_demo): the embedded mode makes one per install; empty, no demo.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")

# Carriers and tracking (logistics/carriers/). DISPATCH_CARRIERS are offered to merchants.
CARRIERS = {
    "sandbox": "logistics.carriers.sandbox.SandboxCarrier",
    "aftership": "logistics.carriers.aftership.AfterShipCarrier",
    "kuaidi100": "logistics.carriers.kuaidi100.Kuaidi100Carrier",
}
DISPATCH_CARRIERS = env.list("DISPATCH_CARRIERS", default=["sandbox"])
SANDBOX_CARRIER_STEP_SECONDS = env.float("SANDBOX_CARRIER_STEP_SECONDS", default=60.0)
SANDBOX_CARRIER_SECRET = env("SANDBOX_CARRIER_SECRET", default="")  # see SECRET_KEY
AFTERSHIP_WEBHOOK_SECRET = env("AFTERSHIP_WEBHOOK_SECRET", default="")
KUAIDI100_SALT = env("KUAIDI100_SALT", default="")
SHIPMENT_SYNC_QUIET_SECONDS = env.int("SHIPMENT_SYNC_QUIET_SECONDS", default=300)

# Gifts.
GIFT_TOKEN_SECRET = env("GIFT_TOKEN_SECRET", default="")  # empty: card links derive from SECRET_KEY
GIFT_PRICE_CAP_MINOR = env.int("GIFT_PRICE_CAP_MINOR", default=5_000_000)  # ¥50,000 per gift
GIFT_REMINDER_HOURS_BEFORE = env.int("GIFT_REMINDER_HOURS_BEFORE", default=2)
# The ship-by promise: a parcel still not dispatched this many hours after its ship_by is refunded.
SHIP_BY_GRACE_HOURS = env.int("SHIP_BY_GRACE_HOURS", default=72)
CARD_FONT_PATHS = [
    BASE_DIR / "gifts" / "fonts" / "NotoSansSC-giftshop.otf",  # GB2312 subset of Noto Sans CJK SC (OFL)
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]
RATELIMIT_TOKEN_FAILURES = env("RATELIMIT_TOKEN_FAILURES", default="20/10m")
RATELIMIT_CLAIMS = env("RATELIMIT_CLAIMS", default="30/m")
# A guest accepting on the card makes a light account: per address, on top of RATELIMIT_REGISTER.
RATELIMIT_GUEST_ACCEPT = env("RATELIMIT_GUEST_ACCEPT", default="20/h")
# "Email me a sign-in link": per address and per email or phone asked for.
RATELIMIT_SIGNIN_LINKS = env("RATELIMIT_SIGNIN_LINKS", default="10/h")
RATELIMIT_SIGNIN_LINKS_PER_CONTACT = env("RATELIMIT_SIGNIN_LINKS_PER_CONTACT", default="3/h")
# How long a sign-in link works (it works once).
SIGNIN_LINK_HOURS = env.int("SIGNIN_LINK_HOURS", default=72)
IDEMPOTENCY_KEEP_HOURS = 24
# An in-flight Idempotency-Key record older than this is a dead request's: longer than any request may run.
IDEMPOTENCY_IN_FLIGHT_SECONDS = env.int("IDEMPOTENCY_IN_FLIGHT_SECONDS", default=60)

# Logs: one line per record on stderr, JSON by default (LOG_FORMAT=json: asctime, levelname, name,
# message, request_id, and any `extra`), or LOG_FORMAT=plain for a person reading a terminal.
# Every handler masks card tokens. Django's own DEBUG console handler and its mail_admins are
# replaced: the "django" logger writes through ours, so nothing reaches a screen unmasked.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {
        "mask_card_tokens": {"()": "giftshop.logfilters.MaskCardTokens"},
        "request_id": {"()": "giftshop.requestid.AddRequestId"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_card_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
