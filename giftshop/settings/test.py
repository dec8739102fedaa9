"""pytest settings: the same code paths as production, fast hashing, files in a temp folder."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import DATABASES, REDIS_URL, STATIC_ROOT, VAR_DIR, env

DEBUG = False
# Throwaway secrets: a test run signs nothing anyone else will ever verify.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-secret-key-not-for-any-running-shop-0123456789abcdef")
SANDBOX_PAYMENT_SECRET = env("SANDBOX_PAYMENT_SECRET", default="whsec_test_only_payment_secret")
SANDBOX_CARRIER_SECRET = env("SANDBOX_CARRIER_SECRET", default="whsec_test_only_carrier_secret")
DEMO_PASSWORD = "test-demo-password-1"  # noqa: S105  # nosec B105: the test database's demo accounts
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="giftshop-media-")))
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# Media on the filesystem whatever a developer's .env says (tests/giftshop/test_media_s3.py puts it
# on a bucket of its own, on a local S3 server).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "giftshop.storage.PrivateFileSystemStorage"},  # under PRIVATE_MEDIA_ROOT, below
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests relay the outbox themselves (or through the real worker in tests/worker/).
OUTBOX_KICK_ON_COMMIT = env.bool("OUTBOX_KICK_ON_COMMIT", default=False)
VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so a real worker process (tests/worker/) can share the test database.
    # One file per pytest process, so parallel runs on one checkout never share a test database.
    TEST_SQLITE_DEFAULT = str(VAR_DIR / f"test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", default=TEST_SQLITE_DEFAULT)}
if REDIS_URL:
    # Short limits, so a message whose worker was killed comes back within seconds, not minutes.
    CELERY_TASK_SOFT_TIME_LIMIT = 15
    CELERY_TASK_TIME_LIMIT = 20
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5, "max_retries": 0}
if not REDIS_URL:
    # The filesystem broker: one folder per pytest process (a `make run` worker on the same checkout
    # must never take the tests' tasks). tests/worker/ hands the same folder to its worker.
    BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / f"test-broker-{os.getpid()}")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "max_retries": 0,  # as with Redis: a publish tries once (the outbox holds the news)
        "polling_interval": 0.1,  # the real worker in tests/worker/ picks tasks up at once
    }
SANDBOX_WEBHOOK_TRANSPORT = "inprocess"
SANDBOX_KICK_ON_COMMIT = False
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="giftshop-private-"))
# Text messages to a folder of their own (giftshop.sms.FileBackend), never the checkout's var/sms/.
SMS_FILE_PATH = tempfile.mkdtemp(prefix="giftshop-sms-")
# The token cache (accounts.authentication) would put a cache write in the first request of every
# query-count test (the embedded cache is a database table): off here, on in the tests about it.
TOKEN_AUTH_CACHE_SECONDS = 0
