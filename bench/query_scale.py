"""The hot reads, timed in-process on a small and a large bench database: query counts must stay
flat as the data grows, latency roughly flat. EXPLAIN ANALYZE on every query they run (and on the
periodic jobs' queries) finds sequential scans of big tables: missing indexes.

    .venv/bin/python bench/query_scale.py     # small = giftshop_bench_small, large = giftshop_bench

Seed both first (bench/seed_scale.py; the small one with --scale 0.02). Each database is measured
in its own process (Django reads DATABASE_URL once), through django.test.Client (the whole
middleware stack, no network), logged in with force_login where the page needs a user, with the
services-mode cache (REDIS_URL=redis://127.0.0.1:6379/14). Per page: 3 warm-up requests, then
N=50 timed requests (p50/p95), then one request with its queries captured. Only GETs: nothing is
changed, except sessions for the logged-in clients and the periodic jobs, which run once each
inside a transaction that is rolled back.

Results: bench/results/query_scale.json.
"""

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    REPO_DIR,
    database_name,
    run_header,
    setup_django,
    summary_ms,
    wait_for_quiet,
    write_result,
)

SMALL_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_small"
# --million (bench/LARGE.md): the 1M-gift database seed_large.py builds, beside a copy of make bench's
# 1k one (a copy: this script migrates and logs in, and giftshop_bench_1k belongs to make bench).
MILLION_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_1m"
MILLION_SMALL_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_1k_copy"
PLANS_DIR = Path(__file__).resolve().parent / "plans"
BIG_TABLE_ROWS = 2000  # a sequential scan of a table larger than this is reported


def fixtures():
    from accounts.models import User
    from gifts.models import Gift
    from gifts.tokens import gift_token
    from stores.models import Product

    users = {u.username: u for u in User.objects.filter(
        username__in=["bench-sender", "bench-recipient", "bench-merchant-000", "bench-u00000"])}
    claimed = (Gift.objects.filter(sender=users["bench-sender"], claims__recipient=users["bench-recipient"])
               .exclude(card_image="").order_by("id").first())
    opened = (Gift.objects.filter(sender=users["bench-sender"], status="open").exclude(card_image="")
              .order_by("id").first())
    product = Product.objects.filter(store__slug="bench-000", is_active=True, giftable=True).order_by("id").first()
    if not (claimed and opened and product):
        raise SystemExit("bench: the database is not seeded (run bench/seed_scale.py)")
    return {
        "users": users, "claimed": claimed, "open": opened, "product": product,
        "claimed_token": gift_token(gift_id=claimed.id, version=claimed.token_version),
        "open_token": gift_token(gift_id=opened.id, version=opened.token_version),
    }


def pages(f):
    """(name, who, url): who is None for an anonymous visitor, else a username."""
    from django.urls import NoReverseMatch, Resolver404, resolve

    slug, product = "bench-000", f["product"]
    items = [
        ("home", None, "/"),
        ("home, search", None, "/?q=no.+42"),
        ("store page", None, f"/s/{slug}/"),
        ("product page", None, f"/s/{slug}/p/{product.id}/"),
        ("card page /g/ (open, anonymous)", None, f"/g/{f['open_token']}/"),
        ("card page /g/ (claimed, its recipient)", "bench-recipient", f"/g/{f['claimed_token']}/"),
        ("claims API GET (open, anonymous)", None, f"/api/v1/claims/{f['open_token']}/"),
        ("claims API GET (claimed, its recipient)", "bench-recipient", f"/api/v1/claims/{f['claimed_token']}/"),
        ("sender: my gifts /gifts/", "bench-sender", "/gifts/"),
        ("sender: API GET /api/v1/gifts/", "bench-sender", "/api/v1/gifts/"),
        ("sender: my gift /gifts/<id>/", "bench-sender", f"/gifts/{f['claimed'].id}/"),
        ("merchant: shipping queue (pending)", "bench-merchant-000", f"/merchant/s/{slug}/shipments/"),
        ("merchant: shipping queue (all)", "bench-merchant-000", f"/merchant/s/{slug}/shipments/?status=all"),
        ("merchant: shipments API", "bench-merchant-000", f"/api/v1/merchant/stores/{slug}/shipments/"),
        ("Orders & Cards /me/", "bench-recipient", "/me/"),
        ("my orders /orders/", "bench-sender", "/orders/"),
    ]
    # Orders & Cards, if it has landed (DESIGN: /me/ and GET /api/v1/me/wallet/).
    for name, who, url in (("Orders & Cards API /api/v1/me/wallet/", "bench-recipient", "/api/v1/me/wallet/"),):
        try:
            match = resolve(url)
            if match.url_name not in (None, "") and "not_found" not in (match.func.__name__ or ""):
                items.append((name, who, url))
        except (Resolver404, NoReverseMatch):
            pass
    return items


def measure_page(client, url, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = set()
    for _ in range(3):
        statuses.add(client.get(url).status_code)
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        cpu.append(time.thread_time() - start_cpu)
        times.append(time.perf_counter() - start)
        statuses.add(response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    statuses.add(response.status_code)
    return times, cpu, sorted(statuses), list(ctx.captured_queries), len(response.content)


def table_rows():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                       "AND relnamespace = 'public'::regnamespace")
        return dict(cursor.fetchall())


def _walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def _shape(sql):
    """A query with its literals blanked, to group the same query run with other values."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def dedupe_seq_scans(items):
    grouped = {}
    for item in items:
        key = (item["table"], _shape(item["filter"]))
        if key in grouped:
            grouped[key]["times"] += 1
        else:
            grouped[key] = {**item, "filter": _shape(item["filter"]), "sql": _shape(item["sql"]), "times": 1}
    return list(grouped.values())


def explain(sql, rows):
    """EXPLAIN ANALYZE a SELECT: its execution time, and the big tables it reads sequentially."""
    from django.db import connection, transaction

    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            text = "\n".join(r[0] for r in cursor.fetchall())
    except Exception as exc:  # noqa: BLE001 - a query we cannot re-run is reported, not fatal
        return {"error": str(exc)[:200]}
    top = plan[0]
    seq = []
    for node in _walk(top["Plan"]):
        if node.get("Node Type") == "Seq Scan":
            table = node.get("Relation Name")
            if rows.get(table, 0) >= BIG_TABLE_ROWS:
                seq.append({"table": table, "table_rows": rows.get(table), "filter": node.get("Filter", ""),
                            "rows_out": node.get("Actual Rows"), "removed": node.get("Rows Removed by Filter", 0)})
    return {"execution_ms": round(top.get("Execution Time", 0.0), 3), "seq_scans": seq, "plan": text}


def _plan_file(plans_dir, kind, name, header, explained):
    """One page's (or job's) queries with their EXPLAIN ANALYZE, as text (bench/plans/)."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{kind} {name}".lower()).strip("-")[:80]
    lines = [header, ""]
    for k, e in enumerate(explained, 1):
        seq = ", ".join(sorted({s["table"] for s in e.get("seq_scans", [])}))
        lines += [f"-- query {k}: {e.get('execution_ms', '?')} ms{'  SEQ SCAN of big table(s): ' + seq if seq else ''}",
                  e["sql"][:3000], "", e.get("plan") or e.get("error", ""), ""]
    (Path(plans_dir) / f"{slug}.txt").write_text("\n".join(lines) + "\n")


def measure_database(url, n, plans_dir=None):
    env = setup_django(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    # The code moves on: bring the seeded database to the current migrations first.
    call_command("migrate", verbosity=0, interactive=False)

    f = fixtures()
    rows = table_rows()
    clients = {None: Client()}
    for username, user in f["users"].items():
        clients[username] = Client()
        clients[username].force_login(user)
    out = {"database": database_name(url), "settings_debug": settings.DEBUG, "table_rows": {
        t: rows.get(t) for t in ("stores_product", "stores_variant", "accounts_user", "gifts_gift", "gifts_claim",
                                 "logistics_shipment", "orders_order", "logistics_trackingevent")}, "pages": {}}
    print(f"[{out['database']}] products={rows.get('stores_product')} gifts={rows.get('gifts_gift')} "
          f"shipments={rows.get('logistics_shipment')}", flush=True)
    captured = {}
    out["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    for name, who, url_path in pages(f):
        times, cpu, statuses, queries, size = measure_page(clients[who], url_path, n)
        explained = []
        for q in queries:
            e = explain(q["sql"], rows)
            if e is not None:
                explained.append({"sql": q["sql"], **e})
        slowest = max((e for e in explained if "execution_ms" in e), key=lambda e: e["execution_ms"], default=None)
        entry = {"url": url_path.replace(f["open_token"], "<open-token>").replace(f["claimed_token"], "<token>"),
                 "who": who or "anonymous", "statuses": statuses, "bytes": size, "queries": len(queries),
                 **summary_ms(times),
                 # CPU time of this process per request (Python: middleware, view, template): what
                 # the request costs the web server, less sensitive than wall time to a busy machine.
                 "cpu_p50_ms": summary_ms(cpu)["p50_ms"],
                 "db_ms_sum": round(sum(e.get("execution_ms", 0) for e in explained), 2),
                 "slowest_query": ({"sql": slowest["sql"][:1500], "execution_ms": slowest["execution_ms"],
                                    "plan": slowest["plan"]} if slowest else None),
                 "seq_scans": dedupe_seq_scans(
                     [{"sql": e["sql"][:400], **s} for e in explained for s in e.get("seq_scans", [])])}
        out["pages"][name] = entry
        if plans_dir:
            _plan_file(plans_dir, "page", name, f"page: {name}\nurl: {entry['url']} ({entry['who']})\n"
                       f"database: {out['database']} ({rows.get('gifts_gift')} gifts)\nqueries: {len(queries)}, "
                       f"p50 {entry['p50_ms']} ms, SQL (EXPLAIN ANALYZE) sum {entry['db_ms_sum']} ms", explained)
        captured[("page", name)] = [q["sql"] for q in queries]
        flag = "" if statuses == [200] else f"  STATUS {statuses}"
        print(f"  {name:45s} q={len(queries):3d}  p50={entry['p50_ms']:7.2f} ms  p95={entry['p95_ms']:7.2f} ms"
              f"  cpu={entry['cpu_p50_ms']:6.2f} ms  db={entry['db_ms_sum']:6.2f} ms{flag}", flush=True)
    out["loadavg_after_pages"] = [round(x, 2) for x in os.getloadavg()]
    out["jobs"] = measure_jobs(rows, captured, plans_dir)
    out["index_experiments"] = index_experiments(captured, rows)
    out["header"] = run_header(env)
    return out


# The periodic jobs (beat schedule in giftshop/settings/base.py), run once each on this data inside
# a transaction that is rolled back: their time and their queries' plans.
JOBS = [
    ("outbox relay claim", "giftshop.outbox.outbox_claim", {"limit": 100}),
    ("sandbox payment webhooks", "orders.payments.sandbox.sandbox_deliver_webhooks", {}),
    ("cancel unpaid orders", "orders.services.sweeps.orders_cancel_unpaid", {}),
    ("reconcile payments", "orders.services.sweeps.payments_reconcile", {}),
    ("expire gifts", "gifts.services.lifecycle.gifts_expire_due", {}),
    ("draw lotteries", "gifts.services.lifecycle.gifts_draw_due", {}),
    ("gift reminders", "gifts.services.lifecycle.gifts_remind_due", {}),
    ("sandbox carrier pushes", "logistics.carriers.sandbox.SandboxCarrier.push_due", None),
    ("sync quiet shipments (limit 50)", "logistics.services.tracking.shipments_sync_quiet", {"limit": 50}),
    ("ship-by: notify overdue (limit 50)", "gifts.services.ship_by.shipments_notify_overdue", {"limit": 50}),
]


class _Rollback(Exception):
    pass


def measure_jobs(rows, captured, plans_dir=None):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils.module_loading import import_string

    results = {}
    for name, path, kwargs in JOBS:
        try:
            if kwargs is None:  # a carrier method
                cls_path, method = path.rsplit(".", 1)
                func = getattr(import_string(cls_path)(), method)
                kwargs = {}
            else:
                func = import_string(path)
        except ImportError as exc:
            results[name] = {"skipped": f"not importable: {exc}"}
            continue
        outcome, error = None, None
        logging.disable(logging.WARNING)  # the jobs' own warnings are not the point here
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            try:
                with transaction.atomic():
                    outcome = func(**kwargs)
                    raise _Rollback
            except _Rollback:
                pass
            except Exception as exc:  # noqa: BLE001
                error = repr(exc)[:300]
        elapsed = time.perf_counter() - start
        logging.disable(logging.NOTSET)
        seq, slowest = [], None
        seen, explained = set(), []
        for q in ctx.captured_queries:
            sql = q["sql"]
            if sql in seen:
                continue
            seen.add(sql)
            e = explain(sql, rows)
            if not e or "execution_ms" not in e:
                continue
            explained.append({"sql": sql, **e})
            seq += [{"sql": sql[:400], **s} for s in e["seq_scans"]]
            if slowest is None or e["execution_ms"] > slowest["execution_ms"]:
                slowest = {"sql": sql[:1500], "execution_ms": e["execution_ms"], "plan": e["plan"]}
        captured[("job", name)] = [q["sql"] for q in ctx.captured_queries]
        seq = dedupe_seq_scans(seq)
        results[name] = {"ms": round(elapsed * 1000, 1), "queries": len(ctx.captured_queries),
                         "outcome": outcome if isinstance(outcome, (int, dict, type(None))) else str(outcome),
                         "error": error, "slowest_query": slowest, "seq_scans": seq}
        if plans_dir:
            _plan_file(plans_dir, "job", name, f"job: {name} ({path})\ndatabase rows: gifts {rows.get('gifts_gift')}"
                       f"\n{results[name]['ms']} ms, {results[name]['queries']} queries (distinct SELECTs below)",
                       explained)
        print(f"  job {name:40s} {elapsed * 1000:8.1f} ms  q={len(ctx.captured_queries):4d}"
              f"{'  seq scans: ' + ', '.join(sorted({s['table'] for s in seq})) if seq else ''}"
              f"{'  ERROR ' + error if error else ''}", flush=True)
    return results


# What-if indexes for the sequential scans found above, tried in the bench database only: inside a
# transaction that creates the index, ANALYZEs, re-EXPLAINs the query and rolls back. Nothing stays;
# adding an index is the owning app's migration to write.
INDEX_EXPERIMENTS = [
    ("gifts_gift (sender_id, created_at DESC, id DESC)",
     'CREATE INDEX bench_gift_sender_recent ON gifts_gift (sender_id, created_at DESC, id DESC)',
     ("page", "sender: my gifts /gifts/"), 'FROM "gifts_gift" INNER JOIN'),
    ("gifts_claim (recipient_id, created_at DESC, id DESC)",
     'CREATE INDEX bench_claim_recipient_recent ON gifts_claim (recipient_id, created_at DESC, id DESC)',
     ("page", "Orders & Cards API /api/v1/me/wallet/"), 'FROM "gifts_claim" INNER JOIN'),
    ("orders_order (buyer_id, created_at DESC, id DESC)",
     'CREATE INDEX bench_order_buyer_recent ON orders_order (buyer_id, created_at DESC, id DESC)',
     ("page", "my orders /orders/"), 'ORDER BY "orders_order"."created_at" DESC'),
    ("logistics_shipment (tracking_number)",
     'CREATE INDEX bench_shipment_tracking ON logistics_shipment (tracking_number)',
     ("job", "sync quiet shipments (limit 50)"), '"logistics_shipment"."tracking_number" = \'DLV'),
    ("logistics_shipment (last_event_at, id) WHERE in transit (the sync job's own condition)",
     "CREATE INDEX bench_shipment_quiet ON logistics_shipment (last_event_at, id) WHERE NOT (status IN "
     "('delivered', 'expired', 'returned', 'cancelled', 'pending')) AND NOT (tracking_number = '')",
     ("job", "sync quiet shipments (limit 50)"), 'ORDER BY "logistics_shipment"."last_event_at" ASC'),
    ("logistics_shipment (ship_by, id) WHERE status = 'pending'",
     "CREATE INDEX bench_shipment_pending_due ON logistics_shipment (ship_by, id) WHERE status = 'pending'",
     ("job", "ship-by: notify overdue (limit 50)"), '"logistics_shipment"."ship_by" <'),
    ("orders_sandboxwebhook (deliver_after, id) WHERE delivered_at IS NULL AND NOT dropped",
     "CREATE INDEX bench_sandboxwebhook_due ON orders_sandboxwebhook (deliver_after, id) "
     "WHERE delivered_at IS NULL AND NOT dropped",
     ("job", "sandbox payment webhooks"), 'FROM "orders_sandboxwebhook"'),
    ("gifts_claim (status) WHERE status IN ('entered', 'won')",
     "CREATE INDEX bench_claim_lottery_open ON gifts_claim (status) WHERE status IN ('entered', 'won')",
     ("job", "expire gifts"), '"gifts_claim"."status" = \'won\''),
]

# The home page's product list without the catalogue-wide GROUP BY: take the page first, then
# each product's lowest price (the variants are prefetched anyway), with an index for the order.
HOME_REWRITE_COUNT = (
    'SELECT COUNT(*) FROM stores_product p JOIN stores_store s ON s.id = p.store_id '
    'WHERE p.is_active AND s.is_active'
)
HOME_REWRITE_PAGE = (
    'SELECT p.*, s.*, (SELECT MIN(v.price_minor) FROM stores_variant v WHERE v.product_id = p.id) '
    'AS min_price_minor FROM stores_product p JOIN stores_store s ON s.id = p.store_id '
    'WHERE p.is_active AND s.is_active ORDER BY p.created_at DESC, p.id DESC LIMIT 20'
)
HOME_INDEX = "CREATE INDEX bench_product_recent ON stores_product (created_at DESC, id DESC) WHERE is_active"


def _exec_ms(cursor, sql):
    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = [n for n in _walk(plan[0]["Plan"]) if n.get("Relation Name")]
    shown = {f"{n['Node Type']} on {n['Relation Name']}" + (f" using {n['Index Name']}" if n.get("Index Name") else "")
             for n in nodes}
    return round(plan[0]["Execution Time"], 3), sorted(shown)


def _best_of(cursor, sql, runs=5):
    results = [_exec_ms(cursor, sql) for _ in range(runs)]
    return min(r[0] for r in results), results[0][1]


def index_experiments(captured, rows):
    from django.db import connection, transaction

    out = []
    for label, ddl, source, needle in INDEX_EXPERIMENTS:
        sql = next((q for q in captured.get(source, []) if needle in q and q.lstrip().upper().startswith("SELECT")),
                   None)
        if sql is None:
            out.append({"index": label, "skipped": f"no query matching {needle!r} in {source[1]}"})
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                before_ms, before_nodes = _best_of(cursor, sql)
                cursor.execute(ddl)
                cursor.execute("ANALYZE " + ddl.split(" ON ")[1].split(" ")[0])
                after_ms, after_nodes = _best_of(cursor, sql)
                raise _Rollback
        except _Rollback:
            pass
        out.append({"index": label, "for": f"{source[0]}: {source[1]}", "sql": _shape(sql)[:600],
                    "before_ms": before_ms, "after_ms": after_ms, "before_plan": before_nodes,
                    "after_plan": after_nodes, "index_used": any("bench_" in n for n in after_nodes)})
        print(f"  index {label:70s} {before_ms:8.3f} -> {after_ms:8.3f} ms"
              f"{'' if out[-1]['index_used'] else '  (not used)'}", flush=True)
    home = next((q for q in captured.get(("page", "home"), []) if "MIN(" in q and "LIMIT" in q), None)
    count = next((q for q in captured.get(("page", "home"), []) if q.startswith("SELECT COUNT(*)")), None)
    if home and count:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                now_ms = _best_of(cursor, count)[0] + _best_of(cursor, home)[0]
                cursor.execute(HOME_INDEX)
                cursor.execute("ANALYZE stores_product")
                new_ms = _best_of(cursor, HOME_REWRITE_COUNT)[0] + _best_of(cursor, HOME_REWRITE_PAGE)[0]
                raise _Rollback
        except _Rollback:
            pass
        out.append({"index": "home: page first, then MIN(price) per product; " + HOME_INDEX,
                    "for": "page: home (count + page queries)", "before_ms": round(now_ms, 3),
                    "after_ms": round(new_ms, 3), "sql": HOME_REWRITE_PAGE})
        print(f"  home rewritten (count + page)  {now_ms:8.3f} -> {new_ms:8.3f} ms", flush=True)
    return out


def compare(small, large):
    rows = []
    for name, big in large["pages"].items():
        little = small["pages"].get(name)
        if not little:
            continue
        rows.append({
            "page": name, "queries_small": little["queries"], "queries_large": big["queries"],
            "flat": little["queries"] == big["queries"],
            "p50_small_ms": little["p50_ms"], "p50_large_ms": big["p50_ms"],
            "p95_small_ms": little["p95_ms"], "p95_large_ms": big["p95_ms"],
            "p50_ratio": round(big["p50_ms"] / little["p50_ms"], 2) if little["p50_ms"] else None,
            "cpu_p50_small_ms": little["cpu_p50_ms"], "cpu_p50_large_ms": big["cpu_p50_ms"],
            "db_ms_small": little["db_ms_sum"], "db_ms_large": big["db_ms_sum"],
        })
    return rows


def _flush_redis():
    """Empty the bench's Redis database (REDIS_URL's, never db 0) so that no cached page crosses databases."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    client = redis.Redis.from_url(url)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        raise SystemExit("bench: refusing to empty Redis db 0; set REDIS_URL to the bench's own database")
    client.flushdb()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", default=SMALL_URL)
    parser.add_argument("--large", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("-n", type=int, default=50, help="timed requests per page")
    parser.add_argument("--wait-quiet", type=float, default=120,
                        help="wait at most this many seconds for the machine's load to drop under 1")
    parser.add_argument("--million", action="store_true",
                        help=f"large = {database_name(MILLION_URL)} (bench/seed_large.py), small = "
                        f"{database_name(MILLION_SMALL_URL)} unless --small is given; writes "
                        "results/query_scale_1m.json and every page's and job's plans at 1M to bench/plans/; "
                        "empties the Redis database of REDIS_URL before each database (the two share ids: a "
                        "page cached from one must not be served for the other)")
    parser.add_argument("--plans", help=argparse.SUPPRESS)  # internal: write the plans here
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one database, write JSON here
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        Path(args.out).write_text(json.dumps(measure_database(args.one, min(args.n, 500), args.plans), default=str))
        return
    if args.million:
        args.large = MILLION_URL
        if args.small == SMALL_URL:
            args.small = MILLION_SMALL_URL
        PLANS_DIR.mkdir(exist_ok=True)

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in (("small", args.small), ("large", args.large)):
            if args.million:
                _flush_redis()
            results.setdefault("quiet", {})[label] = wait_for_quiet(max_seconds=args.wait_quiet)
            out = Path(tmp) / f"{label}.json"
            extra = ["--plans", str(PLANS_DIR)] if args.million and label == "large" else []
            subprocess.run([sys.executable, __file__, "--one", url, "--out", str(out), "-n", str(args.n), *extra],
                           check=True, cwd=REPO_DIR, timeout=2400 if args.million else 600)
            results[label] = json.loads(out.read_text())
    table = compare(results["small"], results["large"])
    header = results["large"].pop("header")
    results["small"].pop("header")
    data = {**header, "script": "query_scale", "n": args.n, "machine_quiet": results.pop("quiet"),
            "comparison": table, **results}
    path = write_result("query_scale_1m" if args.million else "query_scale", data)
    print()
    print(f"{'page':45s} {'queries s/L':>11s} {'p50 small':>10s} {'p50 large':>10s} {'p95 large':>10s}"
          f" {'cpu small':>10s} {'cpu large':>10s}")
    for r in table:
        mark = "" if r["flat"] else "  <- not flat"
        print(f"{r['page']:45s} {r['queries_small']:>5d}/{r['queries_large']:<5d} {r['p50_small_ms']:9.2f}  "
              f"{r['p50_large_ms']:9.2f}  {r['p95_large_ms']:9.2f}  {r['cpu_p50_small_ms']:9.2f}  "
              f"{r['cpu_p50_large_ms']:9.2f}{mark}")
    print(f"results in {path}")


if __name__ == "__main__":
    main()
