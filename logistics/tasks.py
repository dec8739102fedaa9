from celery import shared_task

from logistics.carriers.sandbox import SandboxCarrier
from logistics.tracking import shipments_sync_quiet


@shared_task(name="logistics.tasks.sandbox_carrier_push")
def sandbox_carrier_push():
    return SandboxCarrier().push_due()


@shared_task(name="logistics.tasks.sync_shipments")
def sync_shipments():
    return shipments_sync_quiet()
