"""The carrier sync makes a full pass however many quiet parcels there are: the task walks them in
id order, batch after batch, and keeps where it stopped for its next run (logistics.tasks).
Before, it took the oldest quiet ones, and parcels with no news never stopped being the oldest."""

import functools

import pytest
from django.core.cache import cache

from logistics import tasks
from logistics.models import Shipment
from logistics.services import tracking
from logistics.services.shipments import address_snapshot, shipment_create
from logistics.services.tracking import shipment_dispatch
from tests.factories import AddressFactory, StoreFactory, UserFactory, member_of
from tests.gifts.helpers import drain_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels():
    store = StoreFactory()
    made = []
    for n in range(5):
        friend = UserFactory()
        shipment = shipment_create(store=store, recipient=friend, ship_to=address_snapshot(AddressFactory(user=friend)),
                                   lines=[{"product_title": "Tea", "variant_name": "S", "sku": "S", "quantity": 1}])
        made.append(shipment_dispatch(shipment=shipment, carrier="sandbox", tracking_number=f"SYNC{n:04d}",
                                      actor=member_of(store)))
    drain_outbox()  # the carrier registers each parcel
    return made


def test_every_quiet_parcel_is_pulled_once_per_pass_across_runs(parcels, monkeypatch):
    pulled = []
    real = tracking.shipments_sync_quiet

    def two_at_a_time(**kwargs):
        done = real(quiet_seconds=0, limit=2, **kwargs)
        pulled.append(done["pulled"])
        return done

    monkeypatch.setattr(tasks, "shipments_sync_quiet", two_at_a_time)
    monkeypatch.setattr(tasks, "SYNC_BUDGET_SECONDS", 0)  # one batch per run: the cursor must carry the pass
    runs = []
    for _ in range(10):
        runs.append(tasks.sync_shipments())
        if runs[-1]["pass_done"]:
            break
    assert sum(r["pulled"] for r in runs) == len(parcels) == Shipment.objects.count()
    assert len(runs) == 3 and pulled == [2, 2, 1]
    # The next run starts the next pass from the first parcel.
    assert cache.get(tasks.SYNC_CURSOR_KEY) == 0
    assert tasks.sync_shipments()["pulled"] == 2


def test_one_run_walks_every_batch_within_its_budget(parcels, monkeypatch):
    monkeypatch.setattr(tasks, "shipments_sync_quiet", functools.partial(tracking.shipments_sync_quiet,
                                                                         quiet_seconds=0, limit=2))
    done = tasks.sync_shipments()
    assert done["pass_done"] and done["pulled"] == len(parcels)
