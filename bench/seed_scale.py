"""Build a large shop in a bench database, fast.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/giftshop_bench \
        .venv/bin/python bench/seed_scale.py --reset                  # 50 stores ... 10,000 gifts
    .venv/bin/python bench/seed_scale.py --reset --scale 0.02 \
        --database-url postgres://postgres@127.0.0.1:5432/giftshop_bench_small   # the small twin

It creates the database if it is missing (--reset drops it first; only giftshop_bench* databases),
runs migrate and createcachetable, then seeds:

- with bulk_create, where no business rule is involved or the rows are history: stores, members,
  products (one photo each, all the same small file), variants, users (one shared password hash),
  default addresses; and the bulk of the gifts as finished history (order paid, payment succeeded,
  sandbox charge and delivered webhook, gift claimed or open, claim, shipment in a status that fits
  its age, tracking events, sandbox parcel);
- through the real services, a realistic subset ("--service-gifts"): gift_create → the sandbox's
  hosted-checkout action sandbox_charge_complete → sandbox_deliver_webhooks (signed webhook through
  the whole Django stack, in-process) → outbox_relay (opens the gift, renders its card image and QR
  code) → claim_accept with a saved address → shipment_dispatch for some, relayed again (the sandbox
  carrier registers the parcel, then pushes its whole timeline to our webhook, the claim follows it).

Well-known rows the other scripts use: store bench-000 (20% of all gifts; owner bench-merchant-000),
user bench-sender (sends max(25, 2%) of the gifts), user bench-recipient (claims max(25, 1%)).
Every user's password is bench-pass-2024. Timings are printed and written to
bench/results/seed_<database>.json.
"""

import argparse
import json
import os
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH_PASSWORD,
    DEFAULT_DATABASE_URL,
    SCRATCH_DIR,
    Timer,
    database_name,
    ensure_database,
    run_header,
    setup_django,
    wait_for_quiet,
    write_result,
)

BATCH = 2000
VARIANT_NAMES = ["Small", "Medium", "Large", "Gift box"]
CITIES = [("Shanghai", "Shanghai", "Pudong"), ("Beijing", "Beijing", "Chaoyang"), ("Guangdong", "Shenzhen", "Nanshan"),
          ("Zhejiang", "Hangzhou", "Xihu"), ("Sichuan", "Chengdu", "Wuhou"), ("Jiangsu", "Suzhou", "Gusu")]


def sizes(scale: float, service_gifts: int | None) -> dict:
    gifts = max(200, round(10_000 * scale))
    return {
        "stores": max(2, round(50 * scale)),
        "products": max(100, round(5_000 * scale)),
        "variants_per_product": 4,
        "users": max(400, round(20_000 * scale)),
        "gifts": gifts,
        "service_gifts": min(gifts, service_gifts if service_gifts is not None else max(30, round(500 * scale))),
        "big_store_share": 0.20,
        "heavy_sender_gifts": max(25, round(gifts * 0.02)),
        "heavy_recipient_claims": max(25, round(gifts * 0.01)),
    }


def take_ids(model, n: int) -> list[int]:
    """Reserve n primary keys from the table's sequence (so related rows can be built before insert)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, n]
        )
        return [row[0] for row in cursor.fetchall()]


def bulk(model, rows):
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start:start + BATCH])


def photo_file() -> str:
    """One small JPEG every product photo points at (the pages and the card renderer read it)."""
    from PIL import Image

    relative = "products/bench-photo.jpg"
    path = SCRATCH_DIR / "media" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        Image.new("RGB", (800, 800), (200, 120, 90)).save(path, "JPEG", quality=80)
        Image.new("RGB", (320, 320), (200, 120, 90)).save(path.with_name("bench-thumb.jpg"), "JPEG", quality=80)
    return relative


def seed_catalog(n, rng, timer, now):
    from accounts.models import User
    from stores.models import Product, ProductImage, Store, StoreMember, Variant

    with timer.phase("stores + merchants", n["stores"]):
        stores = [Store(slug=f"bench-{k:03d}", name=f"Bench Store {k:03d}",
                        description=f"Lanterns, tea and paper goods, shop {k}.", ship_within_hours=48)
                  for k in range(n["stores"])]
        bulk(Store, stores)
        stores = list(Store.objects.filter(slug__startswith="bench-").order_by("slug"))
        merchants = [User(username=f"bench-merchant-{k:03d}", email=f"merchant{k}@bench.invalid",
                          display_name=f"Merchant {k}", password=n["password_hash"]) for k in range(n["stores"])]
        bulk(User, merchants)
        merchants = list(User.objects.filter(username__startswith="bench-merchant-").order_by("username"))
        bulk(StoreMember, [StoreMember(store=s, user=u, role="owner") for s, u in zip(stores, merchants, strict=True)])

    per_store = n["products"] // n["stores"]
    with timer.phase("products + photos", per_store * n["stores"]):
        products = []
        for s_index, store in enumerate(stores):
            for p in range(per_store):
                number = s_index * per_store + p
                products.append(Product(
                    store=store, title=f"Lantern no. {number}", slug=f"lantern-{number}",
                    description="A paper lantern, hand-folded. " * 4, giftable=rng.random() < 0.9,
                    created_at=now - timedelta(days=rng.uniform(0, 365)),
                ))
        bulk(Product, products)
        products = list(Product.objects.filter(store__slug__startswith="bench-").order_by("id"))
        relative = photo_file()
        thumb = relative.replace("bench-photo", "bench-thumb")
        bulk(ProductImage, [ProductImage(product=p, image=relative, thumbnail=thumb, width=800, height=800, position=0)
                            for p in products])

    with timer.phase("variants", len(products) * n["variants_per_product"]):
        variants = []
        for product in products:
            base = rng.choice([990, 1990, 2990, 4990, 9990, 19990])
            for j, name in enumerate(VARIANT_NAMES[:n["variants_per_product"]]):
                # The first two options share a price: a recipient may switch between them.
                price = base if j < 2 else base + 1000 * j
                variants.append(Variant(product=product, name=name, sku=f"P{product.id}-{j}", price_minor=price,
                                        stock=100_000, position=j))
        bulk(Variant, variants)
    return stores, products


def seed_users(n, timer):
    from accounts.models import User
    from logistics.models import Address

    with timer.phase("users", n["users"] + 2):
        users = [User(username=f"bench-u{i:05d}", email=f"u{i}@bench.invalid", display_name=f"Friend {i}",
                      password=n["password_hash"]) for i in range(n["users"])]
        users += [User(username="bench-sender", email="sender@bench.invalid", display_name="Bench Sender",
                       password=n["password_hash"]),
                  User(username="bench-recipient", email="recipient@bench.invalid", display_name="Bench Recipient",
                       password=n["password_hash"])]
        bulk(User, users)
    with timer.phase("default addresses", len(users)):
        rows = list(User.objects.filter(username__startswith="bench-").exclude(
            username__startswith="bench-merchant-").values_list("id", "display_name"))
        addresses = []
        for user_id, name in rows:
            region, city, district = CITIES[user_id % len(CITIES)]
            addresses.append(Address(
                user_id=user_id, recipient_name=name, phone=f"138{user_id % 100_000_000:08d}", country="CN",
                region=region, city=city, district=district, street=f"{user_id % 999 + 1} Lantern Road, unit {user_id}",
                postal_code="200120", is_default=True,
            ))
        bulk(Address, addresses)


def _shipment_state(age_days, rng):
    """What a parcel looks like, by how long ago its gift was claimed."""
    if age_days < 2:
        return "pending", 0
    if age_days < 5:
        return rng.choice([("info_received", 1), ("in_transit", 2), ("out_for_delivery", 3)])
    return ("delivered", 4) if rng.random() < 0.97 else ("returned", 6)


CLAIM_FOR_SHIPMENT = {"pending": "accepted", "info_received": "shipped", "in_transit": "shipped",
                      "out_for_delivery": "out_for_delivery", "delivered": "delivered", "returned": "returned"}
DLV_EVENTS = [("ACCEPTED", "info_received", "Shanghai", "Parcel information received"),
              ("IN_TRANSIT", "in_transit", "Shanghai hub", "Departed the sorting centre"),
              ("OUT_FOR_DELIVERY", "out_for_delivery", "Local depot", "Out for delivery"),
              ("DELIVERED", "delivered", "Front door", "Delivered, signed by the recipient")]
RTN_EVENTS = DLV_EVENTS[:3] + [("ATTEMPT_FAILED", "delivery_failed", "Front door", "Address could not be found"),
                               ("RETURNING", "returning", "Local depot", "Returning to the sender"),
                               ("RETURNED", "returned", "Shanghai", "Returned to the sender")]


def seed_bulk_gifts(n, count, rng, timer, now):
    """Finished gift history, row by row as the services would have left it (no StatusChange rows,
    no outbox rows, no card images: those belong to gifts made through the services)."""
    from accounts.models import User
    from gifts.models import Claim, Gift
    from gifts.tokens import gift_token, token_hash
    from logistics.models import Address, SandboxParcel, Shipment, TrackingEvent
    from orders.models import Order, OrderLine, Payment, SandboxCharge, SandboxWebhook, WebhookEvent
    from stores.models import Variant

    if count <= 0:
        return
    variants = list(Variant.objects.filter(product__giftable=True, product__store__slug__startswith="bench-")
                    .values_list("id", "product_id", "price_minor", "product__store_id", "product__title", "name",
                                 "sku", "product__store__slug"))
    big = [v for v in variants if v[7] == "bench-000"]
    shoppers = list(User.objects.filter(username__startswith="bench-u").values_list("id", "display_name"))
    special = dict(User.objects.filter(username__in=["bench-sender", "bench-recipient"]).values_list("username", "id"))
    addresses = {a.user_id: a for a in Address.objects.filter(is_default=True, user__username__startswith="bench-")}
    names = dict(User.objects.filter(username__startswith="bench-").values_list("id", "display_name"))

    heavy_sender_left = n["heavy_sender_gifts"] - n["service_heavy_sender"]
    heavy_recipient_left = n["heavy_recipient_claims"] - n["service_heavy_recipient"]
    order_ids, gift_ids = take_ids(Order, count), take_ids(Gift, count)
    ship_ids = take_ids(Shipment, count)
    orders, lines, charges, payments, hooks, events, gifts = [], [], [], [], [], [], []
    shipments, claims, tracking, parcels = [], [], [], []
    taken = {}
    with timer.phase("bulk gifts: build rows", count):
        for i in range(count):
            v_id, product_id, price, store_id, title, v_name, sku, _slug = rng.choice(
                big if rng.random() < n["big_store_share"] else variants)
            if heavy_sender_left > 0 and i % 7 == 0:
                sender_id, heavy_sender_left = special["bench-sender"], heavy_sender_left - 1
            else:
                sender_id = rng.choice(shoppers)[0]
            recent = rng.random() < 0.2
            age = timedelta(days=rng.uniform(0, 2) if recent else rng.uniform(2, 90))
            created = now - age
            open_gift = recent and rng.random() < 0.5 and age < timedelta(hours=70)
            order_id, gift_id, ship_id = order_ids[i], gift_ids[i], ship_ids[i]
            charge_ref = f"ch_{secrets.token_hex(12)}"
            orders.append(Order(id=order_id, buyer_id=sender_id, store_id=store_id, kind="gift", status="paid",
                                total_minor=price, currency="CNY", pay_by=created + timedelta(minutes=30),
                                created_at=created, paid_at=created + timedelta(minutes=1)))
            lines.append(OrderLine(order_id=order_id, variant_id=v_id, quantity=1, unit_price_minor=price,
                                   currency="CNY", product_title=title, variant_name=v_name))
            charges.append(SandboxCharge(ref=charge_ref, idempotency_key=f"pay:{order_id}:1", amount_minor=price,
                                         currency="CNY", description=f"giftshop order {order_id}",
                                         status="succeeded", created_at=created))
            payments.append(Payment(order_id=order_id, provider="sandbox", provider_ref=charge_ref,
                                    idempotency_key=f"pay:{order_id}:1", amount_minor=price, currency="CNY",
                                    status="succeeded", created_at=created, succeeded_at=created + timedelta(minutes=1),
                                    checkout_url=f"http://127.0.0.1:8000/pay/sandbox/{charge_ref}/"))
            event_id = f"evt_{secrets.token_hex(12)}"
            body = json.dumps({"id": event_id, "type": "payment.succeeded", "data": {"object": {
                "id": charge_ref, "amount": price, "currency": "CNY", "status": "succeeded"}}})
            hooks.append(SandboxWebhook(event_id=event_id, body=body, deliver_after=created, attempts=1,
                                        delivered_at=created + timedelta(minutes=1), created_at=created))
            events.append(WebhookEvent(provider="sandbox", event_id=event_id, event_type="payment.succeeded",
                                       payload=json.loads(body), outcome="paid", received_at=created))
            opened = created + timedelta(minutes=1)
            gift = Gift(id=gift_id, order_id=order_id, sender_id=sender_id, variant_id=v_id, quantity=1,
                        message=f"For you, with love ({i})", status="open" if open_gift else "claimed",
                        token_hash=token_hash(gift_token(gift_id=gift_id, version=1)), claim_hours=72,
                        expires_at=opened + timedelta(hours=72), claimed_units=0 if open_gift else 1,
                        created_at=created, opened_at=opened, closed_at=None if open_gift else opened)
            gifts.append(gift)
            taken[v_id] = taken.get(v_id, 0) + 1
            if open_gift:
                continue
            if heavy_recipient_left > 0 and i % 5 == 1 and sender_id != special["bench-recipient"]:
                recipient_id, heavy_recipient_left = special["bench-recipient"], heavy_recipient_left - 1
            else:
                recipient_id = rng.choice(shoppers)[0]
                while recipient_id == sender_id:
                    recipient_id = rng.choice(shoppers)[0]
            claimed_at = created + timedelta(minutes=rng.uniform(2, 600))
            ship_age = (now - claimed_at).total_seconds() / 86400
            status, steps = _shipment_state(ship_age, rng)
            addr = addresses[recipient_id]
            dispatched = status != "pending"
            tracking_number = (f"{'RTN' if status == 'returned' else 'DLV'}{ship_id:09d}") if dispatched else ""
            shipped = claimed_at + timedelta(hours=rng.uniform(2, 40)) if dispatched else None
            timeline = (RTN_EVENTS if status == "returned" else DLV_EVENTS)[:steps]
            shipments.append(Shipment(
                id=ship_id, store_id=store_id, recipient_id=recipient_id, reference=f"GB-{ship_id:010d}",
                status=status, ship_to_name=addr.recipient_name, ship_to_phone=addr.phone, ship_to_country="CN",
                ship_to_region=addr.region, ship_to_city=addr.city, ship_to_district=addr.district,
                ship_to_street=addr.street, ship_to_postal_code=addr.postal_code,
                lines=[{"product_title": title, "variant_name": v_name, "sku": sku, "quantity": 1}],
                is_gift=True, giver_name=names[sender_id], gift_message=gift.message,
                carrier="sandbox" if dispatched else "", tracking_number=tracking_number,
                carrier_status=timeline[-1][0] if timeline else "",
                ship_by=claimed_at + timedelta(hours=48), shipped_at=shipped,
                delivered_at=shipped + timedelta(days=2) if status == "delivered" else None,
                last_event_at=shipped + timedelta(hours=steps * 12) if dispatched else None, created_at=claimed_at,
            ))
            claims.append(Claim(gift_id=gift_id, recipient_id=recipient_id, variant_id=v_id, quantity=1,
                                status=CLAIM_FOR_SHIPMENT[status], shipment_id=ship_id, created_at=claimed_at,
                                accepted_at=claimed_at))
            for k, (code, ev_status, location, description) in enumerate(timeline):
                tracking.append(TrackingEvent(shipment_id=ship_id, key=f"sbx:{k}", status=ev_status, raw_status=code,
                                              occurred_at=shipped + timedelta(hours=12 * k), location=location,
                                              description=description, created_at=shipped + timedelta(hours=12 * k)))
            if dispatched:
                # The sandbox carrier's timelines run in minutes, these parcels left days ago: the
                # carrier has pushed its whole timeline (its push job has nothing left to send).
                full = len(RTN_EVENTS if status == "returned" else DLV_EVENTS)
                parcels.append(SandboxParcel(tracking_number=tracking_number, registered_at=shipped, pushed=full))
    with timer.phase("bulk gifts: insert", count):
        for model, rows in ((Order, orders), (OrderLine, lines), (SandboxCharge, charges), (Payment, payments),
                            (SandboxWebhook, hooks), (WebhookEvent, events), (Gift, gifts), (Shipment, shipments),
                            (Claim, claims), (TrackingEvent, tracking), (SandboxParcel, parcels)):
            bulk(model, rows)
        # The units the gifts hold come out of stock, as stock_reserve would have taken them.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.executemany("UPDATE stores_variant SET stock = stock - %s WHERE id = %s",
                               [(units, v_id) for v_id, units in taken.items()])
    return {"gifts": len(gifts), "claims": len(claims), "shipments": len(shipments), "tracking_events": len(tracking)}


class TopicClock:
    """Wraps the outbox consumers to time each topic (instrumentation only; same consumers run)."""

    def __init__(self):
        from giftshop import outbox

        self.seconds, self.count = {}, {}
        for topic, funcs in list(outbox._consumers.items()):
            outbox._consumers[topic] = [self._wrap(topic, func) for func in funcs]

    def _wrap(self, topic, func):
        def timed(payload, *, key):
            start = time.perf_counter()
            try:
                return func(payload, key=key)
            finally:
                self.seconds[topic] = self.seconds.get(topic, 0.0) + time.perf_counter() - start
                self.count[topic] = self.count.get(topic, 0) + 1
        return timed

    def report(self):
        return {t: {"count": self.count[t], "seconds": round(self.seconds[t], 2),
                    "ms_each": round(self.seconds[t] / self.count[t] * 1000, 1)} for t in sorted(self.count)}


def relay_all(rounds=50):
    from giftshop.outbox import outbox_relay

    for _ in range(rounds):
        if not outbox_relay(limit=100)["claimed"]:
            return
    raise RuntimeError("the outbox never settled")


def seed_service_gifts(n, count, rng, timer):
    """Gifts made the way the shop makes them: services, the sandbox provider, the outbox."""
    from accounts.models import User
    from gifts.models import Gift
    from gifts.services.claims import claim_accept
    from gifts.services.sending import gift_create
    from logistics.models import Address, Shipment
    from logistics.services.tracking import shipment_dispatch
    from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
    from stores.models import Variant

    clock = TopicClock()
    variants = list(Variant.objects.filter(product__giftable=True, product__store__slug__startswith="bench-")
                    .values_list("id", "product__store__slug"))
    big = [v for v, slug in variants if slug == "bench-000"]
    every = [v for v, _ in variants]
    shoppers = list(User.objects.filter(username__startswith="bench-u").order_by("id")[:5000])
    sender = User.objects.get(username="bench-sender")
    recipient = User.objects.get(username="bench-recipient")
    address_of = dict(Address.objects.filter(is_default=True, user__username__startswith="bench-")
                      .values_list("user_id", "id"))
    plan = []  # (sender, variant_id, mode, quantity, recipients)
    for i in range(count):
        v = rng.choice(big if rng.random() < n["big_store_share"] or i < 2 else every)
        if i == 0:  # the claimed card query_scale reads
            plan.append((sender, v, "single", 1, [recipient]))
        elif i == 1:  # an open card
            plan.append((sender, v, "single", 1, []))
        elif i % 10 == 2:  # a group gift of three, all claimed
            plan.append((rng.choice(shoppers), v, "group", 3, rng.sample(shoppers, 3)))
        elif i % 10 == 3:
            plan.append((rng.choice(shoppers), v, "single", 1, []))
        else:
            plan.append((rng.choice(shoppers), v, "single", 1, [rng.choice(shoppers)]))
    made = {"gifts": 0, "claims": 0, "dispatched": 0}
    t = {"gift_create": 0.0, "charge_complete": 0.0, "deliver_webhooks": 0.0, "relay": 0.0, "claim_accept": 0.0,
         "dispatch": 0.0, "carrier_push": 0.0}
    batch = 50
    start_all = time.perf_counter()
    for b in range(0, len(plan), batch):
        chunk = plan[b:b + batch]
        s = time.perf_counter()
        gifts = [gift_create(sender=who, variant_id=v, mode=mode, quantity=q, message="Happy lantern festival!",
                             claim_hours=72) for who, v, mode, q, _ in chunk]
        t["gift_create"] += time.perf_counter() - s
        s = time.perf_counter()
        for gift in gifts:
            sandbox_charge_complete(ref=gift.order.payments.get().provider_ref, outcome="succeeded")
        t["charge_complete"] += time.perf_counter() - s
        s = time.perf_counter()
        for _ in range(10):
            if not sandbox_deliver_webhooks(limit=100)["sent"]:
                break
        t["deliver_webhooks"] += time.perf_counter() - s
        s = time.perf_counter()
        relay_all()
        t["relay"] += time.perf_counter() - s
        s = time.perf_counter()
        shipments = []
        for gift, (who, _v, _m, _q, recipients) in zip(gifts, chunk, strict=True):
            gift = Gift.objects.get(id=gift.id)
            assert gift.status == "open", gift.status  # noqa: S101  the seeder's own sanity check
            for r in recipients:
                if r.id == who.id:
                    continue
                claim = claim_accept(gift=gift, user=r, address_id=address_of[r.id])
                gift.refresh_from_db()
                shipments.append(claim.shipment_id)
                made["claims"] += 1
        t["claim_accept"] += time.perf_counter() - s
        made["gifts"] += len(gifts)
        s = time.perf_counter()
        for ship_id in shipments[::5] + shipments[1::5]:  # 40% leave the merchant's hands
            shipment = Shipment.objects.get(id=ship_id)
            shipment_dispatch(shipment=shipment, carrier="sandbox", tracking_number=f"DLV{ship_id:09d}",
                              actor=shipment.store.members.first().user)
            made["dispatched"] += 1
        relay_all()
        t["dispatch"] += time.perf_counter() - s
        print(f"    {made['gifts']}/{len(plan)} gifts, {made['claims']} claims "
              f"({time.perf_counter() - start_all:.1f} s)", flush=True)
    # The dispatched parcels travel: the sandbox carrier pushes their whole timeline (its clock a few
    # minutes ahead: checkpoints are a minute apart) to our webhook, and the claims follow.
    from django.utils import timezone

    from logistics.carriers.sandbox import SandboxCarrier

    s = time.perf_counter()
    later = timezone.now() + timedelta(minutes=5)
    made["carrier_pushes"] = SandboxCarrier(clock=lambda: later).push_due()
    relay_all()
    t["carrier_push"] = time.perf_counter() - s
    total = time.perf_counter() - start_all
    timer.phases["service gifts (total)"] = {"seconds": round(total, 2), "count": made["gifts"],
                                             "ms_each": round(total / max(1, made["gifts"]) * 1000, 1)}
    steps = {k: {"seconds": round(v, 2)} for k, v in t.items()}
    steps["gift_create"]["ms_each"] = round(t["gift_create"] / max(1, made["gifts"]) * 1000, 1)
    steps["charge_complete"]["ms_each"] = round(t["charge_complete"] / max(1, made["gifts"]) * 1000, 1)
    steps["deliver_webhooks"]["ms_each"] = round(t["deliver_webhooks"] / max(1, made["gifts"]) * 1000, 1)
    steps["claim_accept"]["ms_each"] = round(t["claim_accept"] / max(1, made["claims"]) * 1000, 1)
    return made, steps, clock.report()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 50 stores, 5,000 products, "
                        "20,000 variants, 20,000 users, 10,000 gifts")
    parser.add_argument("--service-gifts", type=int, default=None,
                        help="how many of the gifts go through the real services (default 500 × scale, at least 30)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--wait-quiet", type=float, default=60,
                        help="wait at most this many seconds for the machine's load to drop under 1")
    args = parser.parse_args()

    quiet = wait_for_quiet(max_seconds=args.wait_quiet)
    started = time.perf_counter()
    timer = Timer()
    print(f"bench database {database_name(args.database_url)}{' (reset)' if args.reset else ''}", flush=True)
    with timer.phase("create database"):
        ensure_database(args.database_url, reset=args.reset)
    env = setup_django(args.database_url)

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
    n = sizes(args.scale, args.service_gifts)
    n["password_hash"] = make_password(BENCH_PASSWORD)
    n["service_heavy_sender"] = n["service_heavy_recipient"] = 0
    shown = {k: v for k, v in n.items() if k != "password_hash" and not k.startswith("service_heavy")}
    print("sizes: " + ", ".join(f"{k}={v}" for k, v in shown.items()), flush=True)
    now = timezone.now()
    seed_catalog(n, rng, timer, now)
    seed_users(n, timer)
    # The services' gifts are made after the bulk history, on the large database; the bulk needs
    # to know how many well-known gifts they will add, so it is told beforehand.
    n["service_heavy_sender"], n["service_heavy_recipient"] = 2, 1
    bulk_counts = seed_bulk_gifts(n, n["gifts"] - n["service_gifts"], rng, timer, now)
    with timer.phase("VACUUM ANALYZE"):
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    made, steps, topics = seed_service_gifts(n, n["service_gifts"], rng, timer)
    with timer.phase("ANALYZE"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from accounts.models import User
    from gifts.models import Claim, Gift
    from logistics.models import Shipment
    from stores.models import Product, Variant

    counts = {
        "stores": Store.objects.count(), "products": Product.objects.count(), "variants": Variant.objects.count(),
        "users": User.objects.count(), "gifts": Gift.objects.count(),
        "gifts_by_status": {s: Gift.objects.filter(status=s).count() for s in ("open", "claimed")},
        "claims": Claim.objects.count(), "shipments": Shipment.objects.count(),
        "pending_shipments": Shipment.objects.filter(status="pending").count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database_size"] = cursor.fetchone()[0]
    total = time.perf_counter() - started
    result = {
        **run_header(env), "script": "seed_scale", "machine_quiet_at_start": quiet,
        "database": database_name(args.database_url),
        "scale": args.scale, "sizes": {k: v for k, v in n.items() if k != "password_hash"},
        "counts": counts, "phases": timer.phases, "bulk": bulk_counts, "service_gifts": made,
        "service_steps": steps, "outbox_consumers": topics, "total_seconds": round(total, 1),
    }
    path = write_result(f"seed_{database_name(args.database_url)}", result)
    print(json.dumps({"counts": counts, "service_steps": steps, "outbox_consumers": topics}, indent=2))
    print(f"done in {total:.1f} s; results in {path}")


if __name__ == "__main__":
    main()
