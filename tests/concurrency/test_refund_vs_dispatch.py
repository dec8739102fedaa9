"""Refund versus dispatch: the merchant hands a parcel to the carrier at the very moment it is
refunded (the sender's one-click not-shipped refund, the merchant's console refund, the ship-by
job's automatic refund). Both need the shipment `pending` (DESIGN §4), so for every parcel exactly
one wins: it is dispatched and nothing is refunded, or it is cancelled and refunded once and the
dispatch answers `shipment_not_pending`. Stock and refund totals follow whichever won, and nobody
sees a deadlock or any other unexpected error.

Parcels come from the real flow (a paid group gift claimed by friends, paid purchases); they are
made overdue past the grace period on the database clock, so every refunder is allowed to act.
"""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models.functions import Now

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.merchant_refunds import shipment_refund_by_merchant
from gifts.services.ship_by import claim_refund_not_shipped
from giftshop.models import OutboxMessage
from giftshop.outbox import outbox_relay
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch
from orders.models import Order, Payment, Refund
from orders.services.checkout import order_create_purchase
from stores.models import Variant
from tests.concurrency.harness import pause_at, run_concurrently
from tests.factories import StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE = 1500
STOCK = 200
GIFT_UNITS = 2
PURCHASE_UNITS = 3
SPREAD_STEP = {"sender": 0.02, "merchant": 0.02, "job": 0.12, "all": 0.08}  # seconds between dispatches
DISPATCH_ERRORS = {"ShipmentNotPending"}
SPREAD_RETRIES = 2  # races run again on fresh parcels when one did not go both ways (see test 1)


@dataclass(frozen=True)
class Parcel:
    shipment_id: int
    order_id: int  # the gift's order, or the purchase
    variant_id: int
    units: int
    claim_id: int | None = None  # a gift claim's parcel
    gift_id: int | None = None

    @property
    def scope(self):
        """The scope of its refund's reference: the claim, or the purchase."""
        return self.claim_id if self.claim_id is not None else self.order_id


@pytest.fixture
def merchant(transactional_db):
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


def new_variant(store):
    return VariantFactory(product__store=store, product__title="Jasmine tea", stock=STOCK, price_minor=PRICE)


def gift_parcels(store, claimers, *, variant=None) -> list[Parcel]:
    """One parcel per claimer: each a single gift of GIFT_UNITS of its own variant, or, given a
    `variant`, one claim each of a group gift of that variant."""
    parcels = []
    if variant is not None:
        gift = paid_gift(sender=UserFactory(), variant=variant, quantity=len(claimers), mode="group")
    for user, address_id in claimers:
        if variant is None:
            gift = paid_gift(sender=UserFactory(), variant=new_variant(store), quantity=GIFT_UNITS)
        claim = claim_accept(gift=gift, user=user, address_id=address_id)
        parcels.append(
            Parcel(
                shipment_id=claim.shipment_id,
                order_id=gift.order_id,
                variant_id=gift.variant_id,
                units=claim.quantity,
                claim_id=claim.id,
                gift_id=gift.id,
            )
        )
    return parcels


def purchase_parcels(store, buyers, *, variant=None) -> list[Parcel]:
    """One paid purchase of PURCHASE_UNITS per buyer (each of its own variant, unless one is given)."""
    parcels = []
    for user, address_id in buyers:
        bought = variant or new_variant(store)
        order = order_create_purchase(buyer=user, variant_id=bought.id, quantity=PURCHASE_UNITS, address_id=address_id)
        pay(order)
        order.refresh_from_db()
        parcels.append(
            Parcel(shipment_id=order.shipment_id, order_id=order.id, variant_id=bought.id, units=PURCHASE_UNITS)
        )
    return parcels


def stock_before(parcels) -> dict:
    """Each variant's stock before its parcels' units were taken."""
    stock = dict(Variant.objects.filter(id__in={p.variant_id for p in parcels}).values_list("id", "stock"))
    for parcel in parcels:
        stock[parcel.variant_id] += parcel.units
    return stock


def past_grace(parcels):
    """Every parcel missed its promise (and its payer and the store were told, by the job) and then
    the grace period after it too, on the database clock."""
    shipments = Shipment.objects.filter(id__in=[p.shipment_id for p in parcels])
    shipments.update(ship_by=Now() - timedelta(hours=1))
    call_command("enforce_ship_by", stdout=StringIO())
    drain_outbox()
    shipments.update(ship_by=Now() - timedelta(hours=settings.SHIP_BY_GRACE_HOURS + 1))


def after(delay, call):
    def task():
        if delay:
            time.sleep(delay)
        return call()

    return task


def dispatch(parcel, delay=0.0):
    def call():
        shipment = Shipment.objects.get(id=parcel.shipment_id)  # each request loads its own row
        shipment_dispatch(
            shipment=shipment,
            actor=member_of(shipment),
            carrier="sandbox",
            tracking_number=f"DLV{parcel.shipment_id:08d}",
        )
        return ("dispatched", parcel.shipment_id)

    return after(delay, call)


def sender_refund(parcel, delay=0.0):
    def call():
        gift = Gift.objects.select_related("sender").get(id=parcel.gift_id)
        return claim_refund_not_shipped(gift=gift, claim_id=parcel.claim_id, actor=gift.sender)

    return after(delay, call)


def merchant_refund(parcel, merchant, delay=0.0):
    def call():
        return shipment_refund_by_merchant(shipment=Shipment.objects.get(id=parcel.shipment_id), actor=merchant)

    return after(delay, call)


def ship_by_job():
    """The ship-by job as the worker runs it: the periodic command, then the outbox relay that
    carries its "refund due" news to the parcel's owner (gifts for a claim, orders for a purchase),
    until nothing is due."""
    call_command("enforce_ship_by", stdout=StringIO())
    for _ in range(10):
        if not outbox_relay()["claimed"]:
            break
    return "job done"


def job(delay=0.0):
    return after(delay, ship_by_job)


def refunder_tasks(kind, parcels, merchant, delay=0.0):
    """The refund side of the race: one request per parcel, or two overlapping runs of the job,
    `delay` seconds after the start."""
    if kind == "job":
        return [job(delay), job(delay + 0.01)]
    make = {"sender": sender_refund, "merchant": lambda p, d: merchant_refund(p, merchant, d)}[kind]
    return [make(p, delay) for p in parcels]


def dispatch_tasks(parcels, refunder, stretch=1.0):
    """Parcel i is dispatched (i % 10) steps after the start (steps `stretch` times SPREAD_STEP).
    Among forty threads sharing one interpreter, a refund reaches the shipment's row some tens of
    milliseconds in (the job, whose relay refunds parcel after parcel among the dispatches' own
    news, some hundreds; refunds of one variant queue on its row), so the early dispatches come
    before it, the late ones after it, and those in the middle meet it on the row."""
    return [dispatch(p, (i % 10) * SPREAD_STEP[refunder] * stretch) for i, p in enumerate(parcels)]


def parcel_refunds(parcel):
    return Refund.objects.filter(payment__order_id=parcel.order_id, refund_ref__endswith=f":{parcel.scope}")


def books(parcels, *, initial_stock: dict) -> tuple[set, set, list[str]]:
    """(dispatched shipment ids, cancelled shipment ids, problems): each parcel went exactly one way,
    and the stock, refunds, claims, orders and payments agree with it. Call after drain_outbox()."""
    dispatched, cancelled, problems = set(), set(), []
    for parcel in parcels:
        shipment = Shipment.objects.get(id=parcel.shipment_id)
        refunds = list(parcel_refunds(parcel))
        if shipment.status == Shipment.Status.CANCELLED:
            cancelled.add(parcel.shipment_id)
            if shipment.shipped_at is not None or shipment.tracking_number:
                problems.append(f"shipment {shipment.id} is cancelled yet was dispatched")
            if len(refunds) != 1 or refunds[0].amount_minor != parcel.units * PRICE:
                found = [(r.reason, r.amount_minor) for r in refunds]
                problems.append(f"cancelled shipment {shipment.id} has refunds {found}")
            if refunds and refunds[0].status != Refund.Status.SUCCEEDED:
                problems.append(f"refund {refunds[0].refund_ref} is {refunds[0].status}")
        elif shipment.shipped_at is not None:
            dispatched.add(parcel.shipment_id)
            if refunds:
                problems.append(
                    f"dispatched shipment {shipment.id} was refunded too: {[r.refund_ref for r in refunds]}"
                )
        else:
            problems.append(f"shipment {shipment.id} is {shipment.status}: neither dispatched nor cancelled")
        if parcel.claim_id is not None:
            claim = Claim.objects.get(id=parcel.claim_id)
            refunded = claim.status == Claim.Status.REFUNDED
            if refunded != (shipment.status == Shipment.Status.CANCELLED):
                problems.append(f"claim {claim.id} is {claim.status} with its shipment {shipment.status}")
        else:
            order = Order.objects.get(id=parcel.order_id)
            payment = order.payments.get()
            if shipment.status == Shipment.Status.CANCELLED:
                want = (Order.Status.REFUNDED, Payment.Status.REFUNDED, payment.amount_minor)
            else:
                want = (Order.Status.PAID, Payment.Status.SUCCEEDED, 0)
            got = (order.status, payment.status, payment.refunded_minor)
            if got != want:
                problems.append(f"purchase {order.id} with its shipment {shipment.status}: {got}, expected {want}")
    for variant_id, initial in initial_stock.items():
        units_out = sum(p.units for p in parcels if p.variant_id == variant_id and p.shipment_id not in cancelled)
        stock = Variant.objects.values_list("stock", flat=True).get(id=variant_id)
        if stock != initial - units_out:
            problems.append(
                f"variant {variant_id}'s stock is {stock}, expected {initial} less the {units_out} units that left"
            )
    failed = OutboxMessage.objects.exclude(last_error="").values_list("topic", "last_error")
    problems += [f"outbox consumer of {topic} failed: {error}" for topic, error in failed]
    for gift_id in {p.gift_id for p in parcels if p.gift_id is not None}:
        problems += gift_books(gift_id, [p for p in parcels if p.gift_id == gift_id], cancelled)
    return dispatched, cancelled, problems


def gift_books(gift_id, parcels, cancelled) -> list[str]:
    """A fully claimed gift whose claims were refunded one by one before dispatch: it stays claimed
    (a refunded claim keeps its unit counted in claimed_units: the unit went back to the sender as
    money, not back to the card), and its payment was refunded once per cancelled parcel."""
    problems = []
    gift = Gift.objects.select_related("order").get(id=gift_id)
    if (gift.status, gift.claimed_units) != (Gift.Status.CLAIMED, gift.quantity):
        problems.append(f"gift {gift.id} is {gift.status} with {gift.claimed_units} of {gift.quantity} claimed")
    payment = gift.order.payments.get()
    refunded_units = sum(p.units for p in parcels if p.shipment_id in cancelled)
    refunds = Refund.objects.filter(payment=payment)
    if refunds.count() != len([p for p in parcels if p.shipment_id in cancelled]):
        problems.append(f"gift {gift.id} has {refunds.count()} refunds for {refunded_units} cancelled parcels")
    if payment.refunded_minor != refunded_units * PRICE:
        problems.append(
            f"gift {gift.id}'s payment refunded {payment.refunded_minor}, expected {refunded_units * PRICE}"
        )
    if not refunded_units:
        expected = Payment.Status.SUCCEEDED
    elif refunded_units == gift.quantity:
        expected = Payment.Status.REFUNDED
    else:
        expected = Payment.Status.PARTIALLY_REFUNDED
    if payment.status != expected:
        problems.append(f"gift {gift.id}'s payment is {payment.status}, expected {expected}")
    return problems


def parcels_for(kind, store, people, **kwargs):
    return (gift_parcels if kind == "gift" else purchase_parcels)(store, people, **kwargs)


def count(scale):
    return 20 if scale.on_postgres else 5


# --- 1. one refunder against the dispatch, parcel by parcel ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "refunder"),
    [("gift", "sender"), ("gift", "merchant"), ("gift", "job"), ("purchase", "merchant"), ("purchase", "job")],
)
def test_a_refund_racing_the_dispatch_leaves_each_parcel_dispatched_or_refunded(
    scale, make_claimers, merchant, store, kind, refunder
):
    # given overdue parcels (20 on PostgreSQL, each of its own variant), still waiting for the merchant,
    # when the merchant dispatches each one while it is refunded: every property holds on every
    # race; on PostgreSQL the race must also have gone both ways. Under a heavy load every refund
    # can reach its row after the last dispatch (or before the first): then the whole race runs
    # again on fresh parcels, the dispatches spread wider (or the refunds started later), up to
    # SPREAD_RETRIES times.
    stretch, refund_delay = 1.0, 0.0
    for _attempt in range(SPREAD_RETRIES + 1):
        dispatched, cancelled = race_once(
            make_claimers, merchant, store, kind, refunder, scale, stretch=stretch, refund_delay=refund_delay
        )
        if not scale.on_postgres or (dispatched and cancelled):
            break
        if not cancelled:  # the refunds came after every dispatch: spread the dispatches wider
            stretch *= 3
        else:  # the refunds came before every dispatch: start them halfway through the spread
            refund_delay = 5 * SPREAD_STEP[refunder] * stretch
    # then the dispatches' spread put some before the refund and some after it
    if scale.on_postgres:
        assert dispatched and cancelled, (len(dispatched), len(cancelled))


def race_once(make_claimers, merchant, store, kind, refunder, scale, *, stretch, refund_delay):
    """One race on fresh parcels, every property asserted; returns (dispatched, cancelled) ids."""
    parcels = parcels_for(kind, store, make_claimers(count(scale)))
    past_grace(parcels)
    initial_stock = stock_before(parcels)
    refunds_before = Refund.objects.count()

    run = run_concurrently(
        dispatch_tasks(parcels, refunder, stretch) + refunder_tasks(refunder, parcels, merchant, refund_delay),
        max_workers=scale.workers,
    )
    drain_outbox()

    # every request either won or was told the parcel is no longer pending; nothing else failed
    assert set(run.error_names()) <= DISPATCH_ERRORS, [f"{type(e).__name__}: {e}" for e in run.errors][:3]
    assert all(e.code == "shipment_not_pending" for e in run.errors)
    # and each parcel went exactly one way, its stock, refund, claim or order and payment agreeing
    dispatched, cancelled, problems = books(parcels, initial_stock=initial_stock)
    assert problems == []
    assert len(dispatched) + len(cancelled) == len(parcels)
    # and each side's answers match the parcel's fate
    assert {v[1] for v in run.values if isinstance(v, tuple)} == dispatched
    if refunder == "job":
        assert run.values.count("job done") == 2
    else:
        assert len([v for v in run.values if isinstance(v, Refund)]) == len(cancelled)
    assert Refund.objects.count() - refunds_before == len(cancelled)
    return dispatched, cancelled


# --- 2. everyone at once ----------------------------------------------------------------------------


def test_every_refunder_and_the_dispatch_at_once_refund_each_parcel_at_most_once(scale, make_claimers, merchant, store):
    # given overdue parcels of one variant: claims of a group gift, and purchases
    variant = new_variant(store)
    n = count(scale) // 2
    gifts_ = gift_parcels(store, make_claimers(n, prefix="friend"), variant=variant)
    purchases = purchase_parcels(store, make_claimers(n, prefix="buyer"), variant=variant)
    parcels = gifts_ + purchases
    past_grace(parcels)
    initial_stock = stock_before(parcels)

    # when, for every parcel, the merchant dispatches it, the merchant refunds it and (for a gift)
    # the sender asks for the refund, while two runs of the ship-by job refund whatever is overdue
    tasks = dispatch_tasks(parcels, "all")
    tasks += [merchant_refund(p, merchant, 0.005 * (i % 3)) for i, p in enumerate(parcels)]
    tasks += [sender_refund(p, 0.005 * ((i + 1) % 3)) for i, p in enumerate(gifts_)]
    tasks += [job(), job(0.01)]
    run = run_concurrently(tasks, max_workers=scale.workers)
    drain_outbox()

    # then only "no longer pending" or "already refunded" refusals: no deadlock, no other error
    assert set(run.error_names()) <= DISPATCH_ERRORS | {"AlreadyRefunded"}, [
        f"{type(e).__name__}: {e}" for e in run.errors
    ][:3]
    # and each parcel went one way, refunded at most once
    dispatched, cancelled, problems = books(parcels, initial_stock=initial_stock)
    assert problems == []
    assert len(dispatched) + len(cancelled) == len(parcels)


# --- 3. the ship-by job against a refund that is already under way --------------------------------


@pytest.mark.parametrize("kind", ["gift", "purchase"])
def test_the_ship_by_job_and_a_console_refund_of_the_same_parcel_never_deadlock(
    postgres_only, make_claimers, merchant, store, kind
):
    """The worst interleaving, forced: the job's refund is held just before it gives the stock back
    (its first write on the variant), holding whatever it holds by then, while the merchant's
    console refund of the same parcel runs. A refund that locks the shipment before the variant
    while the other locks the variant before the shipment would deadlock here."""
    [parcel] = parcels_for(kind, store, make_claimers(1))
    past_grace([parcel])
    initial_stock = stock_before([parcel])
    job_at_stock = threading.Event()

    def the_job():
        with pause_at(
            lambda sql: sql.startswith('UPDATE "stores_variant"'), reached=job_at_stock, seconds=0.5, before=True
        ) as paused:
            ship_by_job()
        assert paused, "the job never gave stock back"
        return "job done"

    def console_refund():
        assert job_at_stock.wait(10), "the job never reached its refund"
        return shipment_refund_by_merchant(shipment=Shipment.objects.get(id=parcel.shipment_id), actor=merchant)

    # when the merchant refunds the parcel while the job's refund of it is under way
    run = run_concurrently([the_job, console_refund])
    drain_outbox()

    # then neither saw an error, and the parcel was refunded once
    assert run.errors == [], [f"{type(e).__name__}: {e}" for e in run.errors]
    assert "job done" in run.values and any(isinstance(v, Refund) for v in run.values)
    _, cancelled, problems = books([parcel], initial_stock=initial_stock)
    assert problems == [] and cancelled == {parcel.shipment_id}
