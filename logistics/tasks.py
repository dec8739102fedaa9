from celery import shared_task

from logistics.carriers.sandbox import SandboxCarrier
from logistics.services.overdue import ship_by_enforce
from logistics.services.purge import purge_ended_addresses
from logistics.services.tracking import shipments_sync_quiet


@shared_task(name="logistics.tasks.sandbox_carrier_push")
def sandbox_carrier_push():
    return SandboxCarrier().push_due()


@shared_task(name="logistics.tasks.sync_shipments")
def sync_shipments():
    return shipments_sync_quiet()


@shared_task(name="logistics.tasks.enforce_ship_by")
def enforce_ship_by():
    return ship_by_enforce()


@shared_task(name="logistics.tasks.purge_addresses")
def purge_addresses():
    return purge_ended_addresses()
