from django.core.management.base import BaseCommand

from logistics.carriers.sandbox import SandboxCarrier
from logistics.services.tracking import shipments_sync_quiet


class Command(BaseCommand):
    help = "Pull news for dispatched parcels from their carriers now (and let the sandbox carrier push)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-seconds", type=int, default=0,
                            help="only parcels with no news for this long (default 0: every active parcel)")

    def handle(self, *args, quiet_seconds, **options):
        pushed = SandboxCarrier().push_due()
        done = shipments_sync_quiet(quiet_seconds=quiet_seconds)
        self.stdout.write(
            f"sync_shipments: sandbox pushes {pushed}; pulled {done['pulled']}, moved {done['moved']}, "
            f"carrier unavailable {done['unavailable']}"
        )
