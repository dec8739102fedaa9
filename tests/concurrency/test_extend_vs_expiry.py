"""Extend versus expiry: the sender extends a gift's claim window (tapping twice) at the moment its
deadline passes and the expiry sweep runs on it. Both need the gift `open` and `expires_at > now()`
on the database clock (DESIGN §4), and extend also needs it not extended yet, so each gift ends
exactly one way: extended once and still open (nothing refunded), or expired with its unclaimed
units refunded once (the extension refused with `gift_not_open`). Never both, never twice.

Many gifts race at once, with the sender's taps spread around their common deadline, so a run
sees both outcomes (a run where load pushed every tap past the deadline is run again, spread wider).
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models.functions import Now

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept
from gifts.services.lifecycle import gift_extend, gifts_expire_due
from orders.models import Refund
from tests.concurrency.harness import gift_invariant_violations, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE = 700
QUANTITY = 3
STOCK = 10
EXTEND_HOURS = 12
# Gift i's sender taps at (i % 10) steps from the release; the gifts' common deadline (database
# clock) falls at step 3, and the expiry sweeps run from step 0 to step 10. So taps come from well
# before the deadline to well after it. A tap takes a few statements, and more among 50 threads
# sharing one interpreter: on a loaded machine every tap can come late. Then the whole race is run
# again on fresh gifts with the steps doubled, so the deadline falls among the taps again.
STEPS_MS = (25, 100, 400)
DEADLINE_STEPS = 3
SWEEP_STEPS = (0, 2, 2.8, 3, 3.2, 4, 6, 10)


def claimed_gifts(n, claimers):
    """n paid group gifts of QUANTITY units (each its own variant, so stock is checked per gift),
    each with one unit claimed: an expiry refunds the other two."""
    gifts = []
    for user, address_id in claimers[:n]:
        gift = paid_gift(
            sender=UserFactory(),
            variant=VariantFactory(stock=STOCK, price_minor=PRICE),
            quantity=QUANTITY,
            mode="group",
        )
        claim_accept(gift=gift, user=user, address_id=address_id)
        gifts.append(gift)
    return gifts


def later(ms, call):
    def task():
        time.sleep(ms / 1000)
        return call()

    return task


def db_now():
    with connection.cursor() as cursor:
        sqlite = connection.vendor == "sqlite"
        cursor.execute("SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')" if sqlite else "SELECT statement_timestamp()")
        value = cursor.fetchone()[0]
    return value if not isinstance(value, str) else datetime.fromisoformat(value).replace(tzinfo=UTC)


def extend(gift_id, asked_at):
    """The sender's tap; `asked_at` collects (gift id, the database's time as it was tapped)."""

    def call():
        asked_at.append((gift_id, db_now()))
        gift = Gift.objects.select_related("order", "sender").get(id=gift_id)  # each tap loads its own row
        return gift_extend(gift=gift, hours=EXTEND_HOURS, actor=gift.sender)

    return call


def race(n, claimers, step_ms, workers):
    """One race of n gifts; every property that must hold whatever the timing is asserted here.
    Returns (extended gift ids, expired gift ids)."""
    gifts = claimed_gifts(n, claimers)
    ids = [g.id for g in gifts]
    deadlines = {}

    def close_soon():
        # Just before the release: every window closes DEADLINE_STEPS from now, on the database's clock.
        closes = Now() + timedelta(milliseconds=DEADLINE_STEPS * step_ms)
        Gift.objects.filter(id__in=ids).update(expires_at=closes)
        deadlines.update(Gift.objects.filter(id__in=ids).values_list("id", "expires_at"))

    # when each sender taps "extend" twice around the deadline while expiry sweeps run
    taps, asked_at = [], []
    for i, gift_id in enumerate(ids):
        at = (i % 10) * step_ms
        taps += [later(at, extend(gift_id, asked_at)), later(at + 1, extend(gift_id, asked_at))]
    sweeps = [later(k * step_ms, gifts_expire_due) for k in SWEEP_STEPS]
    run = run_concurrently(taps + sweeps, on_ready=close_soon, max_workers=workers)
    while (
        Gift.objects.filter(id__in=ids, status=Gift.Status.OPEN, expires_at__gt=Now()).exclude(extended=True).exists()
    ):
        time.sleep(0.01)
    final = gifts_expire_due()  # the sweep after every deadline that was not moved
    drain_outbox()

    # then the sender was told "already extended" or "not open", nothing else went wrong
    assert set(run.error_names()) <= {"AlreadyExtended", "GiftNotOpen"}, run.errors[:3]
    extended_ids = [v.id for v in run.values if isinstance(v, Gift)]
    assert len(extended_ids) == len(set(extended_ids)), "a gift was extended twice"
    sweep_results = [v for v in run.values if isinstance(v, dict)] + [final]
    assert len(sweep_results) == len(SWEEP_STEPS) + 1

    # and each gift went exactly one way
    expired = []
    for gift in Gift.objects.filter(id__in=ids).select_related("order"):
        refunds = Refund.objects.filter(payment__order=gift.order)
        if gift.id in extended_ids:
            assert gift.extended and gift.status == Gift.Status.OPEN, (gift.id, gift.status)
            assert gift.expires_at == deadlines[gift.id] + timedelta(hours=EXTEND_HOURS), "not extended once"
            assert not refunds.exists(), f"extended gift {gift.id} was refunded"
        else:
            expired.append(gift.id)
            assert gift.status == Gift.Status.EXPIRED and not gift.extended, (gift.id, gift.status, gift.extended)
            assert gift.expires_at == deadlines[gift.id]
            [refund] = refunds
            assert refund.reason == Refund.Reason.EXPIRED and refund.amount_minor == (QUANTITY - 1) * PRICE
        assert Claim.objects.filter(gift=gift, status=Claim.Status.ACCEPTED).count() == 1
        assert gift_invariant_violations(gift.id, initial_stock=STOCK) == []
    assert sum(r["expired"] for r in sweep_results) == len(expired), "a gift expired twice, or not at all"
    # and no window was extended by a tap that came after it had closed
    late_taps = {gift_id for gift_id, at in asked_at if at >= deadlines[gift_id]}
    assert not late_taps & set(extended_ids), "extended after the deadline"
    return extended_ids, expired


def test_extending_at_the_deadline_while_the_sweep_runs_either_extends_once_or_expires_once(scale, make_claimers):
    # given paid, partly claimed gifts (20 on PostgreSQL) with a day left, racing as above
    n = 20 if scale.on_postgres else 6
    outcomes = []
    for step_ms in STEPS_MS:
        extended_ids, expired = race(n, make_claimers(n), step_ms, scale.workers)
        outcomes.append((step_ms, len(extended_ids), len(expired)))
        if extended_ids and expired or not scale.on_postgres:
            break
    # and the deadline fell among the taps in one of the races: both outcomes were tested
    if scale.on_postgres:
        assert extended_ids and expired, outcomes
