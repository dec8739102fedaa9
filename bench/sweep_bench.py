"""The two periodic jobs at size: the expiry sweep and the sandbox carrier sync (issue 12).

    .venv/bin/python bench/sweep_bench.py                       # 100,000 gifts, 100,000 shipments
    .venv/bin/python bench/sweep_bench.py --gifts 2000 --shipments 2000 --label small
    .venv/bin/python bench/sweep_bench.py --only sweep --profile /tmp/sweep.prof

Each run drops and recreates its own database (giftshop_bench_sweep; only giftshop_bench* databases
are ever dropped) and uses Redis db 12 (the cache's page versions), then:

1. Expiry sweep. Bulk-builds N open paid gifts as the services leave them (order paid with its
   line, sandbox charge succeeded, payment succeeded, gift open with its token hash, stock taken;
   20% are group gifts of 2-5 units with 0..q-1 units already claimed: accepted claims with pending
   shipments), all past their window. Then runs what the beat and one worker run: the
   `gifts.tasks.expire_gifts` task, again and again until it finds nothing due (the beat would send
   it every 15 s; here back to back), then the outbox relay with its consumers inline (refund_execute
   at the sandbox provider, the payer's and the store's news, the notice mails) until the outbox is
   empty. Timed, then checked in the database: every gift expired exactly once (StatusChange rows),
   one refund per gift and no second one, refunds = unclaimed units exactly (in money and in units),
   every refund succeeded at the sandbox (SandboxRefund, the charge's and the payment's refunded
   amounts), payments and orders in the status that follows, stock given back exactly, no message
   left in the outbox.
2. Carrier sync. Bulk-builds N dispatched gift parcels (claimed gift, shipped claim, shipment in
   info_received / in_transit / out_for_delivery with the checkpoints the sandbox carrier has pushed
   so far, the sandbox parcel), all quiet for longer than SHIPMENT_SYNC_QUIET_SECONDS; a share
   (--news) have one more checkpoint due at the carrier that was never pushed. Then runs the
   `logistics.tasks.sync_shipments` task until every parcel has been pulled once (a full pass), or
   until it stops making progress, and relays the news it produced. Checked: each parcel pulled,
   each one with news moved exactly once (one new checkpoint, one StatusChange), the others unchanged.

Results: bench/results/sweep_bench[_<label>].json.
"""

import argparse
import cProfile
import json
import os
import random
import secrets
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    SCRATCH_DIR,
    Timer,
    database_name,
    ensure_database,
    run_header,
    setup_django,
    wait_for_quiet,
    write_result,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_sweep"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
BATCH = 5000
STORES, PRODUCTS_PER_STORE, VARIANTS_PER_PRODUCT = 20, 10, 2
SENDERS, RECIPIENTS = 2000, 2000
STEP_SECONDS = 3600  # the sandbox carrier's step here: one checkpoint an hour, like a real courier
INITIAL_STOCK = 10_000_000


# --- building rows ---------------------------------------------------------------------------


def take_ids(model, n):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [model._meta.db_table, n])
        return [row[0] for row in cursor.fetchall()]


def bulk(model, rows):
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start:start + BATCH])


def seed_base(password_hash):
    """Stores (owners), products, variants with plenty of stock, senders and recipients (with an
    email each, notices by email on: the default)."""
    from accounts.models import User
    from stores.models import Product, Store, StoreMember, Variant

    bulk(Store, [Store(slug=f"sweep-{k:03d}", name=f"Sweep Store {k:03d}", ship_within_hours=48)
                 for k in range(STORES)])
    stores = list(Store.objects.order_by("id"))
    bulk(User, [User(username=f"sweep-owner-{k:03d}", email=f"owner{k}@bench.invalid", password=password_hash)
                for k in range(STORES)])
    owners = list(User.objects.filter(username__startswith="sweep-owner-").order_by("username"))
    bulk(StoreMember, [StoreMember(store=s, user=u, role="owner") for s, u in zip(stores, owners, strict=True)])
    bulk(Product, [Product(store=s, title=f"Tea tin {s.id}-{p}", slug=f"tea-{s.id}-{p}", giftable=True)
                   for s in stores for p in range(PRODUCTS_PER_STORE)])
    products = list(Product.objects.select_related("store").order_by("id"))
    bulk(Variant, [Variant(product=p, name=f"Size {j}", sku=f"S{p.id}-{j}", price_minor=990 + 1000 * j,
                           stock=INITIAL_STOCK, position=j) for p in products for j in range(VARIANTS_PER_PRODUCT)])
    bulk(User, [User(username=f"sweep-s{i:05d}", email=f"s{i}@bench.invalid", display_name=f"Sender {i}",
                     password=password_hash) for i in range(SENDERS)]
         + [User(username=f"sweep-r{i:05d}", email=f"r{i}@bench.invalid", display_name=f"Friend {i}",
                 password=password_hash) for i in range(RECIPIENTS)])
    variants = list(Variant.objects.values_list("id", "price_minor", "product__store_id", "product__title", "name",
                                                "sku"))
    senders = list(User.objects.filter(username__startswith="sweep-s").values_list("id", "display_name"))
    recipients = list(User.objects.filter(username__startswith="sweep-r").values_list("id", "display_name"))
    return variants, senders, recipients


def _paid_order(order_id, sender_id, variant, quantity, created, rows):
    """An order paid at the sandbox, as checkout + the payment webhook leave it."""
    from orders.models import Order, OrderLine, Payment, SandboxCharge

    v_id, price, store_id, title, v_name, _sku = variant
    charge_ref = f"ch_{secrets.token_hex(12)}"
    key = f"pay:{order_id}:1"
    total = price * quantity
    rows["orders"].append(Order(id=order_id, buyer_id=sender_id, store_id=store_id, kind="gift", status="paid",
                                total_minor=total, currency="CNY", pay_by=created + timedelta(minutes=30),
                                created_at=created, paid_at=created + timedelta(minutes=1)))
    rows["lines"].append(OrderLine(order_id=order_id, variant_id=v_id, quantity=quantity, unit_price_minor=price,
                                   currency="CNY", product_title=title, variant_name=v_name))
    rows["charges"].append(SandboxCharge(ref=charge_ref, idempotency_key=key, amount_minor=total, currency="CNY",
                                         description=f"giftshop order {order_id}", status="succeeded",
                                         created_at=created))
    rows["payments"].append(Payment(order_id=order_id, provider="sandbox", provider_ref=charge_ref,
                                    idempotency_key=key, amount_minor=total, currency="CNY", status="succeeded",
                                    created_at=created, succeeded_at=created + timedelta(minutes=1),
                                    checkout_url=f"http://127.0.0.1:8000/pay/sandbox/{charge_ref}/"))


def _shipment(ship_id, variant, recipient, sender_name, status, created, **extra):
    from logistics.models import Shipment

    v_id, _price, store_id, title, v_name, sku = variant
    return Shipment(
        id=ship_id, store_id=store_id, recipient_id=recipient[0], reference=f"GB-{ship_id:010d}", status=status,
        ship_to_name=recipient[1], ship_to_phone=f"138{ship_id % 100_000_000:08d}", ship_to_country="CN",
        ship_to_region="Shanghai", ship_to_city="Shanghai", ship_to_district="Pudong",
        ship_to_street=f"{ship_id % 999 + 1} Lantern Road", ship_to_postal_code="200120",
        lines=[{"product_title": title, "variant_name": v_name, "sku": sku, "quantity": 1}], is_gift=True,
        giver_name=sender_name, gift_message="For you", ship_by=created + timedelta(hours=48), created_at=created,
        **extra)


def _insert(rows, taken):
    from django.db import connection

    from gifts.models import Claim, Gift
    from logistics.models import SandboxParcel, Shipment, TrackingEvent
    from orders.models import Order, OrderLine, Payment, SandboxCharge

    for model, key in ((Order, "orders"), (OrderLine, "lines"), (SandboxCharge, "charges"), (Payment, "payments"),
                       (Gift, "gifts"), (Shipment, "shipments"), (Claim, "claims"), (TrackingEvent, "events"),
                       (SandboxParcel, "parcels")):
        bulk(model, rows.get(key, []))
    # The units the gifts hold came out of stock, as stock_reserve took them at checkout.
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE stores_variant SET stock = stock - %s WHERE id = %s",
                           [(units, v_id) for v_id, units in taken.items()])
        cursor.execute("ANALYZE")


def seed_due_gifts(n, base, rng, now):
    """N open paid gifts past their window (20% group gifts, partly claimed)."""
    from gifts.models import Claim, Gift
    from gifts.tokens import gift_token, token_hash
    from logistics.models import Shipment
    from orders.models import Order

    variants, senders, recipients = base
    order_ids, gift_ids = take_ids(Order, n), take_ids(Gift, n)
    rows = {k: [] for k in ("orders", "lines", "charges", "payments", "gifts", "shipments", "claims")}
    taken, plan = Counter(), {}
    claimed_total = sum_claims = 0
    group_claims = []
    for i in range(n):
        variant = rng.choice(variants)
        sender = rng.choice(senders)
        group = rng.random() < 0.2
        quantity = rng.randint(2, 5) if group else 1
        claimed = rng.randint(0, quantity - 1) if group else 0
        created = now - timedelta(hours=25, minutes=rng.uniform(0, 60))
        opened = created + timedelta(minutes=1)
        order_id, gift_id = order_ids[i], gift_ids[i]
        _paid_order(order_id, sender[0], variant, quantity, created, rows)
        rows["gifts"].append(Gift(
            id=gift_id, order_id=order_id, sender_id=sender[0], variant_id=variant[0], quantity=quantity,
            mode="group" if group else "single", message="Happy birthday!", status="open",
            token_hash=token_hash(gift_token(gift_id=gift_id, version=1)), claim_hours=24,
            # Due within the last hour, all of them: the sweep finds 100% of them due at once.
            expires_at=now - timedelta(seconds=rng.uniform(1, 3600)), claimed_units=claimed,
            created_at=created, opened_at=opened))
        taken[variant[0]] += quantity
        plan[gift_id] = (variant, quantity, claimed)
        claimed_total += claimed
        if claimed:
            group_claims.append((gift_id, variant, sender, claimed, opened))
    ship_ids = iter(take_ids(Shipment, sum(c[3] for c in group_claims)) if group_claims else [])
    for gift_id, variant, sender, claimed, opened in group_claims:
        for recipient in rng.sample(recipients, claimed):
            ship_id = next(ship_ids)
            rows["shipments"].append(_shipment(ship_id, variant, recipient, sender[1], "pending", opened))
            rows["claims"].append(Claim(gift_id=gift_id, recipient_id=recipient[0], variant_id=variant[0],
                                        quantity=1, status="accepted", shipment_id=ship_id, created_at=opened,
                                        accepted_at=opened))
            sum_claims += 1
    _insert(rows, taken)
    return plan, {"gifts": n, "group_gifts": sum(1 for v in plan.values() if v[1] > 1),
                  "units": sum(v[1] for v in plan.values()), "claimed_units": claimed_total, "claims": sum_claims}


DLV = [("ACCEPTED", "info_received", "Shanghai", "Parcel information received"),
       ("IN_TRANSIT", "in_transit", "Shanghai hub", "Departed the sorting centre"),
       ("OUT_FOR_DELIVERY", "out_for_delivery", "Local depot", "Out for delivery"),
       ("DELIVERED", "delivered", "Front door", "Delivered, signed by the recipient")]
CLAIM_OF = {"info_received": "shipped", "in_transit": "shipped", "out_for_delivery": "out_for_delivery"}


def seed_active_shipments(n, base, rng, now, news_share):
    """N dispatched gift parcels in transit, each quiet for 30+ minutes; `news_share` of them have
    one checkpoint due at the sandbox carrier that it never pushed (the sync is what finds it)."""
    from gifts.models import Claim, Gift
    from gifts.tokens import gift_token, token_hash
    from logistics.models import SandboxParcel, Shipment, TrackingEvent
    from orders.models import Order

    variants, senders, recipients = base
    order_ids, gift_ids, ship_ids = take_ids(Order, n), take_ids(Gift, n), take_ids(Shipment, n)
    rows = {k: [] for k in ("orders", "lines", "charges", "payments", "gifts", "shipments", "claims", "events",
                            "parcels")}
    taken, plan = Counter(), {}
    step = timedelta(seconds=STEP_SECONDS)
    for i in range(n):
        variant, sender, recipient = rng.choice(variants), rng.choice(senders), rng.choice(recipients)
        pushed = rng.randint(1, 3)  # checkpoints 0 .. pushed-1 are stored
        news = rng.random() < news_share
        # Checkpoint i is due at registered_at + i × step: `pushed` are due (no news) or pushed + 1.
        registered = now - step * (pushed if news else pushed - 1) - step / 2
        last = registered + step * (pushed - 1)
        status = DLV[pushed - 1][1]
        created = registered - timedelta(days=1)
        order_id, gift_id, ship_id = order_ids[i], gift_ids[i], ship_ids[i]
        tracking_number = f"DLV{ship_id:010d}"
        _paid_order(order_id, sender[0], variant, 1, created, rows)
        rows["gifts"].append(Gift(
            id=gift_id, order_id=order_id, sender_id=sender[0], variant_id=variant[0], quantity=1, status="claimed",
            token_hash=token_hash(gift_token(gift_id=gift_id, version=1)), claim_hours=24,
            expires_at=created + timedelta(hours=24), claimed_units=1, created_at=created,
            opened_at=created, closed_at=created + timedelta(hours=1)))
        rows["shipments"].append(_shipment(ship_id, variant, recipient, sender[1], status, created,
                                           carrier="sandbox", tracking_number=tracking_number,
                                           carrier_status=DLV[pushed - 1][0], shipped_at=registered,
                                           last_event_at=last))
        rows["claims"].append(Claim(gift_id=gift_id, recipient_id=recipient[0], variant_id=variant[0], quantity=1,
                                    status=CLAIM_OF[status], shipment_id=ship_id, created_at=created,
                                    accepted_at=created))
        for k in range(pushed):
            code, ev_status, location, description = DLV[k]
            rows["events"].append(TrackingEvent(shipment_id=ship_id, key=f"sbx:{k}", status=ev_status,
                                                raw_status=code, occurred_at=registered + step * k,
                                                location=location, description=description,
                                                created_at=registered + step * k))
        rows["parcels"].append(SandboxParcel(tracking_number=tracking_number, registered_at=registered,
                                             pushed=pushed))
        taken[variant[0]] += 1
        plan[ship_id] = (status, pushed, news)
    _insert(rows, taken)
    return plan, {"shipments": n, "with_news": sum(1 for p in plan.values() if p[2]),
                  "by_status": dict(Counter(p[0] for p in plan.values()))}


# --- running what the worker runs --------------------------------------------------------------


class TopicClock:
    """Times each outbox topic's consumers (instrumentation only: the same consumers run)."""

    def __init__(self):
        from giftshop import outbox

        self.seconds, self.count = Counter(), Counter()
        self._outbox, self._saved = outbox, {t: list(f) for t, f in outbox._consumers.items()}
        for topic, funcs in list(outbox._consumers.items()):
            outbox._consumers[topic] = [self._wrap(topic, func) for func in funcs]

    def _wrap(self, topic, func):
        def timed(payload, *, key):
            start = time.perf_counter()
            try:
                return func(payload, key=key)
            finally:
                self.seconds[topic] += time.perf_counter() - start
                self.count[topic] += 1
        return timed

    def restore(self):
        self._outbox._consumers.update(self._saved)

    def report(self):
        return {t: {"count": self.count[t], "seconds": round(self.seconds[t], 2),
                    "ms_each": round(self.seconds[t] / self.count[t] * 1000, 2)} for t in sorted(self.count)}


class QueryCount:
    """Counts the queries this process sends (a connection execute wrapper; DEBUG stays off)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def db_now():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def relay_until_empty(max_rounds=1_000_000):
    """The worker's relay: claim due messages, run their consumers inline, until none is due."""
    from giftshop.outbox import outbox_relay

    claimed = rounds = 0
    results = Counter()
    for rounds in range(1, max_rounds + 1):  # noqa: B007
        done = outbox_relay(limit=100)
        if not done["claimed"]:
            break
        claimed += done["claimed"]
        results.update(done["results"].values())
    return {"claimed": claimed, "rounds": rounds, "results": dict(results)}


def maybe_profile(path):
    if not path:
        return None
    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def stop_profile(profiler, path, name):
    if profiler is None:
        return None
    profiler.disable()
    out = f"{path}.{name}"
    profiler.dump_stats(out)
    return out


def run_sweep(args, base, rng, timer, now):
    from django.db import connection

    from gifts.tasks import expire_gifts

    print(f"expiry sweep: {args.gifts} gifts", flush=True)
    with timer.phase("sweep: build due gifts (bulk)", args.gifts):
        plan, built = seed_due_gifts(args.gifts, base, rng, now)
    stock_before = variant_stock()
    count = QueryCount()
    result = {"built": built}
    started_db = db_now()
    start = time.perf_counter()
    profiler = maybe_profile(args.profile)
    runs, totals = 0, Counter()
    with connection.execute_wrapper(count), timer.phase("sweep: expire_gifts task until nothing is due",
                                                        args.gifts):
        while True:
            done = expire_gifts()
            runs += 1
            totals.update(done)
            if not any(done.values()):
                break
    sweep_s = time.perf_counter() - start
    sweep_queries = count.n
    clock = TopicClock()
    relay_start = time.perf_counter()
    with connection.execute_wrapper(count), timer.phase("sweep: relay the outbox until it is empty"):
        relayed = relay_until_empty()
    relay_s = time.perf_counter() - relay_start
    clock.restore()
    prof = stop_profile(profiler, args.profile, "sweep")
    last_refund = last_refund_at()
    result.update({
        "task_runs": runs, "task_totals": dict(totals), "task_limit_per_run": expire_gifts_limit(),
        "sweep_seconds": round(sweep_s, 2), "sweep_queries": sweep_queries,
        "sweep_ms_per_gift": round(sweep_s / args.gifts * 1000, 3),
        "sweep_queries_per_gift": round(sweep_queries / args.gifts, 1),
        "relay_seconds": round(relay_s, 2), "relay_queries": count.n - sweep_queries,
        "relay": relayed, "outbox_consumers": clock.report(),
        "total_seconds": round(sweep_s + relay_s, 2),
        "ms_per_gift_total": round((sweep_s + relay_s) / args.gifts * 1000, 3),
        "all_refunds_succeeded_after_s": round((last_refund - started_db).total_seconds(), 2) if last_refund else None,
        "profile": prof,
    })
    with timer.phase("sweep: checks"):
        result["checks"] = check_sweep(plan, stock_before)
    return result


def expire_gifts_limit():
    import inspect

    from gifts.services.lifecycle import gifts_expire_due

    return inspect.signature(gifts_expire_due).parameters["limit"].default


def last_refund_at():
    from django.db.models import Max

    from orders.models import Refund

    return Refund.objects.aggregate(m=Max("completed_at"))["m"]


def variant_stock():
    from stores.models import Variant

    return dict(Variant.objects.values_list("id", "stock"))


def run_sync(args, base, rng, timer, now):
    from django.db import connection

    from logistics.carriers.sandbox import SandboxCarrier
    from logistics.tasks import sync_shipments

    print(f"carrier sync: {args.shipments} shipments", flush=True)
    with timer.phase("sync: build active shipments (bulk)", args.shipments):
        plan, built = seed_active_shipments(args.shipments, base, rng, now, args.news)
    # Instrumentation only: which parcels the carrier was asked about (the same fetch runs).
    fetched = Counter()
    original_fetch = SandboxCarrier.fetch

    def counting_fetch(self, *, tracking_number):
        fetched[tracking_number] += 1
        return original_fetch(self, tracking_number=tracking_number)

    SandboxCarrier.fetch = counting_fetch
    count = QueryCount()
    profiler = maybe_profile(args.profile)
    runs, totals = 0, Counter()
    start = time.perf_counter()
    stalled = False
    try:
        with connection.execute_wrapper(count), timer.phase("sync: sync_shipments task until a full pass",
                                                            args.shipments):
            while len(fetched) < args.shipments:
                seen = len(fetched)
                done = sync_shipments()
                runs += 1
                totals.update({k: v for k, v in done.items() if isinstance(v, int)})
                if len(fetched) == seen:
                    stalled = True  # a run that reaches no new parcel: the rest are never pulled
                    break
    finally:
        SandboxCarrier.fetch = original_fetch
    sync_s = time.perf_counter() - start
    sync_queries = count.n
    clock = TopicClock()
    relay_start = time.perf_counter()
    relayed = None
    if not args.no_sync_relay:
        with connection.execute_wrapper(count), timer.phase("sync: relay the news until the outbox is empty"):
            relayed = relay_until_empty()
    relay_s = time.perf_counter() - relay_start
    clock.restore()
    prof = stop_profile(profiler, args.profile, "sync")
    result = {
        "built": built, "task_runs": runs, "task_totals": dict(totals), "stalled": stalled,
        "parcels_pulled": len(fetched), "pulls": sum(fetched.values()),
        "pass_seconds": round(sync_s, 2), "pass_queries": sync_queries,
        "ms_per_shipment": round(sync_s / max(1, sum(fetched.values())) * 1000, 3),
        "queries_per_shipment": round(sync_queries / max(1, sum(fetched.values())), 1),
        "relay_seconds": round(relay_s, 2), "relay_queries": count.n - sync_queries, "relay": relayed,
        "outbox_consumers": clock.report(), "profile": prof,
    }
    with timer.phase("sync: checks"):
        result["checks"] = check_sync(plan, fetched, relayed=not args.no_sync_relay)
    return result


# --- checks ----------------------------------------------------------------------------------


def _sql(query, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def check_sweep(plan, stock_before):
    from django.contrib.contenttypes.models import ContentType

    from gifts.models import Gift

    gift_ct = ContentType.objects.get_for_model(Gift).id
    n = len(plan)
    ids = list(plan)
    unclaimed = {g: q - c for g, (_v, q, c) in plan.items()}
    checks = {}
    statuses = dict(_sql("SELECT status, count(*) FROM gifts_gift WHERE id = ANY(%s) GROUP BY status", [ids]))
    checks["gifts_expired"] = statuses.get("expired", 0)
    checks["gifts_by_status"] = statuses
    moves = _sql("SELECT object_id, count(*) FROM giftshop_statuschange WHERE content_type_id = %s AND "
                 "field = 'status' AND to_status = 'expired' GROUP BY object_id", [gift_ct])
    per_gift = {int(o): c for o, c in moves}
    checks["expired_status_changes"] = sum(per_gift.values())
    checks["gifts_expired_more_than_once"] = sum(1 for c in per_gift.values() if c > 1)
    checks["gifts_never_expired"] = sum(1 for g in ids if g not in per_gift)
    refunds = _sql(
        "SELECT g.id, r.amount_minor, r.status, r.reason, l.unit_price_minor, p.refunded_minor, p.status, "
        "o.status, c.refunded_minor, (SELECT count(*) FROM orders_sandboxrefund sr WHERE sr.charge_id = c.id), "
        "(SELECT coalesce(sum(sr.amount_minor), 0) FROM orders_sandboxrefund sr WHERE sr.charge_id = c.id) "
        "FROM gifts_gift g JOIN orders_order o ON o.id = g.order_id JOIN orders_orderline l ON l.order_id = o.id "
        "JOIN orders_payment p ON p.order_id = o.id JOIN orders_sandboxcharge c ON c.ref = p.provider_ref "
        "LEFT JOIN orders_refund r ON r.payment_id = p.id WHERE g.id = ANY(%s)", [ids])
    per = Counter(row[0] for row in refunds if row[1] is not None)
    checks["refunds"] = sum(per.values())
    checks["gifts_refunded_more_than_once"] = sum(1 for c in per.values() if c > 1)
    checks["gifts_without_refund"] = sum(1 for g in ids if per[g] == 0)
    wrong_amount = wrong_status = not_at_sandbox = wrong_payment = wrong_order = 0
    refunded_units = 0
    for (g_id, amount, r_status, reason, unit, p_refunded, p_status, o_status, c_refunded, sr_count,
         sr_sum) in refunds:
        want = unclaimed[g_id]
        if amount is None:
            continue
        refunded_units += amount // unit
        wrong_amount += amount != unit * want or amount % unit != 0 or reason != "expired"
        wrong_status += r_status != "succeeded"
        not_at_sandbox += not (sr_count == 1 and sr_sum == amount and c_refunded == amount)
        wrong_payment += p_refunded != amount or p_status != ("refunded" if plan[g_id][2] == 0
                                                              else "partially_refunded")
        wrong_order += o_status != ("refunded" if plan[g_id][2] == 0 else "paid")
    checks.update({
        "unclaimed_units": sum(unclaimed.values()), "refunded_units": refunded_units,
        "refunds_of_the_wrong_amount": wrong_amount, "refunds_not_succeeded": wrong_status,
        "refunds_not_exactly_once_at_the_sandbox": not_at_sandbox, "payments_wrong": wrong_payment,
        "orders_wrong": wrong_order,
    })
    expected_back = Counter()
    for _g, (variant, q, c) in plan.items():
        expected_back[variant[0]] += q - c
    stock_after = variant_stock()
    checks["stock_given_back"] = sum(stock_after[v] - stock_before[v] for v in stock_before)
    checks["variants_with_wrong_stock"] = sum(
        1 for v in stock_before if stock_after[v] - stock_before[v] != expected_back[v])
    notices, distinct = _sql("SELECT count(*), count(DISTINCT key) FROM accounts_notice WHERE kind = 'gift_expired'")[0]
    checks["expired_notices"] = notices if notices == distinct else f"{notices} notices, {distinct} keys"
    checks["outbox_left"] = dict(_sql("SELECT status, count(*) FROM giftshop_outboxmessage WHERE status <> "
                                      "'delivered' GROUP BY status"))
    checks["ok"] = (
        checks["gifts_expired"] == n and checks["expired_status_changes"] == n
        and checks["gifts_expired_more_than_once"] == 0 and checks["gifts_never_expired"] == 0
        and checks["refunds"] == n and checks["gifts_refunded_more_than_once"] == 0
        and checks["gifts_without_refund"] == 0 and checks["refunded_units"] == checks["unclaimed_units"]
        and wrong_amount == wrong_status == not_at_sandbox == wrong_payment == wrong_order == 0
        and checks["stock_given_back"] == checks["unclaimed_units"] and checks["variants_with_wrong_stock"] == 0
        and checks["expired_notices"] == n and not checks["outbox_left"]
    )
    return checks


def check_sync(plan, fetched, *, relayed=True):
    from django.contrib.contenttypes.models import ContentType

    from logistics.models import Shipment

    ship_ct = ContentType.objects.get_for_model(Shipment).id
    ids = list(plan)
    rows = _sql("SELECT s.id, s.status, s.tracking_number, (SELECT count(*) FROM logistics_trackingevent e "
                "WHERE e.shipment_id = s.id) FROM logistics_shipment s WHERE s.id = ANY(%s)", [ids])
    moves = Counter(int(o) for (o,) in _sql(
        "SELECT object_id FROM giftshop_statuschange WHERE content_type_id = %s AND field = 'status'", [ship_ct]))
    not_pulled = wrong_status = wrong_events = wrong_moves = 0
    for ship_id, status, tracking_number, events in rows:
        before, pushed, news = plan[ship_id]
        not_pulled += fetched[tracking_number] == 0
        want_status = DLV[pushed][1] if news else before
        wrong_status += status != want_status
        wrong_events += events != pushed + (1 if news else 0)
        wrong_moves += moves[ship_id] != (1 if news else 0)
    claims_wrong = _sql(
        "SELECT count(*) FROM gifts_claim c JOIN logistics_shipment s ON s.id = c.shipment_id WHERE "
        "s.id = ANY(%s) AND NOT ((s.status IN ('info_received', 'in_transit') AND c.status = 'shipped') OR "
        "(s.status = c.status))", [ids])[0][0]
    checks = {
        "shipments": len(rows), "not_pulled": not_pulled, "pulled_more_than_once": sum(
            1 for c in fetched.values() if c > 1),
        "wrong_status": wrong_status, "wrong_checkpoint_count": wrong_events, "wrong_status_changes": wrong_moves,
        "claims_not_following_their_parcel": claims_wrong,
        "outbox_left": dict(_sql("SELECT status, count(*) FROM giftshop_outboxmessage WHERE status <> 'delivered' "
                                 "GROUP BY status")),
    }
    if not relayed:  # the news is still in the outbox: the claims follow once it is relayed
        checks["claims_not_following_their_parcel"] = claims_wrong = None
        checks["outbox_left_unrelayed"] = checks.pop("outbox_left")
    checks["ok"] = (not_pulled == wrong_status == wrong_events == wrong_moves == 0 and not claims_wrong
                    and not checks.get("outbox_left"))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--news", type=float, default=0.5,
                        help="share of the parcels with a checkpoint due that was never pushed (default 0.5)")
    parser.add_argument("--only", choices=("sweep", "sync"), default=None)
    parser.add_argument("--no-sync-relay", action="store_true",
                        help="time the sync pass only: leave the news it wrote in the outbox (claims not checked)")
    parser.add_argument("--label", default="", help="results go to bench/results/sweep_bench_<label>.json")
    parser.add_argument("--profile", default="", help="cProfile the timed phases into <path>.sweep / <path>.sync")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--wait-quiet", type=float, default=60)
    args = parser.parse_args()
    if not database_name(args.database_url).startswith("giftshop_bench"):
        raise SystemExit("bench: the database must be named giftshop_bench*")

    quiet = wait_for_quiet(max_seconds=args.wait_quiet)
    # The worker's mail goes to the scratch folder, never var/mail; the sandbox carrier's step is an
    # hour (the parcels' timelines are built with it).
    os.environ["EMAIL_FILE_PATH"] = str(SCRATCH_DIR / "mail-sweep")
    # Each mail written whole to that folder, as the default backend does, without its console copy.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["SANDBOX_CARRIER_STEP_SECONDS"] = str(STEP_SECONDS)
    (SCRATCH_DIR / "mail-sweep").mkdir(parents=True, exist_ok=True)
    timer = Timer()
    with timer.phase("create database (reset)"):
        ensure_database(args.database_url, reset=True)
    env = setup_django(args.database_url, args.redis_url)

    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    with timer.phase("migrate + createcachetable"):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
    cache.clear()  # Redis db 12: this bench's own
    rng = random.Random(args.seed)  # noqa: S311  reproducible benchmark data
    with timer.phase("base rows"):
        base = seed_base(make_password("bench-pass-2024"))
    now = timezone.now()
    result = {**run_header(env), "script": "sweep_bench", "machine_quiet_at_start": quiet,
              "database": database_name(args.database_url), "args": vars(args)}
    if args.only in (None, "sweep") and args.gifts:
        result["sweep"] = run_sweep(args, base, rng, timer, now)
        print(json.dumps({k: v for k, v in result["sweep"].items() if k != "outbox_consumers"}, indent=2,
                         default=str), flush=True)
    if args.only in (None, "sync") and args.shipments:
        result["sync"] = run_sync(args, base, rng, timer, now)
        print(json.dumps({k: v for k, v in result["sync"].items() if k != "outbox_consumers"}, indent=2,
                         default=str), flush=True)
    result["phases"] = timer.phases
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    path = write_result("sweep_bench" + (f"_{args.label}" if args.label else ""), result)
    print(f"results in {path}")
    ok = all(result[k]["checks"]["ok"] for k in ("sweep", "sync") if k in result)
    print("checks: " + ("all passed" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
