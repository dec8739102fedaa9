"""A real `celery -A giftshop worker` process against the test database and the test broker.

The worker is another process, so it sees only committed rows: tests here use
django_db(transaction=True). It gets the same broker as this process (Redis when REDIS_URL is set,
else this process's filesystem broker folder) and writes mail to files we can read.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

READY_SECONDS = 60
STOP_SECONDS = 20


@dataclass
class Worker:
    process: subprocess.Popen
    mail_dir: Path
    log_path: Path

    def log(self):
        return self.log_path.read_text(errors="replace")

    def mails(self):
        return sorted(self.mail_dir.glob("*.log"))


def database_url(settings_dict):
    """The URL of the database this process is using now (the test database, once it exists)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return "sqlite:///" + str(Path(settings_dict["NAME"]).resolve())
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def _broker_folder_cleanup():
    yield
    broker_dir = getattr(settings, "BROKER_DIR", None)
    if not settings.REDIS_URL and broker_dir and Path(broker_dir).name.startswith("test-broker-"):
        shutil.rmtree(broker_dir, ignore_errors=True)


def stop_worker(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand, then exit
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the worker's own process group (its pool children)
        process.wait(10)


def start_worker(folder: Path, url: str, name: str = "test") -> Worker:
    """Start `celery worker` (one pool process, each task in a fresh one) and wait until it is ready."""
    mail_dir = folder / "mail"
    mail_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "giftshop.settings.test",
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "OUTBOX_KICK_ON_COMMIT": "false",
        "PYTHONUNBUFFERED": "1",
        "WEBHOOK_ALLOW_PRIVATE": "1",  # the tests' webhook receiver listens on loopback
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env["CELERY_BROKER_DIR"] = str(settings.BROKER_DIR)
    log_path = folder / f"{name}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "giftshop", "worker", "--loglevel", "INFO", "--concurrency", "1",
             "--without-mingle", "--without-gossip", "--without-heartbeat", "--hostname", f"{name}-{os.getpid()}@%h",
             # Each task in a fresh pool process: between tests the database is flushed and its content
             # types are made again with new ids, which a long-lived process would still have cached.
             "--max-tasks-per-child", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process=process, mail_dir=mail_dir, log_path=log_path)
    deadline = time.monotonic() + READY_SECONDS
    while "ready." not in worker.log():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_worker(process)
            pytest.fail(f"the celery worker did not start:\n{worker.log()[-4000:]}")
        time.sleep(0.2)
    return worker


def current_database_url(django_db_blocker):
    with django_db_blocker.unblock():
        return database_url(connection.settings_dict)


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory, _broker_folder_cleanup):
    from giftshop.celery import app

    url = current_database_url(django_db_blocker)
    if settings.REDIS_URL:
        app.control.purge()  # tasks another run left on the shared broker would run against our database
    worker = start_worker(tmp_path_factory.mktemp("worker"), url)
    try:
        yield worker
    finally:
        stop_worker(worker.process)
