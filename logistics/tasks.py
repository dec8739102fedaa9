import time

from celery import shared_task
from django.core.cache import cache

from logistics.carriers.sandbox import SandboxCarrier
from logistics.services.overdue import ship_by_enforce
from logistics.services.purge import purge_ended_addresses
from logistics.services.tracking import shipments_sync_quiet


@shared_task(name="logistics.tasks.sandbox_carrier_push")
def sandbox_carrier_push():
    return SandboxCarrier().push_due()


# The beat sends sync_shipments every 60 s. One run walks the quiet parcels in batches for up to this
# long; where it stops is kept in the cache, so the next run goes on from there and every parcel is
# pulled once per pass however many there are (a lost cursor only starts the pass again).
SYNC_BUDGET_SECONDS = 45.0
SYNC_CURSOR_KEY = "logistics:sync-cursor"


@shared_task(name="logistics.tasks.sync_shipments")
def sync_shipments():
    totals = {"pulled": 0, "moved": 0, "unavailable": 0, "batches": 0, "pass_done": False}
    deadline = time.monotonic() + SYNC_BUDGET_SECONDS
    after_id = cache.get(SYNC_CURSOR_KEY) or 0
    while True:
        done = shipments_sync_quiet(after_id=after_id)
        totals["batches"] += 1
        for key in ("pulled", "moved", "unavailable"):
            totals[key] += done[key]
        after_id = done["last_id"] or 0
        if not done["last_id"]:
            totals["pass_done"] = True
            break
        if time.monotonic() >= deadline:
            break
    cache.set(SYNC_CURSOR_KEY, after_id, None)
    return totals


@shared_task(name="logistics.tasks.enforce_ship_by")
def enforce_ship_by():
    return ship_by_enforce()


@shared_task(name="logistics.tasks.purge_addresses")
def purge_addresses():
    return purge_ended_addresses()
