"""`make bench`: the hot pages and claims of the services mode beside the stack's own floor.

    make bench                 # 3 interleaved runs of 15 s per target (about 8 minutes)
    make bench QUICK=1         # 1 run of 3 s per target: a smoke test (well under 2 minutes once seeded)
    .venv/bin/python bench/make_bench.py [--quick] [--reseed] [--size small|large]

One gunicorn (giftshop.wsgi, settings giftshop.settings.bench: DEBUG off, PostgreSQL database
giftshop_bench_1k, Redis db 14, persistent connections) on a free loopback port serves both the
shop and the baseline (bench/baseline.py, mounted under /_baseline/ by the bench settings only):

    A0  GET /_baseline/a0/          a tiny HttpResponse
    A1  GET /_baseline/a1/<id>/     one primary-key SELECT of stores_product, a small template
    A3  POST /_baseline/a3/<row>/   UPDATE ... SET remaining = remaining - 1 WHERE ... AND remaining > 0,
                                    then one INSERT, in one transaction (201)
    A3x the same POST on a sold-out row (409)

wrk (-t2 -c32 --latency) loads each target in turn, round-robin (A0, product, A1, card, API, /me/,
A3x, sold-out claim, then the two bursts; again, ...), so that whatever else the machine does weighs
on the shop and on its floor alike. Each ratio is the median of the per-round ratios (target /
its baseline in the same round). The bursts (200 users, a 100-unit gift, everyone at once) use one
asyncio client for giftshop and for A3, and are checked in the database (exactly 100 winners).

Data (small size): bench/seed_scale.py --scale 0.1 (5 stores, 500 products, 2,000 users, 1,000 gifts),
seeded once into giftshop_bench_1k and reused (--reseed starts again); then the /me/ user
(bench-recipient) is given 200 received gifts and 200 sent gifts (orders). Each run adds its own
fixtures through the services (claim_load.make_fixtures: 200 users with tokens and addresses, one
100-unit group gift per burst run and one claimed out, for the sold-out scenario).
The large size (1M gifts) is not built yet (--size large says why).

Writes bench/RESULTS.md and bench/results/make_bench.json (--quick: bench/results/make_bench_quick.md
and .json, so a smoke run never overwrites the measured results). Exits non-zero when a check fails
(a wrong status, a socket error, a burst whose winners are not exactly 100 in the database).
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_DIR,
    DEFAULT_REDIS_URL,
    REPO_DIR,
    RESULTS_DIR,
    SCRATCH_DIR,
    database_name,
    ensure_database,
    git_commit,
    machine,
    wait_for_quiet,
)
from _common import setup_django as common_setup_django  # noqa: E402
from claim_load import free_port, make_fixtures, stop_server  # noqa: E402

SMALL_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_1k"
SMALL_SCALE = 0.1  # seed_scale: 1,000 gifts
SETTINGS = "giftshop.settings.bench"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
WRK_THREADS, WRK_CONNECTIONS = 2, 32
BURST_USERS, BURST_UNITS = 200, 100
ME_ROWS = 200  # the /me/ user's received gifts, and sent gifts (orders)

# The server. 2 cores, and the same 2 cores also run PostgreSQL, Redis and the load generator.
# Requests here are CPU-bound Python with short waits on PostgreSQL and Redis (a few round trips
# each, well under a millisecond on loopback): 2 worker processes, one per core, use both cores
# without several processes fighting over them (4 sync workers on 2 cores, the outside benchmark's
# choice, pay for the context switches and hold no keep-alive connection, so every wrk request opens
# a new TCP connection). gthread with 4 threads each: while one thread waits on PostgreSQL (the hot
# row's lock in the bursts, above all) another runs, keep-alive connections are held by the worker's
# poller, and the 8 threads are 8 persistent database connections (CONN_MAX_AGE), far under
# PostgreSQL's 100. More threads only queue on the GIL. BENCH_WORKERS, BENCH_THREADS and
# BENCH_WORKER_CLASS change it for an experiment (the results say what ran).
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")

# The targets (issue 12, "Targets") and its outside benchmark's ratios ("today").
TARGETS = {
    "product": ("a0", 0.5, 0.063),
    "card": ("a0", 0.4, 0.047),
    "api": ("a1", 0.7, 0.09),
    "me": ("a1", 0.7, 0.05),
    "soldout": ("a3x", 1.0, 0.09),
    "burst": ("a3_burst", 0.6, 0.15),
}
NAMES = {
    "a0": "A0 tiny HttpResponse", "a1": "A1 one PK SELECT + small template", "a3x": "A3x sold-out UPDATE (409)",
    "product": "product page, anonymous", "card": "card page /g/<token>/, anonymous",
    "api": "products API ?store=, 20 per page", "me": "Orders & Cards /me/, 200 gifts and orders",
    "soldout": "claim on a sold-out gift (409), token auth",
    "burst": "burst: 200 users claim a 100-unit gift", "a3_burst": "A3 burst (UPDATE + INSERT, same client)",
}
BASE_LABELS = {"a0": "A0", "a1": "A1", "a3x": "A3x", "a3_burst": "A3 burst"}
ROUND = ["a0", "product", "a1", "card", "api", "me", "a3x", "soldout"]


# --- data ---------------------------------------------------------------------------------------

def seeded(url) -> bool:
    import psycopg

    parts = urlparse(url)
    try:
        conn = psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                               dbname=database_name(url), autocommit=True)
    except psycopg.OperationalError:
        return False
    with conn:
        return bool(conn.execute("SELECT to_regclass('bench_make_ready')").fetchone()[0])


def seed(url, wait_quiet):
    print(f"seeding {database_name(url)} (seed_scale --scale {SMALL_SCALE}) ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(BENCH_DIR / "seed_scale.py"), "--reset", "--scale", str(SMALL_SCALE),
                    "--database-url", url, "--wait-quiet", str(wait_quiet)],
                   check=True, cwd=REPO_DIR, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - start, 1)


def setup_django(url):
    return common_setup_django(url, DEFAULT_REDIS_URL, settings_module=SETTINGS)


def top_up_me():
    """bench-recipient gets ME_ROWS received gifts and ME_ROWS sent gifts (their orders with them),
    taken over from the bulk history (single gifts, no card image): the /me/ scenario's user."""
    from django.db import transaction

    from accounts.models import User
    from gifts.models import Claim, Gift
    from logistics.models import Shipment
    from orders.models import Order

    me = User.objects.get(username="bench-recipient")
    with transaction.atomic():
        have = Claim.objects.filter(recipient=me).count()
        mine = set(Claim.objects.filter(recipient=me).values_list("gift_id", flat=True))
        take = list(Claim.objects.filter(gift__quantity=1, gift__card_image="").exclude(recipient=me)
                    .exclude(gift__sender=me).exclude(gift_id__in=mine).order_by("id")
                    .values_list("id", "shipment_id", "gift_id")[:max(0, ME_ROWS - have)])
        Claim.objects.filter(id__in=[c for c, _s, _g in take]).update(recipient=me)
        Shipment.objects.filter(id__in=[s for _c, s, _g in take if s]).update(recipient=me)
        received = mine | {g for _c, _s, g in take}
        sent_have = Gift.objects.filter(sender=me).count()
        gifts = list(Gift.objects.filter(quantity=1, card_image="").exclude(sender=me).exclude(id__in=received)
                     .order_by("-id").values_list("id", "order_id")[:max(0, ME_ROWS - sent_have)])
        Gift.objects.filter(id__in=[g for g, _o in gifts]).update(sender=me)
        Order.objects.filter(id__in=[o for _g, o in gifts]).update(buyer=me)
    return {"received": Claim.objects.filter(recipient=me).count(), "sent": Gift.objects.filter(sender=me).count()}


def prepare(args):
    """Migrate, the bench's own tables, this run's fixtures. Returns what the scenarios need."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.baseline import HOT_ROW_TABLES
    from gifts.models import Gift
    from gifts.services.claims import claim_accept
    from gifts.tokens import gift_token
    from stores.models import Product

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        for sql in HOT_ROW_TABLES:
            cursor.execute(sql)
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_make_ready (me jsonb NOT NULL)")
        cursor.execute("SELECT me FROM bench_make_ready")
        row = cursor.fetchone()
    if row is None:
        me_rows = top_up_me()
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_make_ready (me) VALUES (%s)", [json.dumps(me_rows)])
    else:
        me_rows = json.loads(row[0]) if isinstance(row[0], str) else row[0]

    # 200 users with tokens and addresses; gift 0 is sold out below, gifts 1.. are the bursts'.
    f = make_fixtures(SimpleNamespace(users=BURST_USERS, gifts=args.runs + 1, units=BURST_UNITS))
    users = {u.id: u for u in get_user_model().objects.filter(id__in=[uid for uid, _k, _a in f["claimants"]])}
    for uid, _key, address_id in f["claimants"][:BURST_UNITS]:
        claim_accept(gift=Gift.objects.get(id=f["gift_ids"][0]), user=users[uid], address_id=address_id)
    sold_out = Gift.objects.get(id=f["gift_ids"][0])
    if sold_out.status != "claimed" or sold_out.claimed_units != BURST_UNITS:
        raise SystemExit(f"bench: the sold-out gift is {sold_out.status} with {sold_out.claimed_units} units")
    loser_id, loser_key, loser_address = f["claimants"][-1]

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM bench_hot_row")
        base = cursor.fetchone()[0]
        rows = [(base + 1, 0)] + [(base + 2 + r, BURST_UNITS) for r in range(args.runs)]
        cursor.executemany("INSERT INTO bench_hot_row (id, remaining) VALUES (%s, %s)", rows)

    product = (Product.objects.filter(store__slug="bench-000", is_active=True, giftable=True)
               .order_by("id").first())
    card = (Gift.objects.filter(sender__username="bench-sender", status="open").exclude(card_image="")
            .order_by("id").first())
    if not (product and card):
        raise SystemExit("bench: the bench database is not seeded (run with --reseed)")
    client = Client()
    me = get_user_model().objects.get(username="bench-recipient")
    client.force_login(me)
    from django.conf import settings

    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    db = settings.DATABASES["default"]
    connection.close()
    return {
        "product": product, "card_token": gift_token(gift_id=card.id, version=card.token_version),
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "me_rows": me_rows,
        "sold_out_token": gift_token(gift_id=sold_out.id, version=sold_out.token_version),
        "loser": {"key": loser_key, "address_id": loser_address},
        "hot_sold_out": rows[0][0], "hot_rows": [r for r, _ in rows[1:]],
        "burst_gifts": list(zip(f["gift_ids"][1:], f["gift_tokens"][1:], strict=True)),
        "claimants": f["claimants"], "variant_id": f["variant_id"],
        "conn": {"CONN_MAX_AGE": db.get("CONN_MAX_AGE"), "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS")},
    }


def targets(p):
    """name -> (method, path, body, headers, expected status, expected text or error code)."""
    auth = {"Authorization": f"Token {p['loser']['key']}", "Content-Type": "application/json"}
    return {
        "a0": ("GET", "/_baseline/a0/", None, {}, 200, "ok"),
        "a1": ("GET", f"/_baseline/a1/{p['product'].id}/", None, {}, 200, p["product"].title),
        "a3x": ("POST", f"/_baseline/a3/{p['hot_sold_out']}/", json.dumps({"user": 1}), auth, 409, "sold_out"),
        "product": ("GET", f"/s/bench-000/p/{p['product'].id}/", None, {}, 200, p["product"].title),
        "card": ("GET", f"/g/{p['card_token']}/", None, {}, 200, "<form"),
        "api": ("GET", "/api/v1/products/?store=bench-000", None, {}, 200, '"results"'),
        "me": ("GET", "/me/", None, {"Cookie": p["session_cookie"]}, 200, "bench-"),
        "soldout": ("POST", f"/api/v1/claims/{p['sold_out_token']}/",
                    json.dumps({"address_id": p["loser"]["address_id"]}), auth, 409, "gift_fully_claimed"),
    }


# --- the server -----------------------------------------------------------------------------------

def start_server(env, port):
    import gunicorn

    env = {**os.environ, **env, "PORT": str(port), "SITE_URL": f"http://127.0.0.1:{port}"}
    log = open(SCRATCH_DIR / f"make-bench-gunicorn-{port}.log", "w")  # noqa: SIM115 - closed in stop_server
    cmd = [str(REPO_DIR / ".venv/bin/gunicorn"), "giftshop.wsgi", "--bind", f"127.0.0.1:{port}",
           "--workers", str(WORKERS), "--worker-class", WORKER_CLASS, "--threads", str(THREADS),
           "--timeout", "60", "--graceful-timeout", "10", "--error-logfile", "-"]
    proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited ({proc.returncode}); see {log.name}")
        try:
            if request(port, "GET", "/_baseline/a0/")[0] == 200:
                return proc, log, {"workers": WORKERS, "worker_class": WORKER_CLASS, "threads": THREADS,
                                   "gunicorn": gunicorn.__version__, "cmd": " ".join(cmd[1:])}
        except OSError:
            time.sleep(0.2)
    stop_server(proc, log)
    raise SystemExit("bench: gunicorn did not answer /_baseline/a0/ within 30 s (are the bench settings in use?)")


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


def probe(port, name, target):
    method, path, body, headers, status, text = target
    got, content = request(port, method, path, body, headers)
    if got != status or text not in content:
        raise SystemExit(f"bench: {name} {method} {path} answered {got} (wanted {status} with {text!r}): "
                         f"{content[:300]!r}")


# --- wrk ------------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def lua_script(name, target):
    method, _path, body, headers, _status, _text = target
    if method == "GET":
        return None
    lines = [f'wrk.method = "{method}"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    path = SCRATCH_DIR / f"make-bench-{name}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_wrk(port, name, target, seconds):
    method, path, _body, headers, status, _text = target
    cmd = [WRK, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script := lua_script(name, target):
        cmd += ["-s", str(script)]
    elif headers:
        for k, v in headers.items():
            cmd += ["-H", f"{k}: {v}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    result = parse_wrk(out)
    result["expected_status"] = status
    wrong = result["requests"] - result["non_2xx_3xx"] if status >= 400 else result["non_2xx_3xx"]
    result["wrong_status"] = wrong
    return result


def parse_wrk(out):
    def number(pattern, cast=float, default=None):
        m = re.search(pattern, out, re.M)
        return cast(m.group(1)) if m else default

    latency = {f"p{p}_ms": round(float(v) * UNIT_MS[u], 3)
               for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"), "requests": number(r"(\d+) requests in", int, 0),
        "non_2xx_3xx": number(r"Non-2xx or 3xx responses:\s+(\d+)", int, 0),
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors else {}, **latency,
    }


# --- the bursts: one asyncio client for giftshop and A3 -----------------------------------------------

async def _one(port, t0, method, path, body, headers):
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=60)
        writer.close()
    except (OSError, TimeoutError) as exc:
        return {"status": 0, "error": repr(exc)[:200], "latency": time.perf_counter() - start, "t": None}
    end = time.perf_counter()
    status_line, _, rest = data.partition(b"\r\n")
    status = int(status_line.split()[1]) if status_line.startswith(b"HTTP/") else 0
    payload = rest.split(b"\r\n\r\n", 1)[-1]
    code = None
    if status != 201 and payload[:1] == b"{":
        try:
            code = json.loads(payload).get("code")
        except ValueError:
            pass
    return {"status": status, "code": code, "latency": end - start, "t": end - t0}


async def _fire(port, jobs):
    t0 = time.perf_counter()
    return await asyncio.gather(*(_one(port, t0, *job) for job in jobs))


def burst(port, jobs):
    results = asyncio.run(_fire(port, jobs))
    wins = sorted(r["t"] for r in results if r["status"] == 201)
    ok = sorted(r["latency"] * 1000 for r in results if r["status"] > 0)
    sell_out = wins[-1] if wins else None
    statuses = {}
    for r in results:
        key = f"{r['status']} {r.get('code') or ''}".strip()
        statuses[key] = statuses.get(key, 0) + 1
    return results, {
        "claims_per_s": round(len(wins) / sell_out, 1) if sell_out else 0.0, "sell_out_s": round(sell_out or 0, 3),
        "winners_201": len(wins), "statuses": statuses,
        "p50_ms": round(statistics.median(ok), 2) if ok else None,
        "p99_ms": round(ok[min(len(ok) - 1, int(len(ok) * 0.99))], 2) if ok else None,
        "errors": [r["error"] for r in results if r.get("error")][:3],
    }


def burst_jobs(claimants, path_of, body_of):
    order = list(claimants)
    random.Random(12).shuffle(order)  # noqa: S311  the same order for giftshop and for A3, not a secret
    return [(uid, ("POST", path_of(uid), body_of(uid, address_id), {
        "Authorization": f"Token {key}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}))
        for uid, key, address_id in order]


def shop_burst(port, p, run):
    from django.db import connection

    from gifts.models import Claim, Gift
    from stores.models import Variant

    gift_id, token = p["burst_gifts"][run]
    connection.close()
    stock = Variant.objects.get(id=p["variant_id"]).stock
    jobs = burst_jobs(p["claimants"], lambda _uid: f"/api/v1/claims/{token}/",
                      lambda _uid, address_id: json.dumps({"address_id": address_id}).encode())
    results, summary = burst(port, [job for _uid, job in jobs])
    connection.close()  # a fresh connection: everything the server committed
    gift = Gift.objects.get(id=gift_id)
    claimants = set(Claim.objects.filter(gift_id=gift_id).values_list("recipient_id", flat=True))
    winners = {uid for (uid, _job), r in zip(jobs, results, strict=True) if r["status"] == 201}
    losers_ok = all(r["status"] == 409 and r["code"] == "gift_fully_claimed"
                    for r in results if r["status"] != 201)
    db = {"claims": Claim.objects.filter(gift_id=gift_id).count(), "claimed_units": gift.claimed_units,
          "status": gift.status, "stock_unchanged": Variant.objects.get(id=p["variant_id"]).stock == stock}
    summary["db"] = db
    summary["correct"] = (db["claims"] == gift.claimed_units == BURST_UNITS == len(winners) and gift.status == "claimed"
                          and winners == claimants and losers_ok and db["stock_unchanged"])
    return summary


def a3_burst(port, p, run):
    from django.db import connection

    row = p["hot_rows"][run]
    jobs = burst_jobs(p["claimants"], lambda _uid: f"/_baseline/a3/{row}/",
                      lambda uid, _address_id: json.dumps({"user": uid}).encode())
    results, summary = burst(port, [job for _uid, job in jobs])
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT remaining FROM bench_hot_row WHERE id = %s", [row])
        remaining = cursor.fetchone()[0]
        cursor.execute("SELECT user_id FROM bench_hot_claim WHERE row_id = %s", [row])
        inserted = [r[0] for r in cursor.fetchall()]
    winners = {uid for (uid, _job), r in zip(jobs, results, strict=True) if r["status"] == 201}
    losers_ok = all(r["status"] == 409 and r["code"] == "sold_out" for r in results if r["status"] != 201)
    summary["db"] = {"remaining": remaining, "inserts": len(inserted)}
    summary["correct"] = (remaining == 0 and len(inserted) == len(set(inserted)) == BURST_UNITS == len(winners)
                          and set(inserted) == winners and losers_ok)
    return summary


# --- the report -----------------------------------------------------------------------------------

def versions(server):
    import django
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()
    redis_version = redis.Redis.from_url(os.environ["REDIS_URL"]).info().get("redis_version")
    wrk = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    return {"python": platform.python_version(), "django": django.get_version(), "postgresql": postgres,
            "redis": redis_version, "gunicorn": server["gunicorn"], "wrk": wrk}


def med(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summarise(runs):
    """runs: {target: [one result per round]} -> medians, and each scenario's per-round ratio."""
    table = {}
    for name, results in runs.items():
        key = "claims_per_s" if name in ("burst", "a3_burst") else "rps"
        table[name] = {"rps": med([r[key] for r in results]), "p50_ms": med([r.get("p50_ms") for r in results]),
                       "p99_ms": med([r.get("p99_ms") for r in results]), "runs": [r[key] for r in results]}
    for name, (base, target, today) in TARGETS.items():
        ratios = [a[("claims_per_s" if name == "burst" else "rps")] / b[("claims_per_s" if name == "burst" else "rps")]
                  for a, b in zip(runs[name], runs[base], strict=True)
                  if b[("claims_per_s" if name == "burst" else "rps")]]
        ratio = med(ratios)
        table[name].update({"baseline": base, "ratio": round(ratio, 3) if ratio is not None else None,
                            "ratios": [round(r, 3) for r in ratios], "target": target, "today": today,
                            "met": ratio is not None and ratio >= target})
    return table


def fmt(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def markdown(data):
    t, m, v, s = data["table"], data["machine"], data["versions"], data["server"]
    if data["quick"]:
        mode = f"**quick** (smoke test: {data['runs']} run of {data['seconds']} s per target; not a measurement)"
    else:
        mode = f"**full** (median of {data['runs']} interleaved runs of {data['seconds']} s per target)"
    busy = "" if data["quiet"]["quiet"] else " (the machine was busy at the start: other work weighed on every target)"
    lines = [
        "# make bench: giftshop beside the stack's floor",
        "",
        f"{data['date']}, commit `{data['commit']}`, {mode}. Written by `bench/make_bench.py` "
        "(bench/README.md, \"make bench\").",
        "",
        f"- Machine: nproc {m['nproc']}, {m['cpu_model']}, {m['mem_gb']} GB RAM. Load average (1, 5, 15 min) "
        f"before: {data['loadavg_before']}; 1-min load {data['quiet']['load_1min']} when the measuring began "
        f"(after waiting {data['quiet']['waited_s']} s for it to drop under 1){busy}; after: {data['loadavg_after']}.",
        f"- Versions: Python {v['python']}, Django {v['django']}, PostgreSQL {v['postgresql']}, Redis {v['redis']}, "
        f"gunicorn {v['gunicorn']}, {v['wrk']}.",
        f"- Server: `gunicorn -w {s['workers']} -k {s['worker_class']} --threads {s['threads']}` on 127.0.0.1, "
        f"settings `{SETTINGS}` (DEBUG off, CONN_MAX_AGE {data['conn']['CONN_MAX_AGE']}, "
        f"CONN_HEALTH_CHECKS {data['conn']['CONN_HEALTH_CHECKS']}), PostgreSQL `{data['database']}`, Redis db 14.",
        f"- Load: `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{data['seconds']}s --latency`, round-robin: "
        f"{', '.join(ROUND)}, A3 burst, giftshop burst; then again. Bursts: {BURST_USERS} users at once "
        f"(one asyncio client, a connection each), a {BURST_UNITS}-unit gift / hot row.",
        f"- Data: small size ({data['data']['size']}); the /me/ user has {data['me_rows']['received']} received "
        f"and {data['me_rows']['sent']} sent gifts. Large size (1M gifts): not built yet.",
        "",
        "## Scenarios against their baseline",
        "",
        "Ratio = the median of the per-round ratios (the scenario's req/s over its baseline's, same round).",
        "",
        "| scenario | req/s | p50 ms | p99 ms | baseline | ratio | target | met | outside run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in TARGETS:
        row = t[name]
        unit = " claims/s" if name == "burst" else ""
        lines.append(
            f"| {NAMES[name]} | {fmt(row['rps'])}{unit} | {fmt(row['p50_ms'], 1)} | {fmt(row['p99_ms'], 1)} | "
            f"{BASE_LABELS[row['baseline']]} {fmt(t[row['baseline']]['rps'])} | "
            f"{fmt(row['ratio'], 3)} | ≥ {row['target']} | {'yes' if row['met'] else 'no'} | {row['today']} |")
    lines += [
        "",
        "## The baseline (same server, same run)",
        "",
        "| target | req/s | p50 ms | p99 ms | each run |",
        "|---|---|---|---|---|",
    ]
    for name in ("a0", "a1", "a3x", "a3_burst"):
        row = t[name]
        unit = " claims/s" if name == "a3_burst" else ""
        lines.append(f"| {NAMES[name]} | {fmt(row['rps'])}{unit} | {fmt(row['p50_ms'], 1)} | {fmt(row['p99_ms'], 1)} | "
                     f"{', '.join(fmt(x) for x in row['runs'])} |")
    lines += ["", "Each scenario's runs (req/s): " + "; ".join(
        f"{name} {', '.join(fmt(x) for x in t[name]['runs'])}" for name in TARGETS), "",
        "## Bursts, checked in the database", "",
        "| run | client | claims/s to sell-out | sold out after s | 201 | answers | database | correct |",
        "|---|---|---|---|---|---|---|---|"]
    for r, (shop, a3) in enumerate(zip(data["runs_raw"]["burst"], data["runs_raw"]["a3_burst"], strict=True), 1):
        for label, b in (("A3", a3), ("giftshop", shop)):
            answers = ", ".join(f"{k}: {n}" for k, n in sorted(b["statuses"].items()))
            dbs = ", ".join(f"{k} {val}" for k, val in b["db"].items())
            lines.append(f"| {r} | {label} | {fmt(b['claims_per_s'])} | {b['sell_out_s']} | {b['winners_201']} | "
                         f"{answers} | {dbs} | {'yes' if b['correct'] else '**NO**'} |")
    checks = data["checks"]
    lines += ["", f"Checks: {'all passed' if not checks else '**FAILED**: ' + '; '.join(checks)}. "
              f"Server log: {data['server_log']['tracebacks']} tracebacks.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 run of 3 s per target (a smoke test)")
    parser.add_argument("--size", choices=["small", "large"], default="small")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the bench database again")
    parser.add_argument("--runs", type=int, default=None, help="interleaved rounds (default 3; quick 1)")
    parser.add_argument("--seconds", type=int, default=None, help="seconds per wrk run (default 15; quick 3)")
    parser.add_argument("--wait-quiet", type=float, default=None,
                        help="wait at most this long for the 1-minute load to drop under 1 (default 60; quick 0)")
    args = parser.parse_args()
    if args.size == "large":
        raise SystemExit(
            "bench: --size large (1M gifts) is not built yet. bench/seed_scale.py builds every row in memory "
            "before it inserts, so its --scale 100 (1M gifts, 10M+ model instances) would not fit beside the "
            "rest of this machine's work, and at its measured rate the bulk history alone would take ~20 min "
            "and the 50,000 service-made gifts ~2.3 h (168 ms each; --service-gifts caps them). Issue 12's "
            "seeding command (streamed COPY, a progress bar) is the way there.")
    args.runs = args.runs or (1 if args.quick else 3)
    args.seconds = args.seconds or (3 if args.quick else 15)
    wait = args.wait_quiet if args.wait_quiet is not None else (0 if args.quick else 60)
    if not Path(WRK).exists():
        raise SystemExit("bench: wrk not found (apt-get install wrk)")

    started = time.perf_counter()
    loadavg_before = [round(x, 2) for x in os.getloadavg()]
    url = SMALL_URL
    ensure_database(url)
    seed_seconds = seed(url, 0) if args.reseed or not seeded(url) else None
    env = setup_django(url)
    t0 = time.perf_counter()
    p = prepare(args)
    print(f"fixtures ready ({time.perf_counter() - t0:.1f} s); /me/ user: {p['me_rows']}", flush=True)
    quiet = wait_for_quiet(max_seconds=wait)
    all_targets = targets(p)
    port = free_port()
    proc, log, server = start_server(env, port)
    runs = {name: [] for name in [*ROUND, "a3_burst", "burst"]}
    checks = []
    try:
        for name, target in all_targets.items():
            probe(port, name, target)
        for name, target in all_targets.items():  # warm-up: every worker has loaded every view
            run_wrk(port, name, target, 1)
        for r in range(args.runs):
            for name in ROUND:
                result = run_wrk(port, name, all_targets[name], args.seconds)
                runs[name].append(result)
                print(f"round {r + 1} {name:8} {result['rps']:>9,.1f} req/s  p50 {result.get('p50_ms')} ms  "
                      f"p99 {result.get('p99_ms')} ms", flush=True)
                if result["wrong_status"] or any(result["socket_errors"].values()):
                    checks.append(f"{name} round {r + 1}: {result['wrong_status']} answers not "
                                  f"{result['expected_status']}, socket errors {result['socket_errors']}")
            for name, fire in (("a3_burst", a3_burst), ("burst", shop_burst)):
                result = fire(port, p, r)
                runs[name].append(result)
                print(f"round {r + 1} {name:8} {result['claims_per_s']:>9,.1f} claims/s  sold out after "
                      f"{result['sell_out_s']} s  {result['statuses']}  correct={result['correct']}", flush=True)
                if not result["correct"]:
                    checks.append(f"{name} round {r + 1}: {result['statuses']} {result['db']}")
    finally:
        stop_server(proc, log)
    server_log = Path(log.name).read_text(errors="replace")
    tracebacks = server_log.count("Traceback")
    if tracebacks:
        checks.append(f"{tracebacks} tracebacks in {log.name}")
    m = machine()
    data = {
        "script": "make_bench", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": git_commit(),
        "quick": args.quick, "runs": args.runs, "seconds": args.seconds,
        "machine": {"nproc": os.cpu_count(), "cpu_model": m["cpu_model"], "mem_gb": m["mem_gb"]},
        "versions": versions(server), "server": server, "conn": p["conn"], "database": database_name(url),
        "data": {"size": f"seed_scale --scale {SMALL_SCALE}: 1,000 gifts", "seed_seconds": seed_seconds},
        "me_rows": p["me_rows"], "quiet": quiet, "loadavg_before": loadavg_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "table": summarise(runs), "runs_raw": runs, "checks": checks,
        "server_log": {"path": log.name, "tracebacks": tracebacks},
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = "make_bench_quick" if args.quick else "make_bench"
    (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    md_path = RESULTS_DIR / f"{stem}.md" if args.quick else BENCH_DIR / "RESULTS.md"
    md_path.write_text(markdown(data))
    print(markdown(data))
    print(f"done in {data['total_seconds']} s: {md_path}, {RESULTS_DIR / (stem + '.json')}")
    if checks:
        sys.exit(1)


if __name__ == "__main__":
    main()
