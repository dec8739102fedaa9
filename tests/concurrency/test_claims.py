"""Claims under real concurrency: many friends at once, one friend many times, claims racing the
expiry sweep and the sender's cancel, all through gifts.services; and proof that the harness
catches a naive read-modify-write claim.

Every race ends with the same books check (harness.gift_invariant_violations).
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Now
from django.utils import timezone

from gifts.errors import GiftFullyClaimed
from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.lifecycle import gift_cancel, gifts_expire_due
from logistics.models import Address, Shipment
from logistics.services.shipments import address_snapshot, shipment_create
from orders.models import Payment, Refund
from tests.concurrency.harness import gift_invariant_violations, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def open_gift(*, quantity, stock, price_minor=1000, mode="group"):
    variant = VariantFactory(stock=stock, price_minor=price_minor)
    gift = paid_gift(sender=UserFactory(), variant=variant, quantity=quantity, mode=mode, message="For the team!")
    assert gift.status == Gift.Status.OPEN
    return gift


def fresh(gift_id):
    """Each request loads its own gift row, as a view would."""
    return Gift.objects.select_related("order__store", "sender", "variant__product").get(id=gift_id)


def claim_task(gift_id, user, address_id, *, delay=0.0):
    def task():
        if delay:
            time.sleep(delay)
        return claim_accept(gift=fresh(gift_id), user=user, address_id=address_id)

    return task


def refunded_units(gift):
    payment = gift.order.payments.get()
    total = Refund.objects.filter(payment=payment).aggregate(s=Sum("amount_minor"))["s"] or 0
    return total // gift.order.lines.get().unit_price_minor


# --- 1. a crowd, few units ----------------------------------------------------------------------

def test_a_crowd_claiming_5_units_at_once_gets_exactly_5_claims(scale, make_claimers):
    # given a paid first-come group gift of 5 units and a crowd (200 on PostgreSQL) with addresses
    gift = open_gift(quantity=5, stock=20)
    claimers = make_claimers(scale.crowd)

    # when they all claim at once
    run = run_concurrently([claim_task(gift.id, u, a) for u, a in claimers], max_workers=scale.workers)

    # then exactly 5 won, every other one was told the gift is fully claimed, and nothing else failed
    assert run.error_names() == {"GiftFullyClaimed": scale.crowd - 5}, run.errors[:3]
    winners = run.values
    assert len(winners) == 5
    gift.refresh_from_db()
    assert gift.status == Gift.Status.CLAIMED and gift.claimed_units == 5
    assert Claim.objects.filter(gift=gift).count() == 5
    shipments = Shipment.objects.filter(store=gift.order.store)
    assert shipments.count() == 5
    assert set(shipments.values_list("recipient_id", flat=True)) == {c.recipient_id for c in winners}
    gift.variant.refresh_from_db()
    assert gift.variant.stock == 15  # reserved once when the gift was bought; claims move none
    assert gift_invariant_violations(gift.id, initial_stock=20) == []


# --- 2. one friend, many taps -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("mode", "quantity", "allowed_errors"),
    [("group", 3, {"AlreadyClaimed"}), ("single", 2, {"AlreadyClaimed", "GiftFullyClaimed"})],
)
def test_one_friend_claiming_50_times_at_once_gets_one_claim(scale, make_claimers, mode, quantity, allowed_errors):
    # given a paid gift and one friend
    gift = open_gift(quantity=quantity, stock=10, mode=mode)
    [(friend, address_id)] = make_claimers(1)
    attempts = scale.small_crowd  # 50 on PostgreSQL

    # when the friend's claim arrives that many times at once (a double-tapping phone, retries)
    run = run_concurrently([claim_task(gift.id, friend, address_id)] * attempts, max_workers=scale.workers)

    # then one claim, one shipment; the others were told so
    assert len(run.values) == 1
    assert set(run.error_names()) <= allowed_errors, run.errors[:3]
    assert sum(run.error_names().values()) == attempts - 1
    gift.refresh_from_db()
    claim = Claim.objects.get(gift=gift)
    assert claim.recipient_id == friend.id and claim.quantity == (quantity if mode == "single" else 1)
    assert gift.claimed_units == claim.quantity
    assert Shipment.objects.filter(recipient=friend).count() == 1
    assert gift_invariant_violations(gift.id, initial_stock=10) == []


# --- 3. claims racing the expiry sweep ----------------------------------------------------------

def test_claims_racing_the_expiry_sweep_never_claim_and_refund_the_same_unit(scale, make_claimers):
    # given a paid group gift with a unit for every claimer
    crowd = 100 if scale.on_postgres else 20
    gift = open_gift(quantity=crowd, stock=crowd, price_minor=100)
    claimers = make_claimers(crowd)
    deadline_set = threading.Event()

    def set_deadline_while_claims_flow():
        # Once a tenth of the units are gone, the window closes ~50 ms ahead on the database's
        # clock: whatever the machine's speed, the deadline falls in the middle of the claims.
        give_up = time.monotonic() + 20
        while Gift.objects.filter(id=gift.id, claimed_units__lt=crowd // 10).exists() and time.monotonic() < give_up:
            time.sleep(0.002)
        Gift.objects.filter(id=gift.id).update(expires_at=Now() + timedelta(milliseconds=50))
        deadline_set.set()
        return "deadline set"

    def sweep(delay):
        def task():
            deadline_set.wait(30)
            time.sleep(delay)
            return gifts_expire_due()

        return task

    def late_claim(user, address_id, delay):
        def task():
            deadline_set.wait(30)
            time.sleep(delay)
            return claim_task(gift.id, user, address_id)()

        return task

    sweeps = [sweep(delay) for delay in (0.0, 0.04, 0.08, 0.15, 0.25)]  # before, around and after it
    # Half the claimers start at once; the other half arrive from 15 ms to 285 ms after the deadline
    # was set, so some come just before it and some surely after it, among the sweeps.
    claims_ = [
        claim_task(gift.id, u, a) if i % 2 == 0 else late_claim(u, a, (i % 20) * 0.015)
        for i, (u, a) in enumerate(claimers)
    ]

    # when claims and five expiry sweeps run together
    run = run_concurrently([set_deadline_while_claims_flow, *sweeps, *claims_], max_workers=scale.workers)
    while not Gift.objects.filter(id=gift.id, expires_at__lte=Now()).exists():
        time.sleep(0.01)
    final = gifts_expire_due()  # the sweep after the deadline
    drain_outbox()

    # then a claim either won or was told the gift expired; the gift expired exactly once
    assert set(run.error_names()) <= {"GiftExpired"}, run.errors[:3]
    claims = [v for v in run.values if isinstance(v, Claim)]
    expired_runs = sum(v["expired"] for v in run.values if isinstance(v, dict)) + final["expired"]
    assert expired_runs == 1
    gift.refresh_from_db()
    assert gift.status == Gift.Status.EXPIRED
    assert crowd // 10 <= len(claims) < crowd, "the deadline fell outside the race: nothing was tested"
    # and every unit was either claimed or refunded, never both
    assert Claim.objects.filter(gift=gift, status=Claim.Status.ACCEPTED).count() == len(claims)
    assert len(claims) + refunded_units(gift) == gift.quantity
    payment = gift.order.payments.get()
    assert Refund.objects.filter(payment=payment, reason=Refund.Reason.EXPIRED).count() == 1
    assert Refund.objects.filter(payment=payment).count() == 1
    assert payment.refunded_minor == (gift.quantity - len(claims)) * 100
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert gift_invariant_violations(gift.id, initial_stock=crowd) == []


# --- 5. the sender's cancel racing the claims ---------------------------------------------------

@pytest.mark.parametrize("cancel_after", [0.0, 0.01])
def test_cancel_racing_claims_refunds_exactly_the_unclaimed_units(scale, make_claimers, cancel_after):
    # given a paid group gift and more friends than units
    quantity = 20 if scale.on_postgres else 8
    gift = open_gift(quantity=quantity, stock=quantity + 5)
    claimers = make_claimers(scale.small_crowd)
    tasks = [claim_task(gift.id, u, a) for u, a in claimers]

    def cancel():
        time.sleep(cancel_after)
        mine = fresh(gift.id)
        return gift_cancel(gift=mine, actor=mine.sender)

    tasks.insert(len(tasks) // 4, cancel)

    # when the sender cancels while the friends claim
    run = run_concurrently(tasks, max_workers=scale.workers)
    drain_outbox()

    # then every claimer either won or was told why not, and the books balance either way
    assert set(run.error_names()) <= {"GiftFullyClaimed", "GiftNotOpen"}, run.errors[:3]
    claims = [v for v in run.values if isinstance(v, Claim)]
    cancelled = any(isinstance(v, Gift) for v in run.values)
    gift.refresh_from_db()
    assert len(claims) + refunded_units(gift) == quantity
    assert gift.claimed_units == len(claims)
    payment = gift.order.payments.get()
    if cancelled:
        assert gift.status == Gift.Status.CANCELLED and len(claims) < quantity
        assert Refund.objects.filter(payment=payment, reason=Refund.Reason.CANCELLED).count() == 1
    else:  # every unit went before the cancel came
        assert gift.status == Gift.Status.CLAIMED and len(claims) == quantity
        assert run.error_names()["GiftFullyClaimed"] >= 1
    assert gift_invariant_violations(gift.id, initial_stock=quantity + 5) == []


# --- 6. the harness can fail --------------------------------------------------------------------

def naive_claim(*, gift_id, user, address_id):
    """What not to write: read the counter, decide in Python, write it back."""
    with transaction.atomic():
        gift = fresh(gift_id)
        if gift.status != Gift.Status.OPEN or gift.claimed_units >= gift.quantity:
            raise GiftFullyClaimed()
        time.sleep(0.001)
        gift.claimed_units += 1
        gift.save()
        variant = gift.variant
        shipment = shipment_create(
            store=gift.order.store, recipient=user,
            ship_to=address_snapshot(Address.objects.get(id=address_id, user=user)),
            lines=[{"product_title": variant.product.title, "variant_name": variant.name, "sku": variant.sku,
                    "quantity": 1}],
            is_gift=True, giver_name=gift.sender.public_name, gift_message=gift.message,
        )
        return Claim.objects.create(
            gift=gift, recipient=user, variant=variant, quantity=1, status=Claim.Status.ACCEPTED,
            shipment=shipment, accepted_at=timezone.now(),
        )


def test_the_harness_catches_a_naive_claim_and_passes_the_real_one(postgres_only, make_claimers):
    # given two identical gifts of 5 units and 50 friends for each
    naive_gift = open_gift(quantity=5, stock=5)
    real_gift = open_gift(quantity=5, stock=5)
    crowd = make_claimers(100)
    first, second = crowd[:50], crowd[50:]

    # when the naive claim races through the harness
    naive = run_concurrently(
        [lambda u=u, a=a: naive_claim(gift_id=naive_gift.id, user=u, address_id=a) for u, a in first]
    )
    # then the invariant checker sees the lost updates
    violations = gift_invariant_violations(naive_gift.id, initial_stock=5)
    naive_claims = Claim.objects.filter(gift=naive_gift).count()
    naive_gift.refresh_from_db()
    assert naive_claims > naive_gift.claimed_units, (naive_claims, naive_gift.claimed_units, naive.error_names())
    assert any(v.startswith("claims hold") for v in violations), violations

    # when the real claim_accept races the same way
    real = run_concurrently([claim_task(real_gift.id, u, a) for u, a in second])
    # then the same checker finds nothing wrong
    assert len(real.values) == 5 and real.error_names() == {"GiftFullyClaimed": 45}
    assert gift_invariant_violations(real_gift.id, initial_stock=5) == []
