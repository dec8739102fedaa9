"""No import cycle between the settings and the modules they name, whichever is imported first.

DRF, drf-spectacular, Django and Celery import the dotted paths in the settings lazily, and
`rest_framework.views` reads its settings while it is being imported. A module named there that
imports `rest_framework.views` at import time works or fails depending on which module happens to
be imported first, and that order changes with the installed versions (issue 7: `make run` died in
7 of 8 fresh clones). So: in a fresh interpreter, after `django.setup()`, each dotted path the
settings name is imported *first*, one path per forked child (a fork of a process that has only run
`django.setup()` is that fresh interpreter, without paying for a new one per path). Then the real
entry points start: `manage.py check`, `celery beat` and `celery worker`.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import importlib, importlib.util, json, os, re, sys, traceback
import django
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string

DOTTED = re.compile(r"^[A-Za-z_]\w*(\.\w+)+$")
NOT_PATHS = {"AUTH_USER_MODEL", "SILENCED_SYSTEM_CHECKS", "OUTBOX_TOPIC_QUEUES"}  # a model label, check ids, topics

def strings(value):
    if isinstance(value, str):
        yield str(value)  # a lazy translation (django-axes' messages) passes for a str, not as one
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from strings(item)

def importable_top(path):
    try:
        return importlib.util.find_spec(path.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False

paths = set()
for name in dir(settings):
    if name.isupper() and name not in NOT_PATHS:
        for text in strings(getattr(settings, name)):
            if DOTTED.match(text) and importable_top(text):
                paths.add(text)

def load(path):
    try:
        importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if not (exc.name and path.startswith(exc.name)):
            raise
        # An attribute of a module, maybe nested (drf-spectacular's ENUM_NAME_OVERRIDES name a model's
        # Status choices): import the longest module prefix, then walk the attributes.
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            try:
                target = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError as missing:
                if not (missing.name and path.startswith(missing.name)):
                    raise
                continue
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
            return
        import_string(path)

results = {}
for path in sorted(paths):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            load(path)
            message = ""
        except BaseException:
            message = traceback.format_exc()[-3000:]
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    results[path] = b"".join(chunks).decode()
print(json.dumps(results))
"""


def _embedded_env(tmp_path, **extra):
    """The embedded mode (SQLite, filesystem broker) in a folder of its own: no REDIS_URL or
    DATABASE_URL from the CI stage, so nothing here touches the tests' broker or database."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "giftshop.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return env


@pytest.mark.parametrize("settings_module", ["giftshop.settings.local", "giftshop.settings.test"])
def test_every_dotted_path_in_the_settings_imports_first_in_a_fresh_interpreter(settings_module, tmp_path):
    env = _embedded_env(tmp_path, DJANGO_SETTINGS_MODULE=settings_module)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])

    # The probe found the paths that broke before, and many more: it cannot pass by finding nothing.
    for path in ("giftshop.api.parsers.JSONParser", "giftshop.api.pagination.Pagination",
                 "giftshop.api.exceptions.exception_handler", "giftshop.api.schema.document_page_errors",
                 "giftshop.views.ratelimited", "giftshop.logfilters.MaskCardTokens"):
        assert path in imported
    assert len(imported) > 40, sorted(imported)
    failed = {path: error for path, error in imported.items() if error}
    assert not failed, "\n\n".join(f"{path} imported first fails:\n{error}" for path, error in failed.items())


def test_a_module_that_imports_rest_framework_views_is_caught(tmp_path):
    """The probe itself can fail: put back the shape that broke (a parser module importing
    rest_framework.views at import time, named in DEFAULT_PARSER_CLASSES) and it reports it."""
    package = tmp_path / "cyclic_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "parsers.py").write_text(
        "from rest_framework.views import set_rollback  # noqa: F401\n"
        "from rest_framework.parsers import JSONParser as Base\n\n"
        "class JSONParser(Base):\n    pass\n"
    )
    (package / "settings.py").write_text(
        "from giftshop.settings.local import *  # noqa: F401,F403\n"
        "from giftshop.settings.local import REST_FRAMEWORK\n"
        "REST_FRAMEWORK = {**REST_FRAMEWORK, 'DEFAULT_PARSER_CLASSES': ['cyclic_probe.parsers.JSONParser']}\n"
    )
    env = _embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="cyclic_probe.settings",
                        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert "Could not import 'cyclic_probe.parsers.JSONParser'" in imported["cyclic_probe.parsers.JSONParser"]


def test_manage_py_check_passes_in_a_fresh_interpreter(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=_embedded_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "System check identified no issues" in result.stdout


def _wait_for(path, marker, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if marker in text:
            return text
        if process.poll() is not None:
            break
        time.sleep(0.2)
    return None


@pytest.mark.parametrize(
    ("args", "marker"),
    [
        (["beat", "--loglevel", "INFO", "--schedule", "{tmp}/celerybeat-schedule"], "beat: Starting..."),
        (["worker", "--loglevel", "INFO", "--concurrency", "1", "--without-mingle", "--without-gossip"], " ready."),
    ],
    ids=["beat", "worker"],
)
def test_celery_comes_up_and_stops_on_sigterm(args, marker, tmp_path):
    log = tmp_path / "celery.log"
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "giftshop", *[a.format(tmp=tmp_path) for a in args]]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=_embedded_env(tmp_path), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        text = _wait_for(log, marker, process)
        assert text is not None, f"celery {args[0]} did not come up:\n{log.read_text(errors='replace')[-4000:]}"
        time.sleep(2)  # a few seconds up: a late crash (the first beat tick, a lazy import) shows here
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "ERROR" not in text, text[-4000:]
