"""Property: however a timeline's checkpoints arrive (any order, any duplicates, in chunks of any
size), the shipment ends at the status of the checkpoint with the latest occurred_at, and each
checkpoint is stored exactly once.

Each example runs in its own savepoint, rolled back at its end (a fresh shipment per example, made
the cheap way: shipment_create on a store, then shipment_dispatch)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.carriers.aftership import parse_push
from logistics.carriers.base import Checkpoint, TrackingUpdate
from logistics.carriers.sandbox import SandboxCarrier
from logistics.models import Shipment, TrackingEvent
from logistics.services.shipments import address_snapshot, shipment_create
from logistics.services.tracking import shipment_dispatch, tracking_apply
from tests.factories import AddressFactory, StoreFactory, UserFactory, member_of
from tests.logistics.carriers.pushes import AFTERSHIP_SECRET, aftership_body, aftership_headers

pytestmark = pytest.mark.django_db

# PROPERTY_EXAMPLES=2000 for a longer hunt; 40 keeps the suite fast.
FAST = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 40)), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
LINES = [{"product_title": "Tea", "variant_name": "Green", "sku": "T-1", "quantity": 1}]
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def new_shipment():
    store, recipient = StoreFactory(), UserFactory()
    ship_to = address_snapshot(AddressFactory(user=recipient))

    def make(tracking_number, carrier="sandbox"):
        shipment = shipment_create(store=store, recipient=recipient, ship_to=ship_to, lines=LINES, is_gift=True)
        shipment_dispatch(
            shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=tracking_number
        )
        if carrier != "sandbox":
            Shipment.objects.filter(id=shipment.id).update(carrier=carrier)
            shipment.refresh_from_db()
        return shipment

    return make


@st.composite
def arrivals(draw, count):
    """Indices 0..count-1, each at least once, some twice or more, shuffled, cut into chunks."""
    extra = draw(st.lists(st.integers(0, count - 1), max_size=2 * count))
    order = draw(st.permutations(list(range(count)) + extra))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=len(order)))
    chunks, start = [], 0
    for size in sizes:
        if start >= len(order):
            break
        chunks.append(order[start:start + size])
        start += size
    if start < len(order):
        chunks.append(order[start:])
    return chunks


def apply_and_check(shipment, checkpoints, chunks):
    for chunk in chunks:
        tracking_apply(update=TrackingUpdate(carrier=shipment.carrier, tracking_number=shipment.tracking_number,
                                             checkpoints=[checkpoints[i] for i in chunk]))

    shipment.refresh_from_db()
    latest = max(checkpoints, key=lambda c: c.occurred_at)
    arrived = " | ".join(",".join(checkpoints[i].status for i in chunk) for chunk in chunks)
    assert shipment.status == latest.status, f"arrived as: {arrived}"
    stored = list(TrackingEvent.objects.filter(shipment=shipment).values_list("key", flat=True))
    assert sorted(stored) == sorted(c.key for c in checkpoints)
    if latest.status == Shipment.Status.DELIVERED:
        assert shipment.delivered_at == latest.occurred_at


@pytest.mark.parametrize("prefix", ["DLV", "FAIL", "RTN", "EXC", "STALE"])
@FAST
@given(data=st.data())
def test_any_arrival_of_a_sandbox_timeline_ends_at_its_latest_checkpoint(new_shipment, prefix, data):
    with transaction.atomic():
        shipment = new_shipment(f"{prefix}7000")
        SandboxCarrier(clock=lambda: T0).register(tracking_number=shipment.tracking_number)
        everything = SandboxCarrier(clock=lambda: T0 + timedelta(days=1)).fetch(
            tracking_number=shipment.tracking_number).checkpoints

        apply_and_check(shipment, everything, data.draw(arrivals(len(everything))))
        transaction.set_rollback(True)


# An AfterShip-style timeline: a walk through the moves our table allows (REFERENCE.md: forward,
# plus delivery_failed → out_for_delivery / in_transit, exception → in_transit, available_for_pickup →
# delivered / returning), repeated scans included, ending anywhere (a parcel still on its way) or final.
TAG = {
    "info_received": ("InfoReceived", ""), "in_transit": ("InTransit", "InTransit_002"),
    "out_for_delivery": ("OutForDelivery", "OutForDelivery_001"),
    "available_for_pickup": ("AvailableForPickup", "AvailableForPickup_001"),
    "delivery_failed": ("AttemptFail", "AttemptFail_001"), "delivered": ("Delivered", "Delivered_001"),
    "returning": ("Exception", "Exception_010"), "returned": ("Exception", "Exception_011"),
    "exception": ("Exception", "Exception_004"), "expired": ("Expired", "Expired_001"),
}


@st.composite
def aftership_walks(draw):
    status, walk = "info_received", ["info_received"]
    # Half the walks stay on the way (no final status): a final last checkpoint hides a wrong middle.
    finish = draw(st.booleans())
    for _ in range(draw(st.integers(0, 7))):
        moves = sorted(s for s in Shipment.TRANSITIONS.table[status] if s in TAG
                       and (finish or s not in Shipment.FINAL))
        if not moves:
            break
        status = draw(st.sampled_from([status, *moves]))  # the same status again: another scan
        walk.append(status)
    gaps = draw(st.lists(st.integers(1, 600), min_size=len(walk), max_size=len(walk)))
    times, at = [], T0
    for gap in gaps:
        at += timedelta(minutes=gap)
        times.append(at)
    return [(t.isoformat(), *TAG[s], f"scan {i}") for i, (t, s) in enumerate(zip(times, walk, strict=True))]


@FAST
@given(walk=aftership_walks(), data=st.data())
def test_any_arrival_of_an_aftership_timeline_ends_at_its_latest_checkpoint(new_shipment, walk, data):
    with transaction.atomic():
        shipment = new_shipment("SF7100", carrier="aftership")
        body = aftership_body(shipment.tracking_number, walk)
        [update] = parse_push(secret=AFTERSHIP_SECRET, headers=aftership_headers(body), body=body)

        apply_and_check(shipment, update.checkpoints, data.draw(arrivals(len(update.checkpoints))))
        transaction.set_rollback(True)


# Cases the property found in the first tracking core (it looked only at the latest checkpoint and
# refused a move its table did not list directly), kept as plain tests.


def _checkpoints(*statuses):
    return [Checkpoint(key=f"k{i}", occurred_at=T0 + timedelta(hours=i), status=s, raw_status=s)
            for i, s in enumerate(statuses)]


@pytest.mark.parametrize(("statuses", "chunks"), [
    # One push brings exception and in_transit after ready-for-pickup: in order, in one chunk.
    (("info_received", "available_for_pickup", "exception", "in_transit"), [[0, 1], [2, 3]]),
    # The failed attempt arrives after the later in_transit scan it explains.
    (("info_received", "out_for_delivery", "delivery_failed", "in_transit"), [[1], [3], [2], [0]]),
    # A stray in_transit scan after out_for_delivery does not move it back, whatever the order.
    (("info_received", "out_for_delivery", "in_transit", "delivered"), [[2], [1], [3, 0]]),
])
def test_timelines_the_property_found(new_shipment, statuses, chunks):
    apply_and_check(new_shipment("SF7200", carrier="aftership"), _checkpoints(*statuses), chunks)


def test_a_stray_older_looking_scan_after_a_newer_one_changes_nothing(new_shipment):
    shipment = new_shipment("SF7201", carrier="aftership")
    checkpoints = _checkpoints("info_received", "out_for_delivery", "in_transit")

    tracking_apply(update=TrackingUpdate(carrier="aftership", tracking_number="SF7201", checkpoints=checkpoints))

    shipment.refresh_from_db()
    assert shipment.status == "out_for_delivery"
    assert shipment.events.count() == 3
