"""A pytest plugin for `make mutate` only (pyproject's [tool.mutmut] loads it with `-p`).

mutmut runs each mutant's tests in a fork of one process whose settings were read once, so every
fork would name the same SQLite test database (giftshop.settings.test names it after the pid that
read the settings). Two forks at once would create and destroy each other's database: each fork
gets one of its own, named after its own pid, before pytest-django creates it."""

import os
from pathlib import Path


def pytest_sessionstart(session):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / f"test-mutmut-{os.getpid()}.sqlite3")
