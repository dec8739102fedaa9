# ruff: noqa: S608  the SQL is built from this script's own constants and integers, never from input
"""Build the large bench shop (issue 12: 10k stores, 100k products, 1M gifts, 1M claims and
shipments, 5M tracking events) in PostgreSQL, fast: the rows are made by PostgreSQL itself
(INSERT ... SELECT over generate_series, in chunks, with a progress bar), not by the ORM per row.

    .venv/bin/python bench/seed_large.py --reset                 # giftshop_bench_1m, the full size
    .venv/bin/python bench/seed_large.py --reset --scale 0.01 \
        --database-url postgres://postgres@127.0.0.1:5432/giftshop_bench_1m_check   # 1/100: a check

What it does, in order (each step timed):

1. creates the database (--reset drops it first; only giftshop_bench* databases), migrate,
   createcachetable;
2. the well-known part exactly as bench/seed_scale.py makes it, by calling its functions at its
   `--scale 0.1` size (the size of giftshop_bench_1k, which `make bench` seeds): stores bench-000 ..
   bench-004 with 100 products each, their owners bench-merchant-000.., users bench-u00000..
   bench-u01999, bench-sender and bench-recipient, default addresses;
3. the rest of the catalogue and the users in SQL: stores up to 10,000 (one owner each), products
   up to 100,000 (one photo row each, all pointing at seed_scale's one small JPEG; 4 variants each),
   users up to 200,000 with a default address;
4. the gift history in SQL, in chunks of --chunk gifts: orders (paid; refunded for expired gifts),
   order lines, sandbox charges, payments, the sandbox's delivered payment webhooks and our
   WebhookEvent rows, gifts (84% single and claimed, 5.6% group gifts of 3 all claimed, 8% open
   within their window, 3% expired and refunded: Refund + SandboxRefund), one claim per unit claimed
   with its shipment in a status that fits its age (the sandbox carrier's DLV, FAIL and RTN
   timelines), its tracking events and the carrier's parcel. Shares as seed_scale: 20% of the gifts
   are of store bench-000, bench-sender sends 2%, bench-recipient receives 1%. Card token hashes
   are computed in Python (the HMAC needs the secret key) and COPYed in;
5. a few gifts through the real services (seed_scale.seed_service_gifts: gift_create, the sandbox
   payment and its webhook, the outbox, claim_accept, dispatch): the carded gifts query_scale.py
   and make_bench.py look for;
6. VACUUM ANALYZE. Every foreign key, unique and CHECK constraint is enforced while inserting (no
   trigger or index is switched off), so a row that breaks one stops the seed.

Not made for the bulk history, as in seed_scale: StatusChange rows, outbox rows, notices, card
images. Stock is left as it is (the history's units count as restocked). Parcels whose address
retention ended (ADDRESS_RETENTION_DAYS after delivery) have their address redacted, as the purge
job would have left them. Every user's password is bench-pass-2024. Redis: db 13.
Timings: printed, and bench/results/seed_large_<database>.json.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed_scale  # noqa: E402
from _common import (  # noqa: E402
    BENCH_PASSWORD,
    Timer,
    database_name,
    ensure_database,
    run_header,
    setup_django,
    wait_for_quiet,
    write_result,
)

LARGE_URL = "postgres://postgres@127.0.0.1:5432/giftshop_bench_1m"
REDIS_URL = "redis://127.0.0.1:6379/13"
CORE_SCALE = 0.1  # the well-known part: seed_scale at make bench's size (5 stores, 500 products, 2,000 users)
SERVICE_GIFTS = 30
VARIANTS_PER_PRODUCT = 4


def sizes(scale: float) -> dict:
    return {
        "stores": max(10, round(10_000 * scale)),
        "products": max(1_000, round(100_000 * scale)),
        "users": max(4_000, round(200_000 * scale)),
        "gifts": max(2_000, round(1_000_000 * scale)),
        "service_gifts": SERVICE_GIFTS,
    }


def _progress():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn())


def _username_sql(prefix: str, expr: str, width: int) -> str:
    """'prefix' || expr zero-padded to width, as Python's f"{k:0{width}d}" (lpad would cut longer numbers)."""
    return (f"('{prefix}' || CASE WHEN {expr} < {10 ** width} THEN lpad(({expr})::text, {width}, '0') "
            f"ELSE ({expr})::text END)")


def fill_catalog(cursor, n, core, timer, password_hash):
    """Stores, owners, products, photos, variants beyond seed_scale's core; then users and addresses."""
    first_store, stores = core["stores"], n["stores"]
    extra_stores = stores - first_store
    with timer.phase("stores + merchants (SQL)", extra_stores):
        cursor.execute(f"""
            INSERT INTO stores_store (slug, name, description, logo, ship_within_hours, is_active, webhook_events,
                                      created_at)
            SELECT {_username_sql('bench-', 'k', 3)}, 'Bench Store ' || k,
                   'Lanterns, tea and paper goods, shop ' || k || '.', '', 48, true, '[]'::jsonb, now()
            FROM generate_series({first_store}, {stores - 1}) k ORDER BY k""")
        cursor.execute(f"""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                       is_active, date_joined, display_name, email_notices, language, phone)
            SELECT %s, false, {_username_sql('bench-merchant-', 'k', 3)}, '', '', 'merchant' || k || '@bench.invalid',
                   false, true, now(), 'Merchant ' || k, true, '', ''
            FROM generate_series({first_store}, {stores - 1}) k ORDER BY k""", [password_hash])
        cursor.execute(f"""
            INSERT INTO stores_storemember (store_id, user_id, role, created_at)
            SELECT s.id, u.id, 'owner', now()
            FROM stores_store s JOIN accounts_user u
              ON u.username = 'bench-merchant-' || substr(s.slug, 7)
            WHERE s.slug LIKE 'bench-%%' AND s.id NOT IN (SELECT store_id FROM stores_storemember)
              AND substr(s.slug, 7) ~ '^[0-9]+$' AND substr(s.slug, 7)::int >= {first_store}""")

    extra_products = n["products"] - core["products"]
    with timer.phase("products + photos (SQL)", extra_products):
        # Product j goes to the j-th new store, round robin; numbered on from seed_scale's.
        cursor.execute(f"""
            INSERT INTO stores_product (store_id, title, slug, description, giftable, is_active, created_at, updated_at)
            SELECT s.id, 'Lantern no. ' || ({core['products']} + j), 'lantern-' || ({core['products']} + j),
                   repeat('A paper lantern, hand-folded. ', 4), random() < 0.9, true,
                   now() - random() * interval '365 days', now()
            FROM generate_series(0, {extra_products - 1}) j
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM stores_store
                  WHERE id > (SELECT max(store_id) FROM stores_product)) s ON s.rn = j % {extra_stores}
            ORDER BY j""")
        relative = seed_scale.photo_file()
        thumb = relative.replace("bench-photo", "bench-thumb")
        cursor.execute("""
            INSERT INTO stores_productimage (product_id, image, thumbnail, width, height, position, created_at)
            SELECT p.id, %s, %s, 800, 800, 0, now() FROM stores_product p
            WHERE NOT EXISTS (SELECT 1 FROM stores_productimage i WHERE i.product_id = p.id) ORDER BY p.id""",
                       [relative, thumb])
    with timer.phase("variants (SQL)", extra_products * VARIANTS_PER_PRODUCT):
        # As seed_scale: a base price per product, the first two options at it, the others dearer.
        cursor.execute(f"""
            INSERT INTO stores_variant (product_id, name, sku, price_minor, currency, stock, position)
            SELECT p.id, (ARRAY['Small', 'Medium', 'Large', 'Gift box'])[j + 1], 'P' || p.id || '-' || j,
                   p.base + CASE WHEN j < 2 THEN 0 ELSE 1000 * j END, 'CNY', 100000, j
            FROM (SELECT id, (ARRAY[990, 1990, 2990, 4990, 9990, 19990])[1 + floor(random() * 6)::int] AS base
                  FROM stores_product p WHERE NOT EXISTS (SELECT 1 FROM stores_variant v WHERE v.product_id = p.id)) p
            CROSS JOIN generate_series(0, {VARIANTS_PER_PRODUCT - 1}) j
            ORDER BY p.id, j""")

    extra_users = n["users"] - core["users"]
    with timer.phase("users + default addresses (SQL)", extra_users):
        cursor.execute(f"""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                       is_active, date_joined, display_name, email_notices, language, phone)
            SELECT %s, false, {_username_sql('bench-u', 'i', 5)}, '', '', 'u' || i || '@bench.invalid', false, true,
                   now(), 'Friend ' || i, true, '', ''
            FROM generate_series({core['users']}, {n['users'] - 1}) i ORDER BY i""", [password_hash])
        regions = ", ".join(f"'{r}'" for r, _c, _d in seed_scale.CITIES)
        cities = ", ".join(f"'{c}'" for _r, c, _d in seed_scale.CITIES)
        districts = ", ".join(f"'{d}'" for _r, _c, d in seed_scale.CITIES)
        k = len(seed_scale.CITIES)
        cursor.execute(f"""
            INSERT INTO logistics_address (user_id, recipient_name, phone, country, region, city, district, street,
                                           postal_code, is_default, created_at)
            SELECT u.id, u.display_name, '138' || lpad((u.id % 100000000)::text, 8, '0'), 'CN',
                   (ARRAY[{regions}])[u.id % {k} + 1], (ARRAY[{cities}])[u.id % {k} + 1],
                   (ARRAY[{districts}])[u.id % {k} + 1], (u.id % 999 + 1) || ' Lantern Road, unit ' || u.id,
                   '200120', true, now()
            FROM accounts_user u
            WHERE u.username LIKE 'bench-u%%'
              AND NOT EXISTS (SELECT 1 FROM logistics_address a WHERE a.user_id = u.id AND a.is_default)
            ORDER BY u.id""")


def lookups(cursor):
    """The tables the gift chunks draw from (row-numbered, so a random row is one index probe)."""
    cursor.execute("DROP TABLE IF EXISTS bench_seed_variant, bench_seed_big, bench_seed_shopper, bench_seed_timeline")
    pick = """SELECT row_number() OVER (ORDER BY v.id) AS rn, v.id AS variant_id, p.id AS product_id,
                     s.id AS store_id, v.price_minor AS price, p.title, v.name AS vname, v.sku, s.ship_within_hours
              FROM stores_variant v JOIN stores_product p ON p.id = v.product_id
              JOIN stores_store s ON s.id = p.store_id
              WHERE p.giftable AND p.is_active AND s.slug LIKE 'bench-%%'"""
    cursor.execute(f"CREATE UNLOGGED TABLE bench_seed_variant AS {pick}")
    cursor.execute(f"CREATE UNLOGGED TABLE bench_seed_big AS {pick} AND s.slug = 'bench-000'")
    cursor.execute("""CREATE UNLOGGED TABLE bench_seed_shopper AS
                      SELECT row_number() OVER (ORDER BY u.id) AS rn, u.id AS user_id, u.display_name
                      FROM accounts_user u WHERE u.username LIKE 'bench-u%%'""")
    for table in ("bench_seed_variant", "bench_seed_big", "bench_seed_shopper"):
        cursor.execute(f"CREATE UNIQUE INDEX ON {table} (rn)")
        cursor.execute(f"ANALYZE {table}")
    # The sandbox carrier's own timelines (logistics.carriers.sandbox.TIMELINES), as it pushes them.
    from logistics.carriers.sandbox import TIMELINES
    from logistics.carriers.statuses import SANDBOX_CODES

    cursor.execute("""CREATE UNLOGGED TABLE bench_seed_timeline (prefix text, k int, code text, status text,
                      location text, description text, PRIMARY KEY (prefix, k))""")
    rows = [(prefix, k, code, SANDBOX_CODES[code], str(location), str(description))
            for prefix in ("DLV", "FAIL", "RTN") for k, (_step, code, location, description) in
            enumerate(TIMELINES[prefix])]
    cursor.executemany("INSERT INTO bench_seed_timeline VALUES (%s, %s, %s, %s, %s, %s)", rows)
    cursor.execute("SELECT count(*) FROM bench_seed_variant")
    counts = {"variants": cursor.fetchone()[0]}
    cursor.execute("SELECT count(*) FROM bench_seed_big")
    counts["big"] = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM bench_seed_shopper")
    counts["shoppers"] = cursor.fetchone()[0]
    cursor.execute("SELECT username, id FROM accounts_user WHERE username IN ('bench-sender', 'bench-recipient')")
    counts.update(dict(cursor.fetchall()))
    return counts


def _next_id(cursor, table):
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return cursor.fetchone()[0]


GIFT_TABLES = ("orders_order", "orders_orderline", "orders_sandboxcharge", "orders_payment", "orders_sandboxwebhook",
               "orders_webhookevent", "orders_refund", "orders_sandboxrefund", "gifts_gift", "gifts_claim",
               "logistics_shipment", "logistics_trackingevent", "logistics_sandboxparcel")


def gift_chunk(cursor, lo, hi, look, seed, retention_days):
    """Gifts lo..hi-1 of the bulk history and everything they left behind, in SQL."""
    from gifts.covers import DEFAULT_COVER
    from gifts.tokens import gift_token, token_hash

    base = {t: _next_id(cursor, t) for t in ("orders_order", "orders_sandboxcharge", "orders_payment", "gifts_gift",
                                             "gifts_claim", "logistics_shipment")}
    count = hi - lo
    nv, nb, ns = look["variants"], look["big"], look["shoppers"]
    sender, recipient = look["bench-sender"], look["bench-recipient"]
    cursor.execute("SELECT setseed(%s)", [((seed * 7919 + lo) % 2_000_000) / 1_000_000 - 1])
    # One row per gift: what it is, who sent it, of what, when. i is the gift's number in the history.
    cursor.execute("DROP TABLE IF EXISTS bench_seed_plan, bench_seed_claim")
    cursor.execute(f"""
        CREATE TEMP TABLE bench_seed_plan AS
        WITH r AS MATERIALIZED (
            SELECT i, random() AS u_big, random() AS u_v, random() AS u_s, random() AS u_r, random() AS u_age,
                   random() AS u_age2, random() AS u_kind, random() AS u_claim
            FROM generate_series({lo}, {hi - 1}) i
        ), k AS (
            SELECT r.*, u_age < 0.12 AS recent,
                   CASE WHEN i % 50 = 0 THEN NULL ELSE 1 + floor(u_s * {ns})::bigint END AS sender_rn
            FROM r
        ), g AS (
            SELECT k.*,
                   -- open: within its 72-hour window; expired: long past it (the sweep ran)
                   CASE WHEN recent AND u_kind < 2.0 / 3 THEN 'open'
                        WHEN NOT recent AND u_kind < 0.034 AND age_days > 4 THEN 'expired'
                        WHEN u_kind > 0.944 THEN 'group' ELSE 'single' END AS kind,
                   now() - age_days * interval '1 day' AS created
            FROM (SELECT k.*, CASE WHEN recent THEN 1.0 / 24 + u_age2 * (2 - 1.0 / 24) ELSE 2 + u_age2 * 118 END
                         AS age_days FROM k) k
        )
        SELECT g.i, g.kind, g.created, g.u_r, g.u_claim, g.sender_rn,
               {base['gifts_gift']} + g.i - {lo} + 1 AS gift_id, {base['orders_order']} + g.i - {lo} + 1 AS order_id,
               {base['orders_payment']} + g.i - {lo} + 1 AS payment_id,
               {base['orders_sandboxcharge']} + g.i - {lo} + 1 AS charge_id,
               coalesce(sh.user_id, {sender}) AS sender_id, coalesce(sh.display_name, 'Bench Sender') AS sender_name,
               v.variant_id, v.store_id, v.price, v.title, v.vname, v.sku, v.ship_within_hours,
               CASE WHEN g.kind = 'group' THEN 3 ELSE 1 END AS quantity,
               g.created + interval '1 minute' AS opened,
               g.created + interval '1 minute' + interval '72 hours' AS expires
        FROM g
        LEFT JOIN bench_seed_shopper sh ON sh.rn = g.sender_rn
        JOIN LATERAL (SELECT * FROM bench_seed_big b WHERE g.u_big < 0.2 AND b.rn = 1 + floor(g.u_v * {nb})::bigint
                      UNION ALL
                      SELECT * FROM bench_seed_variant a WHERE g.u_big >= 0.2 AND a.rn = 1 + floor(g.u_v * {nv})::bigint
                     ) v ON true""")
    # One row per claim (a single gift: 1, a group gift: 3), with its shipment's story.
    cursor.execute(f"""
        CREATE TEMP TABLE bench_seed_claim AS
        WITH c AS (
            SELECT p.*, k, row_number() OVER (ORDER BY p.i, k) AS n,
                   least(p.created + (2 + p.u_claim * 598) * interval '1 minute', now() - interval '20 minutes')
                     + k * interval '7 minutes' AS claimed_at,
                   random() AS u_st, random() AS u_tl, random() AS u_ship,
                   -- recipients: 1% bench-recipient (the first claim), else shoppers other than the sender
                   1 + floor(p.u_r * {ns})::bigint AS r0
            FROM bench_seed_plan p CROSS JOIN LATERAL generate_series(0, p.quantity - 1) k
            WHERE p.kind IN ('single', 'group')
        ), s AS (
            SELECT c.*,
                   CASE WHEN c.sender_rn IS NOT NULL AND (c.sender_rn - c.r0 + {ns}) % {ns} < 3
                        THEN c.sender_rn + 1 ELSE c.r0 END AS r_base,
                   extract(epoch FROM now() - c.claimed_at) / 86400 AS ship_age
            FROM c
        ), t AS (
            SELECT s.*,
                   CASE WHEN s.ship_age < 2 THEN 'pending'
                        WHEN s.ship_age < 5 THEN (ARRAY['info_received', 'in_transit', 'out_for_delivery'])
                                                 [1 + floor(s.u_st * 3)::int]
                        WHEN s.u_st < 0.97 THEN 'delivered' ELSE 'returned' END AS status
            FROM s
        )
        SELECT t.*, {base['gifts_claim']} + t.n AS claim_id, {base['logistics_shipment']} + t.n AS ship_id,
               CASE WHEN t.k = 0 AND t.i % 100 = 1 THEN {recipient}
                    ELSE (SELECT user_id FROM bench_seed_shopper WHERE rn = (t.r_base - 1 + t.k) % {ns} + 1) END
                 AS recipient_id,
               CASE t.status WHEN 'returned' THEN 'RTN' WHEN 'delivered' THEN
                    CASE WHEN t.u_tl < 0.75 THEN 'FAIL' ELSE 'DLV' END ELSE 'DLV' END AS prefix,
               CASE t.status WHEN 'pending' THEN 0 WHEN 'info_received' THEN 1 WHEN 'in_transit' THEN 2
                    WHEN 'out_for_delivery' THEN 3 WHEN 'returned' THEN 6
                    ELSE CASE WHEN t.u_tl < 0.75 THEN 6 ELSE 4 END END AS steps,
               -- parcels still travelling left and moved faster, so that no checkpoint lies ahead of now
               CASE WHEN t.status = 'pending' THEN NULL
                    WHEN t.status IN ('delivered', 'returned')
                      THEN t.claimed_at + (2 + t.u_ship * 38) * interval '1 hour'
                    ELSE t.claimed_at + (2 + t.u_ship * 20) * interval '1 hour' END AS shipped,
               CASE WHEN t.status IN ('delivered', 'returned') THEN interval '12 hours' ELSE interval '4 hours' END
                 AS gap,
               CASE t.status WHEN 'pending' THEN 'accepted' WHEN 'info_received' THEN 'shipped'
                    WHEN 'in_transit' THEN 'shipped' ELSE t.status END AS claim_status
        FROM t""")
    cursor.execute("ALTER TABLE bench_seed_claim ADD COLUMN last_event timestamptz")
    cursor.execute("UPDATE bench_seed_claim SET last_event = shipped + (steps - 1) * gap "
                   "WHERE shipped IS NOT NULL")
    cursor.execute("CREATE INDEX ON bench_seed_claim (i)")
    cursor.execute("ANALYZE bench_seed_plan")
    cursor.execute("ANALYZE bench_seed_claim")

    # Card token hashes: HMAC of the gift id with the secret key, then SHA-256 (gifts.tokens).
    cursor.execute("SELECT gift_id FROM bench_seed_plan ORDER BY gift_id")
    gift_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute("DROP TABLE IF EXISTS bench_seed_token")
    cursor.execute("CREATE TEMP TABLE bench_seed_token (gift_id bigint PRIMARY KEY, token_hash varchar(64))")
    with cursor.copy("COPY bench_seed_token (gift_id, token_hash) FROM STDIN") as copy:
        for gift_id in gift_ids:
            copy.write_row((gift_id, token_hash(gift_token(gift_id=gift_id, version=1))))

    ref = "substr(md5('{0}' || p.order_id), 1, 24)"
    charge_ref, event_ref = "'ch_' || " + ref.format("ch"), "'evt_' || " + ref.format("evt")
    expired = "p.kind = 'expired'"
    cursor.execute(f"""
        INSERT INTO orders_order (id, buyer_id, store_id, kind, status, total_minor, currency, ship_to, shipment_id,
                                  pay_by, created_at, paid_at)
        SELECT p.order_id, p.sender_id, p.store_id, 'gift', CASE WHEN {expired} THEN 'refunded' ELSE 'paid' END,
               p.price * p.quantity, 'CNY', '{{}}'::jsonb, NULL, p.created + interval '30 minutes', p.created,
               p.created + interval '1 minute'
        FROM bench_seed_plan p ORDER BY p.order_id""")
    cursor.execute("""
        INSERT INTO orders_orderline (order_id, variant_id, quantity, unit_price_minor, currency, product_title,
                                      variant_name)
        SELECT p.order_id, p.variant_id, p.quantity, p.price, 'CNY', p.title, p.vname FROM bench_seed_plan p
        ORDER BY p.order_id""")
    cursor.execute(f"""
        INSERT INTO orders_sandboxcharge (id, ref, idempotency_key, amount_minor, currency, description, return_url,
                                          status, refunded_minor, created_at)
        SELECT p.charge_id, {charge_ref}, 'pay:' || p.order_id || ':1', p.price * p.quantity, 'CNY',
               'giftshop order ' || p.order_id, '', 'succeeded',
               CASE WHEN {expired} THEN p.price * p.quantity ELSE 0 END, p.created
        FROM bench_seed_plan p ORDER BY p.charge_id""")
    cursor.execute(f"""
        INSERT INTO orders_payment (id, order_id, provider, provider_ref, idempotency_key, amount_minor, refunded_minor,
                                    currency, status, checkout_url, created_at, succeeded_at)
        SELECT p.payment_id, p.order_id, 'sandbox', {charge_ref}, 'pay:' || p.order_id || ':1', p.price * p.quantity,
               CASE WHEN {expired} THEN p.price * p.quantity ELSE 0 END, 'CNY',
               CASE WHEN {expired} THEN 'refunded' ELSE 'succeeded' END,
               'http://127.0.0.1:8000/pay/sandbox/' || {charge_ref} || '/', p.created, p.created + interval '1 minute'
        FROM bench_seed_plan p ORDER BY p.payment_id""")
    body = (f"""json_build_object('id', {event_ref}, 'type', 'payment.succeeded', 'data', json_build_object('object',
             json_build_object('id', {charge_ref}, 'amount', p.price * p.quantity, 'currency', 'CNY',
                               'status', 'succeeded')))""")
    cursor.execute(f"""
        INSERT INTO orders_sandboxwebhook (event_id, body, deliver_after, delivered_at, attempts, dropped, created_at)
        SELECT {event_ref}, {body}::text, p.created, p.created + interval '1 minute', 1, false, p.created
        FROM bench_seed_plan p ORDER BY p.order_id""")
    cursor.execute(f"""
        INSERT INTO orders_webhookevent (provider, event_id, event_type, payload, outcome, received_at)
        SELECT 'sandbox', {event_ref}, 'payment.succeeded', {body}::jsonb, 'paid', p.created
        FROM bench_seed_plan p ORDER BY p.order_id""")
    # Expired gifts: the sweep refunded their units (orders.services.refunds: refund:<payment>:expired:unclaimed).
    cursor.execute(f"""
        INSERT INTO orders_refund (payment_id, refund_ref, amount_minor, reason, status, provider_ref, created_at,
                                   completed_at)
        SELECT p.payment_id, 'refund:' || p.payment_id || ':expired:unclaimed', p.price * p.quantity, 'expired',
               'succeeded', 're_' || substr(md5('re' || p.order_id), 1, 24), p.expires, p.expires + interval '1 minute'
        FROM bench_seed_plan p WHERE {expired} ORDER BY p.payment_id""")
    cursor.execute(f"""
        INSERT INTO orders_sandboxrefund (ref, charge_id, idempotency_key, amount_minor, created_at)
        SELECT 're_' || substr(md5('re' || p.order_id), 1, 24), p.charge_id,
               'refund:' || p.payment_id || ':expired:unclaimed', p.price * p.quantity, p.expires + interval '1 minute'
        FROM bench_seed_plan p WHERE {expired} ORDER BY p.payment_id""")
    cursor.execute(f"""
        INSERT INTO gifts_gift (id, order_id, sender_id, variant_id, quantity, mode, claim_rule, message, cover, status,
                                token_hash, token_version, claim_hours, expires_at, draw_at, drawn_at, claimed_units,
                                extended, reminded_at, card_emailed_to, card_texted_to, card_image, qr_image,
                                declined_by_id, created_at, opened_at, closed_at)
        SELECT p.gift_id, p.order_id, p.sender_id, p.variant_id, p.quantity,
               CASE WHEN p.kind = 'group' THEN 'group' ELSE 'single' END, 'first_come',
               'For you, with love (' || p.i || ')', '{DEFAULT_COVER}',
               CASE p.kind WHEN 'open' THEN 'open' WHEN 'expired' THEN 'expired' ELSE 'claimed' END,
               t.token_hash, 1, 72, p.expires, NULL, NULL,
               CASE WHEN p.kind IN ('single', 'group') THEN p.quantity ELSE 0 END,
               false, NULL, '', '', '', '', NULL, p.created, p.opened,
               CASE p.kind WHEN 'open' THEN NULL WHEN 'expired' THEN p.expires
                    ELSE (SELECT max(c.claimed_at) FROM bench_seed_claim c WHERE c.i = p.i) END
        FROM bench_seed_plan p JOIN bench_seed_token t ON t.gift_id = p.gift_id ORDER BY p.gift_id""")
    # Shipments: the address snapshot from the recipient's default address; redacted once the
    # retention period after the parcel's end is over (logistics.services.purge).
    purged = f"c.status IN ('delivered', 'returned') AND c.last_event < now() - interval '{retention_days} days'"
    keep = "CASE WHEN " + purged + " THEN '' ELSE {0} END"
    cursor.execute(f"""
        INSERT INTO logistics_shipment (id, store_id, recipient_id, reference, status, ship_to_name, ship_to_phone,
               ship_to_country, ship_to_region, ship_to_city, ship_to_district, ship_to_street, ship_to_postal_code,
               lines, is_gift, giver_name, gift_message, resent_from_id, carrier, tracking_number, carrier_status,
               ship_by, shipped_at, delivered_at, last_event_at, ended_at, address_purged_at, created_at)
        SELECT c.ship_id, c.store_id, c.recipient_id, 'GB-' || lpad(c.ship_id::text, 10, '0'), c.status,
               {keep.format('a.recipient_name')}, {keep.format('a.phone')}, 'CN', a.region, a.city,
               {keep.format('a.district')}, {keep.format('a.street')}, {keep.format('a.postal_code')},
               jsonb_build_array(jsonb_build_object('product_title', c.title, 'variant_name', c.vname, 'sku', c.sku,
                                                    'quantity', 1)),
               true, {keep.format('c.sender_name')}, {keep.format("'For you, with love (' || c.i || ')'")}, NULL,
               CASE WHEN c.shipped IS NULL THEN '' ELSE 'sandbox' END,
               CASE WHEN c.shipped IS NULL THEN '' ELSE c.prefix || lpad(c.ship_id::text, 9, '0') END,
               coalesce((SELECT tl.code FROM bench_seed_timeline tl WHERE tl.prefix = c.prefix AND tl.k = c.steps - 1),
                        ''),
               c.claimed_at + c.ship_within_hours * interval '1 hour', c.shipped,
               CASE WHEN c.status = 'delivered' THEN c.last_event END, c.last_event,
               CASE WHEN c.status IN ('delivered', 'returned') THEN c.last_event END,
               CASE WHEN {purged} THEN c.last_event + interval '{retention_days} days' END, c.claimed_at
        FROM bench_seed_claim c JOIN logistics_address a ON a.user_id = c.recipient_id AND a.is_default
        ORDER BY c.ship_id""")
    cursor.execute("""
        INSERT INTO gifts_claim (id, gift_id, recipient_id, variant_id, quantity, status, shipment_id, thank_you_note,
                                 thanked_at, created_at, accepted_at)
        SELECT c.claim_id, c.gift_id, c.recipient_id, c.variant_id, 1, c.claim_status, c.ship_id, '', NULL,
               c.claimed_at, c.claimed_at
        FROM bench_seed_claim c ORDER BY c.claim_id""")
    cursor.execute("""
        INSERT INTO logistics_trackingevent (shipment_id, key, occurred_at, status, raw_status, location, description,
                                             raw, created_at)
        SELECT c.ship_id, 'sbx:' || tl.k, c.shipped + tl.k * c.gap, tl.status, tl.code, tl.location,
               tl.description, '{}'::jsonb, c.shipped + tl.k * c.gap
        FROM bench_seed_claim c JOIN bench_seed_timeline tl ON tl.prefix = c.prefix AND tl.k < c.steps
        ORDER BY c.ship_id, tl.k""")
    # The carrier has pushed each dispatched parcel's whole timeline (as seed_scale: they left days ago).
    cursor.execute("""
        INSERT INTO logistics_sandboxparcel (tracking_number, registered_at, pushed)
        SELECT c.prefix || lpad(c.ship_id::text, 9, '0'), c.shipped,
               (SELECT count(*) FROM bench_seed_timeline tl WHERE tl.prefix = c.prefix)
        FROM bench_seed_claim c WHERE c.shipped IS NOT NULL ORDER BY c.ship_id""")
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE shipped IS NOT NULL), coalesce(sum(steps), 0) "
                   "FROM bench_seed_claim")
    claims, dispatched, events = cursor.fetchone()
    return {"gifts": count, "claims": claims, "shipments": claims, "dispatched": dispatched,
            "tracking_events": int(events)}


def fix_sequences(cursor, tables):
    for table in tables:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=LARGE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0 = 10,000 stores, 100,000 products, 200,000 users, 1,000,000 gifts")
    parser.add_argument("--chunk", type=int, default=50_000, help="gifts made per SQL round")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--wait-quiet", type=float, default=60,
                        help="wait at most this many seconds for the machine's load to drop under 1")
    args = parser.parse_args()

    quiet = wait_for_quiet(max_seconds=args.wait_quiet)
    started = time.perf_counter()
    timer = Timer()
    n = sizes(args.scale)
    print(f"bench database {database_name(args.database_url)}{' (reset)' if args.reset else ''}; sizes: "
          + ", ".join(f"{k}={v:,}" for k, v in n.items()), flush=True)
    with timer.phase("create database"):
        ensure_database(args.database_url, reset=args.reset)
    # The service gifts send real notice mails: kept in memory, not printed (the console backend's default).
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    env = setup_django(args.database_url, args.redis_url)

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    with timer.phase("migrate + createcachetable"):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable", verbosity=0)
    from stores.models import Store

    if Store.objects.filter(slug="bench-000").exists():
        raise SystemExit("bench: this database is already seeded; run with --reset to start again")

    rng = random.Random(args.seed)  # noqa: S311  seeded, reproducible benchmark data
    now = timezone.now()
    password_hash = make_password(BENCH_PASSWORD)
    # The well-known part, as seed_scale makes it at make bench's size.
    core = seed_scale.sizes(CORE_SCALE, SERVICE_GIFTS)
    core["password_hash"] = password_hash
    with timer.phase("core: seed_scale catalogue + users (ORM bulk_create)"):
        seed_scale.seed_catalog(core, rng, timer, now)
        seed_scale.seed_users(core, timer)

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        fill_catalog(cursor, n, core, timer, password_hash)
        with timer.phase("lookup tables"):
            look = lookups(cursor)
        bulk = n["gifts"] - n["service_gifts"]
        totals = {"gifts": 0, "claims": 0, "shipments": 0, "dispatched": 0, "tracking_events": 0}
        chunk_seconds = []
        with timer.phase("bulk gift history (SQL, all chunks)", bulk), _progress() as progress:
            task = progress.add_task("gifts", total=bulk)
            for lo in range(0, bulk, args.chunk):
                hi = min(bulk, lo + args.chunk)
                t0 = time.perf_counter()
                with connection.cursor() as chunk_cursor:
                    from django.db import transaction

                    with transaction.atomic():
                        made = gift_chunk(chunk_cursor, lo, hi, look, args.seed, settings.ADDRESS_RETENTION_DAYS)
                chunk_seconds.append(round(time.perf_counter() - t0, 2))
                for key in totals:
                    totals[key] += made[key]
                progress.update(task, advance=hi - lo,
                                description=f"gifts ({totals['tracking_events']:,} tracking events)")
        fix_sequences(cursor, GIFT_TABLES + ("stores_store", "stores_product", "stores_variant",
                                             "stores_productimage", "stores_storemember", "accounts_user",
                                             "logistics_address"))
        cursor.execute("DROP TABLE IF EXISTS bench_seed_variant, bench_seed_big, bench_seed_shopper, "
                       "bench_seed_timeline, bench_seed_plan, bench_seed_claim, bench_seed_token")
        with timer.phase("VACUUM ANALYZE (before the service gifts)"):
            cursor.execute("VACUUM ANALYZE")

    # The gifts query_scale and make_bench read: through the services, as seed_scale makes them.
    core["big_store_share"] = 0.20
    made, steps, topics = seed_scale.seed_service_gifts(core, n["service_gifts"], rng, timer)

    with connection.cursor() as cursor:
        with timer.phase("VACUUM ANALYZE"):
            cursor.execute("VACUUM ANALYZE")

    from django.db.models import Count

    from accounts.models import User
    from gifts.models import Claim, Gift
    from logistics.models import Shipment, TrackingEvent
    from stores.models import Product, Variant

    counts = {
        "stores": Store.objects.count(), "products": Product.objects.count(), "variants": Variant.objects.count(),
        "users": User.objects.count(), "gifts": Gift.objects.count(),
        "gifts_by_status": dict(Gift.objects.order_by().values_list("status").annotate(n=Count("id"))),
        "claims": Claim.objects.count(), "shipments": Shipment.objects.count(),
        "pending_shipments": Shipment.objects.filter(status="pending").count(),
        "tracking_events": TrackingEvent.objects.count(),
        "bench-000 gifts": Gift.objects.filter(variant__product__store__slug="bench-000").count(),
        "bench-sender gifts": Gift.objects.filter(sender__username="bench-sender").count(),
        "bench-recipient claims": Claim.objects.filter(recipient__username="bench-recipient").count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database_size"] = cursor.fetchone()[0]
    total = time.perf_counter() - started
    result = {
        **run_header(env), "script": "seed_large", "machine_quiet_at_start": quiet,
        "database": database_name(args.database_url), "scale": args.scale, "sizes": n, "chunk": args.chunk,
        "counts": counts, "bulk": totals, "chunk_seconds": chunk_seconds, "phases": timer.phases,
        "service_gifts": made, "service_steps": steps, "outbox_consumers": topics,
        "total_seconds": round(total, 1),
    }
    path = write_result(f"seed_large_{database_name(args.database_url)}", result)
    print(json.dumps({"counts": counts, "bulk": totals}, indent=2))
    print("phases:")
    for name, phase in timer.phases.items():
        print(f"  {name:55s} {phase['seconds']:8.1f} s")
    print(f"done in {total:.1f} s ({total / 60:.1f} min); results in {path}")


if __name__ == "__main__":
    main()
