#!/usr/bin/env python3
"""The REST API against its own OpenAPI document, live: schemathesis on gunicorn, PostgreSQL, Redis.

    python3 .ci/schemathesis_live.py                  # about 5 minutes; reports in test-artifacts/schemathesis/
    python3 .ci/schemathesis_live.py --fuzz-time 20 --stateful-time 20 --only merchant   # a quick look

What it does, from this checkout and its dev virtualenv (`make test` builds it; schemathesis is a dev
dependency): a fresh PostgreSQL database, `migrate`, `createcachetable`, `seed_demo` (the tea house,
its merchant, two shoppers), an API token for the shopper alice and one for the merchant (the store's
owner); gunicorn with giftshop.settings.production on a free loopback port (its own Redis database),
the Celery worker and beat beside it (sandbox payments complete, paid gifts open); wait for /healthz;
then per token two `st run`s: the schema's examples, coverage (every boundary and wrong type the
schema implies) and fuzzing; then stateful alone: the document's OpenAPI links (giftshop/api_links.py)
chain create -> fetch -> change -> delete on the object just made.

Every answer must be no 5xx, a status code and content type the document names for that operation,
a body that matches the documented schema, and the checks in CHECKS below. The gunicorn, worker and
beat logs must hold no Traceback. Exit 0 only when all of that holds.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke_run import MARKERS, REPO, SmokeFailure, base_env, free_port, http, session_pids, wait_until  # noqa: E402

VENV = REPO / ".venv" / "bin"
ARTIFACTS = REPO / "test-artifacts" / "schemathesis"
DATABASE = "giftshop_st"
REDIS_DB = "11"  # smoke_run.py uses 13, bench/ 14
HOOKS = ["giftshop.api_links.add_links", "giftshop.api_links.forbid_unknown_fields"]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "missing_required_header",
    "unsupported_method",  # a method the document does not name answers 405
    "allow_header_conformance",  # ... with an Allow header naming the documented methods
    "ignored_auth",  # an operation that needs auth refuses a request without it
    "use_after_free",  # stateful: what was deleted is gone
    "ensure_resource_availability",  # stateful: what was created can be fetched
]
# Checks switched off, each with its reason (printed on every run).
CHECKS_OFF = {
    "positive_data_acceptance": (
        "a schema-valid request may still break a business rule OpenAPI cannot express, and the shop "
        "answers 400 `invalid` as documented: a taken username, a common password, wrong credentials, "
        "start after end, a member not on the team, an address of someone else's"
    ),
    "negative_data_rejection": (
        "DRF's documented leniency, not a contract breach: a number where a string is expected is "
        "taken as its text, an unusable ?page_size= falls back to the default page size, and form or "
        "multipart bodies have no types at all"
    ),
    "(cases) query strings over 3,000 bytes": (
        "not generated (.ci/schemathesis_hooks.py): gunicorn answers a request line over 4,094 bytes "
        "itself, 414 in HTML, before Django; that is gunicorn's limit, not the API's contract"
    ),
    "object_level_authorization": (
        "needs several users' credentials in one run (a WFC auth file), not one token per run; "
        "tests/test_authz_matrix.py covers who may see what. Here the shopper's run still sends the "
        "merchant operations, on ids and slugs taken from public answers, and gets only documented 404/403"
    ),
}
# Two st runs per token: the stateless phases, then the stateful one alone, so that fuzzing (which
# repeats until its time is spent) cannot eat the links' share of the budget.
RUNS = {"fuzz": "examples,coverage,fuzzing", "stateful": "stateful"}

SHELL_TOKENS = """
import json
from rest_framework.authtoken.models import Token
from accounts.models import User
from logistics.management import demo_catalog as demo
users = {"shopper": demo.SHOPPERS[0]["username"], "merchant": demo.MERCHANT["username"]}
print("TOKENS " + json.dumps({role: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
                              for role, name in users.items()}))
"""


def links_settings(folder):
    """giftshop.settings.production, plus the links hook while SPECTACULAR_SETTINGS does not name it
    yet: a module in a folder of its own on PYTHONPATH. Returns (settings module, PYTHONPATH entry)."""
    base = (REPO / "giftshop" / "settings" / "base.py").read_text()
    missing = [hook for hook in HOOKS if hook not in base]
    if not missing:
        return "giftshop.settings.production", None
    (folder / "st_settings.py").write_text(
        "from giftshop.settings.production import *  # noqa: F401,F403\n"
        "from giftshop.settings.production import SPECTACULAR_SETTINGS\n\n"
        "SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, 'POSTPROCESSING_HOOKS': [\n"
        f"    *SPECTACULAR_SETTINGS['POSTPROCESSING_HOOKS'], *{missing!r}]}}\n"
    )
    print(f"note: SPECTACULAR_SETTINGS does not name {', '.join(missing)} yet: added for this run only")
    return "st_settings", str(folder)


def shop_env(folder, port):
    settings_module, extra_path = links_settings(folder)
    env = base_env(
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), extra_path) if p),
        DJANGO_SECRET_KEY="st-live-" + os.urandom(32).hex(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",  # loopback is plain http
        DJANGO_SECURE_HSTS_SECONDS="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        # The sandboxes on, with secrets of this run's own (production refuses the development ones):
        # their endpoints are in the document, so they are tested too.
        SANDBOX_PAYMENTS_ENABLED="true",
        SANDBOX_PAYMENT_SECRET="whsec_st_" + os.urandom(16).hex(),
        SANDBOX_CARRIER_ENABLED="true",
        SANDBOX_CARRIER_SECRET="whsec_st_carrier_" + os.urandom(16).hex(),
        # Rate limits off: thousands of requests from one address in a few minutes would be 429s
        # after the first few, and every later case would test the limiter, not the operation. The
        # 429 answers stay in the document (it is made from the code, not from this switch), and
        # tests/ covers the limits themselves. The log-in lockout (django-axes, accounts/lockout.py)
        # is not under this switch and still answers POST /auth/token/ 429 now and then: documented.
        RATELIMIT_ENABLE="false",
        MEDIA_ROOT=str(folder / "media"),
        PRIVATE_MEDIA_ROOT=str(folder / "private"),
        STATIC_ROOT=str(folder / "static"),
        DEMO_PASSWORD="st-demo-" + os.urandom(12).hex(),
        LOG_FORMAT="plain",
        PYTHONHASHSEED="0",
    )
    return env


def manage(env, *args, log):
    done = subprocess.run([str(VENV / "python"), "manage.py", *args], cwd=REPO, env=env, capture_output=True,
                          text=True)
    log.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def st_run(site, role, token, args, run):
    out = ARTIFACTS / f"{role}-{run}"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(VENV / "st"), "--no-color", "run", f"{site}/api/schema/?format=json",
        "-H", f"Authorization: Token {token}",
        "--checks", ",".join(CHECKS),
        "--phases", RUNS[run],
        "--max-examples", str(args.max_examples),
        "--max-time", str(args.fuzz_time if run == "fuzz" else args.stateful_time),
        "--seed", str(args.seed),
        "--workers", str(args.workers),
        "--request-timeout", "30",
        "--generation-database", "none",
        "--report", ",".join(["junit", "ndjson", *args.report]),
        "--report-dir", str(out),
        "--output-truncate", "false",
    ]
    print(f"\n=== st run ({run}) as the {role} (token {token[:6]}…): {' '.join(command[3:4] + command[6:])}",
          flush=True)
    started = time.monotonic()
    with (ARTIFACTS / f"{role}-{run}.txt").open("w") as text:
        hooks = {"SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(Path(__file__).resolve().parent)}
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, "PYTHONHASHSEED": "0", **hooks})
        for line in process.stdout:
            text.write(line)
            sys.stdout.write(line)
        process.wait()
    return process.returncode, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fuzz-time", type=int, default=75, help="seconds per token, examples+coverage+fuzzing")
    parser.add_argument("--stateful-time", type=int, default=60, help="seconds per token, stateful (links)")
    parser.add_argument("--max-examples", type=int, default=25, help="generated cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report", action="append", default=[], choices=["vcr", "har", "html"],
                        help="another st report, with every request and answer (large)")
    parser.add_argument("--only", choices=["shopper", "merchant"], help="one token only")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary folder")
    args = parser.parse_args()

    print("Checks switched off:")
    for name, reason in CHECKS_OFF.items():
        print(f"  - {name}: {reason}")
    if not (VENV / "st").exists():
        print(f"FAIL: {VENV / 'st'} not found: build the dev virtualenv first (make test)", file=sys.stderr)
        return 1
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    folder = Path(tempfile.mkdtemp(prefix="giftshop-st-"))
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = shop_env(folder, port)
    log_path = ARTIFACTS / "gunicorn.log"
    started = time.monotonic()
    processes = {}  # name: (Popen, its log)
    results = {}
    try:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
        subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=True, capture_output=True)
        with (ARTIFACTS / "setup.log").open("w") as setup:
            manage(env, "migrate", "--noinput", log=setup)
            manage(env, "createcachetable", log=setup)
            manage(env, "collectstatic", "--noinput", log=setup)  # production's manifest storage needs it
            force = ["--force"] if "--force" in manage(env, "seed_demo", "--help", log=setup) else []
            manage(env, "seed_demo", *force, log=setup)  # --force: older seed_demo refuses with DEBUG off
            line = next(x for x in manage(env, "shell", "-c", SHELL_TOKENS, log=setup).splitlines()
                        if x.startswith("TOKENS "))
        tokens = json.loads(line.removeprefix("TOKENS "))
        print(f"set up in {time.monotonic() - started:.0f}s: database {DATABASE}, demo shop, tokens for "
              f"{', '.join(tokens)}", flush=True)

        # The worker and the beat as well: the sandbox then delivers its signed payment webhooks and
        # paid orders and gifts move on (open gifts, shipments), so later cases reach those states.
        commands = {
            "gunicorn": [str(VENV / "gunicorn"), "giftshop.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                         "--threads", "4", "--timeout", "60", "--access-logfile", str(ARTIFACTS / "access.log")],
            "worker": [str(VENV / "celery"), "-A", "giftshop", "worker", "--loglevel", "INFO", "--concurrency", "1",
                       "--without-mingle", "--without-gossip"],
            "beat": [str(VENV / "celery"), "-A", "giftshop", "beat", "--loglevel", "INFO",
                     "--schedule", str(folder / "celerybeat-schedule")],
        }
        for name, command in commands.items():
            log = ARTIFACTS / f"{name}.log"
            with log.open("w") as out:
                processes[name] = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                   stdin=subprocess.DEVNULL, start_new_session=True), log
        gunicorn, _ = processes["gunicorn"]
        wait_until("/healthz", lambda: http("GET", f"{site}/healthz", timeout=3)[0] == 200, 60, gunicorn, log_path)
        for name, marker in MARKERS.items():
            process, log = processes[name]
            wait_until(f"the {name}", lambda m=marker, lg=log: m in lg.read_text(errors="replace"), 60, process, log)
        print(f"gunicorn (giftshop.settings.production, DEBUG off) answers on {site}; the worker and the beat are up",
              flush=True)

        for role in [args.only] if args.only else ["shopper", "merchant"]:
            for run in RUNS:
                results[f"{role}-{run}"] = st_run(site, role, tokens[role], args, run)
    except SmokeFailure as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    finally:
        for process, _ in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while session_pids(process.pid) and time.monotonic() < deadline:
                time.sleep(0.3)
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DATABASE])
            shutil.rmtree(folder, ignore_errors=True)

    statuses = {}
    access = ARTIFACTS / "access.log"
    for line in access.read_text(errors="replace").splitlines() if access.exists() else []:
        match = re.search(r'" (\d{3}) ', line)
        if match:
            statuses[match.group(1)] = statuses.get(match.group(1), 0) + 1
    logs = {name: log.read_text(errors="replace") for name, (_, log) in processes.items()}
    tracebacks = {name: text.count("Traceback (most recent call last)") for name, text in logs.items()}
    print("\n=== summary")
    for name, (code, seconds) in results.items():
        output = (ARTIFACTS / f"{name}.txt").read_text(errors="replace")
        found = [m.group(0).strip() for pattern in (r"Tested: \d+", r"\d+ generated.*", r"API Links: .*")
                 for m in [re.search(pattern, output)] if m]
        print(f"  {name}: st exit {code} in {seconds:.0f}s; {'; '.join(found)}; output {ARTIFACTS / name}.txt")
    print(f"  gunicorn answered {sum(statuses.values())} requests: "
          + ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items())))
    print("  Tracebacks in the logs: " + ", ".join(f"{name} {n}" for name, n in tracebacks.items())
          + f" ({ARTIFACTS}/<name>.log)")
    for name, text in logs.items():
        if tracebacks[name]:
            first = text.index("Traceback (most recent call last)")
            print(f"--- {name}.log, the first one:\n" + text[max(0, text.rfind("\n", 0, first - 300)):first + 4000])
    print("  checks switched off: " + (", ".join(CHECKS_OFF) or "none"))
    print(f"  total {time.monotonic() - started:.0f}s")
    server_errors = sum(n for code, n in statuses.items() if code.startswith("5"))
    failed = sum(tracebacks.values()) or server_errors or any(code != 0 for code, _ in results.values())
    print("FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
