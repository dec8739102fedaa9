"""Claim load over HTTP against a real gunicorn, and a read load on the card page.

    .venv/bin/python bench/claim_load.py                     # 2 gifts × 100 units, 1,000 users
    .venv/bin/python bench/claim_load.py --gifts 1 --label one_gift

1. In this process (the bench database, default giftshop_bench; it is created and migrated if
   missing): a store, a product (stock 10,000), a sender, `--users` users with API tokens and a
   default address (bulk_create), and `--gifts` open group gifts of `--units` units each, made and
   paid through the real services (gift_create → sandbox checkout → signed webhook → outbox relay).
   A group gift holds at most 100 units (API.md, CHECK gift_quantity_range): the brief's "one gift of
   200 units" cannot exist, so the default is two gifts of 100 (200 winners in all), each user
   claiming one of them; --gifts 1 is the single hot row.
2. gunicorn giftshop.wsgi, `--workers` × `--threads` (gthread), on 127.0.0.1 and a free port, with
   settings local, DJANGO_DEBUG=false, DATABASE_URL = the bench database, REDIS_URL =
   redis://127.0.0.1:6379/14 (cache and rate limits), started in its own process group and stopped
   (SIGTERM, then SIGKILL after 15 s) at the end.
3. Read load: `--reads` anonymous GET /g/<token>/ of an open card, `--read-concurrency` at a time.
4. Claim load: every user POSTs /api/v1/claims/<token>/ once ({"address_id": …}, Authorization:
   Token …, an Idempotency-Key as the API's clients send), `--concurrency` at a time.
   Correct means: exactly units × gifts answers 201, every other one 409 gift_fully_claimed, no
   5xx, no transport error; and in the database each gift is `claimed` with claimed_units = units,
   exactly `units` claims and shipments, the 201s are exactly the claimants, stock untouched.

Client and server share this machine's CPUs: the numbers are a floor for what the server does
alone. CPU use of the server (gunicorn processes) and of the machine is recorded per phase.
Results: bench/results/claim_load[_<label>].json.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_PASSWORD,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    REPO_DIR,
    SCRATCH_DIR,
    bench_env,
    database_name,
    ensure_database,
    run_header,
    setup_django,
    summary_ms,
    wait_for_quiet,
    write_result,
)

TICKS = os.sysconf("SC_CLK_TCK")


# --- fixtures (in-process, through the services where rules are involved) ---------------------

def make_fixtures(args):
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from gifts.models import Gift
    from gifts.services.sending import gift_create
    from gifts.tokens import gift_token
    from giftshop.outbox import outbox_relay
    from logistics.models import Address
    from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
    from stores.models import Product, Store, StoreMember, Variant

    run = f"{int(time.time())}-{random.randint(100, 999)}"  # noqa: S311  a label for this run's rows, not a secret
    password = make_password(BENCH_PASSWORD)
    store = Store.objects.create(slug=f"load-{run}", name=f"Load test {run}", ship_within_hours=48)
    merchant = User.objects.create(username=f"load-{run}-merchant", password=password, display_name="Load Merchant")
    StoreMember.objects.create(store=store, user=merchant, role="owner")
    product = Product.objects.create(store=store, title="Group lantern", slug="group-lantern", giftable=True)
    variant = Variant.objects.create(product=product, name="Red", sku="GL-RED", price_minor=1990, stock=10_000)
    sender = User.objects.create(username=f"load-{run}-sender", password=password, display_name="Load Sender")
    users = User.objects.bulk_create([
        User(username=f"load-{run}-{i:04d}", password=password, display_name=f"Guest {i}") for i in range(args.users)
    ])
    Address.objects.bulk_create([
        Address(user=u, recipient_name=u.display_name, phone=f"139{i:08d}", country="CN", region="Shanghai",
                city="Shanghai", district="Xuhui", street=f"{i + 1} Claim Street", postal_code="200030",
                is_default=True)
        for i, u in enumerate(users)
    ])
    tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=u) for u in users])
    addresses = dict(Address.objects.filter(user__in=users).values_list("user_id", "id"))

    gifts = [gift_create(sender=sender, variant_id=variant.id, mode="group", quantity=args.units,
                         message="First come, first served!", claim_hours=24) for _ in range(args.gifts)]
    # The card read load reads an open card nobody claims.
    gifts.append(gift_create(sender=sender, variant_id=variant.id, mode="group", quantity=args.units,
                             message="Read me", claim_hours=24))
    for gift in gifts:
        sandbox_charge_complete(ref=gift.order.payments.get().provider_ref, outcome="succeeded")
    for _ in range(10):
        if not sandbox_deliver_webhooks(limit=100)["sent"]:
            break
    for _ in range(20):
        if not outbox_relay(limit=100)["claimed"]:
            break
    gifts = [Gift.objects.get(id=g.id) for g in gifts]
    assert all(g.status == "open" for g in gifts), [g.status for g in gifts]  # noqa: S101  the benchmark's own sanity check
    variant.refresh_from_db()
    return {
        "run": run, "variant_id": variant.id, "stock_after_gifts": variant.stock,
        "gift_ids": [g.id for g in gifts[:-1]],
        "gift_tokens": [gift_token(gift_id=g.id, version=g.token_version) for g in gifts[:-1]],
        "read_token": gift_token(gift_id=gifts[-1].id, version=gifts[-1].token_version),
        "claimants": [(u.id, t.key, addresses[u.id]) for u, t in zip(users, tokens, strict=True)],
    }


# --- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port):
    env = {**os.environ, **bench_env(args.database_url, args.redis_url), "PORT": str(port),
           "SITE_URL": f"http://127.0.0.1:{port}"}
    log = open(SCRATCH_DIR / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed in stop_server
    cmd = [str(REPO_DIR / ".venv/bin/gunicorn"), "giftshop.wsgi", "--bind", f"127.0.0.1:{port}",
           "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
           "--timeout", "60", "--graceful-timeout", "10", "--error-logfile", "-"]
    proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited ({proc.returncode}); see {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/")
            conn.getresponse().read()
            conn.close()
            return proc, log
        except OSError:
            time.sleep(0.2)
    stop_server(proc, log)
    raise SystemExit("bench: gunicorn did not answer within 30 s")


def stop_server(proc, log):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    log.close()


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    kids.append(int(entry))
            except OSError:
                continue
    return kids


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            continue
    return total / TICKS


def machine_busy():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class Usage:
    """CPU used by the server's processes, by this client and by the whole machine, over a phase."""

    def __init__(self, server_pid):
        self.pids = [server_pid, *_children(server_pid)]

    def __enter__(self):
        self.server0, self.client0 = cpu_seconds(self.pids), time.process_time()
        self.busy0, self.total0 = machine_busy()
        self.wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.wall0
        busy, total = machine_busy()
        self.result = {
            "wall_s": round(wall, 2),
            "server_cpu_s": round(cpu_seconds(self.pids) - self.server0, 2),
            "client_cpu_s": round(time.process_time() - self.client0, 2),
            "machine_cpu_busy_pct": round(100 * (busy - self.busy0) / max(1, total - self.total0), 1),
        }


# --- the load ---------------------------------------------------------------------------------

class Fire:
    """A thread pool of HTTP clients, one keep-alive connection per thread."""

    def __init__(self, port, concurrency, deadline_s):
        self.port, self.concurrency = port, concurrency
        self.deadline = time.monotonic() + deadline_s
        self.local = threading.local()
        self.retries = 0

    def _conn(self):
        if getattr(self.local, "conn", None) is None:
            self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.local.conn

    def one(self, method, path, body=None, headers=None):
        if time.monotonic() > self.deadline:
            return {"status": -1, "error": "deadline", "latency": 0.0, "t": time.perf_counter()}
        start = time.perf_counter()
        for attempt in range(2):
            conn = self._conn()
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                end = time.perf_counter()
                out = {"status": response.status, "latency": end - start, "t": end}
                if response.status >= 300 and data[:1] == b"{":
                    try:
                        out["code"] = json.loads(data).get("code")
                    except ValueError:
                        pass
                elif response.status == 201:
                    out["claim"] = json.loads(data).get("claim", {}).get("id")
                return out
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.local.conn = None
                # A keep-alive connection the server had closed: retry once on a fresh one. Safe for
                # the claims too: they carry an Idempotency-Key, so a repeat replays the first answer.
                if attempt:
                    return {"status": 0, "error": repr(exc)[:200], "latency": time.perf_counter() - start,
                            "t": time.perf_counter()}
                self.retries += 1
        return {"status": 0, "error": "unreachable", "latency": 0.0, "t": time.perf_counter()}

    def run(self, jobs):
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = list(pool.map(lambda job: self.one(*job), jobs))
        for r in results:
            r["t"] -= start
        return results, time.perf_counter() - start


def summarise(results, elapsed, retries=0):
    by_status, codes = {}, {}
    for r in results:
        by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + 1
        if r.get("code"):
            codes[r["code"]] = codes.get(r["code"], 0) + 1
    ok = [r["latency"] for r in results if r["status"] > 0]
    return {"requests": len(results), "seconds": round(elapsed, 2),
            "throughput_rps": round(len(results) / elapsed, 1) if elapsed else None,
            "statuses": by_status, "error_codes": codes, "latency": summary_ms(ok), "retried": retries,
            "errors": [r["error"] for r in results if r.get("error")][:5]}


def verify(f, claim_results, args):
    """What the database says after the claims."""
    from django.db import connection

    from gifts.models import Claim, Gift
    from logistics.models import Shipment
    from stores.models import Variant

    connection.close()  # a fresh connection: see everything the server committed
    checks, problems = {}, []
    winners_http = {uid for (uid, _k, _a, _g), r in claim_results if r["status"] == 201}
    winners_db = set()
    for gift_id in f["gift_ids"]:
        gift = Gift.objects.get(id=gift_id)
        claims = list(Claim.objects.filter(gift_id=gift_id))
        shipments = Shipment.objects.filter(id__in=[c.shipment_id for c in claims])
        winners_db |= {c.recipient_id for c in claims}
        checks[str(gift_id)] = {"status": gift.status, "claimed_units": gift.claimed_units, "quantity": gift.quantity,
                                "claims": len(claims), "shipments": shipments.count(),
                                "shipments_pending": shipments.filter(status="pending").count(),
                                "distinct_recipients": len({c.recipient_id for c in claims})}
        c = checks[str(gift_id)]
        if not (gift.status == "claimed" and gift.claimed_units == gift.quantity == args.units == c["claims"]
                == c["shipments"] == c["distinct_recipients"]):
            problems.append(f"gift {gift_id}: {c}")
    stock = Variant.objects.get(id=f["variant_id"]).stock
    if stock != f["stock_after_gifts"]:
        problems.append(f"stock moved during the claims: {f['stock_after_gifts']} → {stock}")
    if winners_http != winners_db:
        problems.append(f"201 answers and claims differ: {len(winners_http ^ winners_db)} users")
    statuses = {}
    for _, r in claim_results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    expected_201 = args.units * args.gifts
    if statuses.get(201, 0) != expected_201:
        problems.append(f"{statuses.get(201, 0)} × 201, expected {expected_201}")
    losers = [r for _, r in claim_results if r["status"] != 201]
    odd = sorted({(r["status"], str(r.get("code"))) for r in losers
                  if r["status"] != 409 or r.get("code") != "gift_fully_claimed"})
    if odd:
        problems.append(f"answers other than 201 and 409 gift_fully_claimed: {odd}")
    return {"gifts": checks, "stock_unchanged": stock == f["stock_after_gifts"],
            "http_winners_equal_db_claimants": winners_http == winners_db, "problems": problems,
            "correct": not problems}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--gifts", type=int, default=2)
    parser.add_argument("--units", type=int, default=100, help="units per group gift (1..100)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--read-concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--deadline", type=float, default=180, help="seconds allowed for each load phase")
    parser.add_argument("--wait-quiet", type=float, default=120,
                        help="wait at most this many seconds for the machine's load to drop under 1")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    if not 1 <= args.units <= 100 or args.users > 10_000 or args.reads > 20_000 or args.concurrency > 200:
        raise SystemExit("bench: units 1..100, users ≤ 10,000, reads ≤ 20,000, concurrency ≤ 200")

    ensure_database(args.database_url)
    env = setup_django(args.database_url, args.redis_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    f = make_fixtures(args)
    fixtures_s = time.perf_counter() - t0
    print(f"fixtures: {args.users} users, {args.gifts} gift(s) × {args.units} units, paid and open "
          f"({fixtures_s:.1f} s)", flush=True)
    from django.db import connection

    connection.close()

    quiet = wait_for_quiet(max_seconds=args.wait_quiet)
    port = free_port()
    proc, log = start_server(args, port)
    result = {**run_header(env), "script": "claim_load", "label": args.label, "machine_quiet": quiet,
              "server": {"workers": args.workers, "threads": args.threads, "worker_class": "gthread",
                         "port": port},
              "params": {k: getattr(args, k) for k in ("users", "gifts", "units", "concurrency", "reads",
                                                        "read_concurrency")},
              "fixtures_seconds": round(fixtures_s, 1)}
    try:
        fire = Fire(port, args.read_concurrency, args.deadline)
        fire.run([("GET", f"/g/{f['read_token']}/")] * 40)  # warm-up: both workers load the URLconf
        usage = Usage(proc.pid)
        with usage:
            reads, elapsed = fire.run([("GET", f"/g/{f['read_token']}/")] * args.reads)
        result["card_reads"] = {**summarise(reads, elapsed, fire.retries), "usage": usage.result}
        print(f"card page GET: {json.dumps(result['card_reads'])}", flush=True)

        claimants = [(uid, key, addr, f["gift_tokens"][i % args.gifts])
                     for i, (uid, key, addr) in enumerate(f["claimants"])]
        random.shuffle(claimants)
        jobs = [("POST", f"/api/v1/claims/{gtoken}/", json.dumps({"address_id": addr}),
                 {"Authorization": f"Token {key}", "Content-Type": "application/json",
                  "Idempotency-Key": str(uuid.uuid4())})
                for _uid, key, addr, gtoken in claimants]
        fire = Fire(port, args.concurrency, args.deadline)
        usage = Usage(proc.pid)
        with usage:
            claims, elapsed = fire.run(jobs)
        result["claims"] = {**summarise(claims, elapsed, fire.retries), "usage": usage.result}
        wins = sorted(r["t"] for r in claims if r["status"] == 201)
        result["claims"]["last_201_at_s"] = round(wins[-1], 2) if wins else None
        result["claims"]["latency_201"] = summary_ms([r["latency"] for r in claims if r["status"] == 201])
        result["claims"]["latency_409"] = summary_ms([r["latency"] for r in claims if r["status"] == 409])
        print(f"claims: {json.dumps({k: v for k, v in result['claims'].items()})}", flush=True)
    finally:
        stop_server(proc, log)
    server_log = Path(log.name).read_text(errors="replace")
    result["server_log"] = {"path": log.name, "tracebacks": server_log.count("Traceback"),
                            "error_lines": sum(1 for line in server_log.splitlines() if " ERROR " in line)}
    result["verify"] = verify(f, list(zip(claimants, claims, strict=True)), args)
    print(f"verify: {json.dumps(result['verify'])}", flush=True)
    path = write_result("claim_load" + (f"_{args.label}" if args.label else ""), result)
    print(f"results in {path}; database {database_name(args.database_url)}; server log {log.name}")
    if not result["verify"]["correct"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
