"""What every bench script shares: the environment it runs Django in, the bench database, timing
helpers and the results folder.

Nothing here touches the shared development state: the bench runs on its own PostgreSQL databases
(giftshop_bench*), its own Redis database (14) and its own media folder under /tmp, and it never
nudges a Celery broker (the outbox is relayed in-process by the scripts that need it).
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SCRATCH_DIR = Path(os.environ.get("BENCH_SCRATCH", "/tmp/giftshop-bench"))  # noqa: S108  a benchmark's scratch logs, on a dev machine; BENCH_SCRATCH moves it

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
BENCH_PASSWORD = "bench-pass-2024"  # noqa: S105  the throwaway benchmark database's users


def bench_env(database_url=None, redis_url=None) -> dict:
    """The environment variables every bench process (this one, gunicorn) runs with."""
    env = {
        "DJANGO_SETTINGS_MODULE": "giftshop.settings.local",
        "DATABASE_URL": database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        # Speed is measured with DEBUG off, as in production (DEBUG keeps every query in memory).
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        # The sandbox payment provider calls our webhook through the Django stack in-process, and
        # nothing is queued on a broker: the scripts relay the outbox themselves.
        "SANDBOX_WEBHOOK_TRANSPORT": "inprocess",
        # The bench databases outlive a checkout, and each checkout has its own var/ secrets: card
        # links derive from this fixed, bench-only secret, so a database seeded from one clone
        # still opens its cards from another (CI's fresh clone reusing a seeded database saw 404s).
        "GIFT_TOKEN_SECRET": "bench-only: card links of the loopback benchmark databases, never served",
        "SANDBOX_KICK_ON_COMMIT": "false",
        "OUTBOX_KICK_ON_COMMIT": "false",
        "MEDIA_ROOT": str(SCRATCH_DIR / "media"),
        "PRIVATE_MEDIA_ROOT": str(SCRATCH_DIR / "private"),
        "CELERY_BROKER_DIR": str(SCRATCH_DIR / "broker"),
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
        # The in-process sandbox transport goes through Django's test client (host "testserver"),
        # which the local settings' allowed hosts no longer include by default.
        "DJANGO_ALLOWED_HOSTS": os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver"),
    }
    redis_url = redis_url if redis_url is not None else os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def check_local(url: str) -> None:
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"bench: refusing to touch a non-local server ({host})")


def ensure_database(url: str, *, reset: bool = False) -> None:
    """Create the bench database if it is missing (drop it first with reset). Only databases named
    giftshop_bench* are ever dropped."""
    import psycopg

    check_local(url)
    name = database_name(url)
    if not name.startswith("giftshop_bench"):
        raise SystemExit(f"bench: the bench database must be named giftshop_bench*, not {name!r}")
    parts = urlparse(url)
    admin = psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, dbname="postgres", autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url=None, redis_url=None, settings_module=None) -> dict:
    """Set the bench environment, then django.setup(). Returns the environment used."""
    env = bench_env(database_url, redis_url)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    check_local(env["DATABASE_URL"])
    os.environ.update(env)
    for folder in ("media", "private", "broker"):
        (SCRATCH_DIR / folder).mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO_DIR))
    import django

    django.setup()
    return env


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip()
    except Exception:  # noqa: BLE001
        return "unknown"


def machine() -> dict:
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            mem_gb = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(), "mem_gb": mem_gb, "cpu_model": cpu, "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_header(env: dict) -> dict:
    env_shown = {k: v for k, v in env.items() if k in (
        "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "SANDBOX_WEBHOOK_TRANSPORT",
        "OUTBOX_KICK_ON_COMMIT")}
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        # The machine is shared (other work may run beside the bench): its load when this was measured.
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "settings": env_shown,
    }


def wait_for_quiet(*, threshold: float = 1.0, max_seconds: float = 0.0) -> dict:
    """The machine is shared: wait (at most max_seconds) until the 1-minute load average is under
    threshold, so that other work does not weigh on the numbers. Says what it found."""
    start = time.monotonic()
    load = os.getloadavg()[0]
    while load >= threshold and time.monotonic() - start < max_seconds:
        time.sleep(5)
        load = os.getloadavg()[0]
    waited = round(time.monotonic() - start, 1)
    quiet = load < threshold
    if not quiet:
        print(f"bench: WARNING the machine is busy (1-min load {load:.2f} on {os.cpu_count()} CPUs): "
              "latency numbers will be inflated", flush=True)
    return {"quiet": quiet, "load_1min": round(load, 2), "threshold": threshold, "waited_s": waited}


def write_result(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


class Timer:
    """Named phases with wall-clock durations, printed as they end."""

    def __init__(self):
        self.phases = {}

    @contextmanager
    def phase(self, name, count=None):
        print(f"  {name} ...", flush=True)
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        entry = {"seconds": round(elapsed, 2)}
        if count:
            entry["count"] = count
            entry["per_second"] = round(count / elapsed, 1) if elapsed else None
            entry["ms_each"] = round(elapsed / count * 1000, 2)
        self.phases[name] = entry
        rate = f", {entry['per_second']}/s, {entry['ms_each']} ms each" if count else ""
        print(f"  {name}: {elapsed:.2f} s{rate}", flush=True)
