"""pytest settings: the same code paths as production, fast hashing, files in a temp folder."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="giftshop-media-")))
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests relay the outbox themselves (or through the real worker in tests/worker/).
OUTBOX_KICK_ON_COMMIT = env.bool("OUTBOX_KICK_ON_COMMIT", default=False)
WEBHOOK_ALLOW_PRIVATE = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so a real worker process (tests/worker/) can share the test database.
    # One file per pytest process, so parallel runs on one checkout never share a test database.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", default=str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))}
