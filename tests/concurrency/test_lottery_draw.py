"""Lottery entries versus the draw: friends enter a lottery gift while its draw runs at draw_at.
An entry touches the gift row under the condition `open, not drawn, draw_at > now()` and the draw
takes the same row (`draw_at <= now()`) and marks it drawn, both on the database clock, so every
entry is either in the draw (won or lost) or refused with `draw_closed` (`gift_fully_claimed` once
the drawn gift is closed); the draw happens once, with as many winners as units; no entry lands
after it.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db.models import Max
from django.db.models.functions import Now
from django.utils import timezone

from gifts.models import Claim, Gift
from gifts.services.claims import claim_enter
from gifts.services.lifecycle import gifts_draw_due, gifts_expire_due
from orders.models import Refund
from stores.models import Variant
from tests.concurrency.harness import pause_at, run_concurrently
from tests.factories import UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNITS = 5
STOCK = 20
DRAW_MS = 150  # the draw time, from the moment the race starts (database clock)
REFUSALS = {"DrawClosed", "GiftFullyClaimed"}


def lottery_gift():
    """A paid lottery gift of UNITS prizes, its draw a day-long window away (moved by the test)."""
    variant = VariantFactory(stock=STOCK, price_minor=800)
    gift = paid_gift(
        sender=UserFactory(),
        variant=variant,
        quantity=UNITS,
        mode="group",
        claim_rule="lottery",
        claim_hours=48,
        draw_at=timezone.now() + timedelta(hours=2),
    )
    assert gift.status == Gift.Status.OPEN and gift.is_lottery
    return gift


def later(ms, call):
    def task():
        time.sleep(ms / 1000)
        return call()

    return task


def enter(gift_id, user):
    def call():
        return claim_enter(gift=Gift.objects.select_related("order").get(id=gift_id), user=user)

    return call


def test_entries_racing_the_draw_are_either_drawn_or_refused_and_the_draw_has_one_winner_per_unit(scale, make_claimers):
    # given an open lottery of 5 prizes and a crowd (50 on PostgreSQL)
    gift = lottery_gift()
    crowd = [u for u, _ in make_claimers(scale.small_crowd)]
    # More entries than prizes whatever the machine's speed: the first few enter before the race.
    early = [enter(gift.id, user)() for user in crowd[: UNITS + 1]]
    crowd = crowd[UNITS + 1 :]

    def draw_soon():
        Gift.objects.filter(id=gift.id).update(draw_at=Now() + timedelta(milliseconds=DRAW_MS))

    # when a fifth of them enter at once, the rest arrive from before the draw time to well after
    # it, while draws (and the expiry sweep, which draws first) run around it
    entries = [
        enter(gift.id, user) if i % 5 == 0 else later((i % 20) * 12, enter(gift.id, user))
        for i, user in enumerate(crowd)
    ]
    draws = [later(ms, gifts_draw_due) for ms in (0, 120, 140, 150, 160, 180, 250)] + [later(155, gifts_expire_due)]
    run = run_concurrently(entries + draws, on_ready=draw_soon, max_workers=scale.workers)
    while not Gift.objects.filter(id=gift.id, draw_at__lte=Now()).exists():
        time.sleep(0.01)
    final = gifts_draw_due()
    drain_outbox()

    # then every entry was taken or refused with a reason, and nothing else failed
    assert set(run.error_names()) <= REFUSALS, [f"{type(e).__name__}: {e}" for e in run.errors][:3]
    raced_in = [v for v in run.values if isinstance(v, Claim)]
    refused = len(run.errors)
    assert len(raced_in) + refused == len(crowd)
    entered = early + raced_in
    # and the gift was drawn once
    draws_done = [v for v in run.values if isinstance(v, int)] + [final]
    draws_done += [v["drawn"] for v in run.values if isinstance(v, dict)]
    assert sum(draws_done) == 1
    gift.refresh_from_db()
    assert gift.drawn_at is not None
    # and every entry taken was in the draw: won or lost, none still waiting, none made after it
    claims = Claim.objects.filter(gift=gift)
    assert set(claims.values_list("id", flat=True)) == {c.id for c in entered}
    assert not claims.filter(status=Claim.Status.ENTERED).exists()
    assert claims.aggregate(last=Max("created_at"))["last"] <= gift.drawn_at
    # and as many winners as prizes (there were more entries than prizes), the others lost
    assert claims.filter(status=Claim.Status.WON).count() == UNITS == gift.claimed_units
    assert claims.filter(status=Claim.Status.LOST).count() == len(entered) - UNITS
    assert gift.status == Gift.Status.CLAIMED
    assert not Refund.objects.filter(payment__order=gift.order).exists()  # every prize went to a winner
    assert Variant.objects.values_list("stock", flat=True).get(id=gift.variant_id) == STOCK - UNITS
    # and the draw time fell among the entries: some came too late and were told so
    if scale.on_postgres:
        assert refused > 0


def test_an_entry_that_passed_its_checks_before_the_draw_but_writes_after_it_is_refused(postgres_only, make_claimers):
    """The worst interleaving, forced: an entry has read the gift as open and undrawn, then stalls
    just before its write while the draw time passes and the draw runs. Only the write's own
    condition (not drawn, draw_at > now()) can refuse it now."""
    gift = lottery_gift()
    *early, late = [u for u, _ in make_claimers(UNITS + 2)]
    for user in early:
        enter(gift.id, user)()
    Gift.objects.filter(id=gift.id).update(draw_at=Now() + timedelta(milliseconds=300))
    entry_checked = threading.Event()

    def stalled_entry():
        with pause_at(
            lambda sql: sql.startswith('UPDATE "gifts_gift"'), reached=entry_checked, seconds=0.8, before=True
        ) as paused:
            try:
                return enter(gift.id, late)()
            finally:
                assert paused, "the entry never reached its write"

    def draw_when_due():
        assert entry_checked.wait(10), "the entry never passed its checks"
        while not Gift.objects.filter(id=gift.id, draw_at__lte=Now()).exists():
            time.sleep(0.01)
        return gifts_draw_due()

    run = run_concurrently([stalled_entry, draw_when_due])
    drain_outbox()

    assert run.error_names() == {"DrawClosed": 1}, run.values
    assert run.values == [1]
    gift.refresh_from_db()
    claims = Claim.objects.filter(gift=gift)
    assert not claims.filter(recipient=late).exists()
    assert claims.count() == len(early) and not claims.filter(status=Claim.Status.ENTERED).exists()
    assert claims.filter(status=Claim.Status.WON).count() == UNITS == gift.claimed_units
