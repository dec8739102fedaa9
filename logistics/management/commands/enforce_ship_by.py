from django.core.management.base import BaseCommand

from logistics.services.overdue import ship_by_enforce


class Command(BaseCommand):
    help = (
        "Enforce the ship-by promise, once, now: announce each shipment still waiting past its ship-by time "
        "(its payer and the store's members are told), and ask for the refund of those still waiting "
        "SHIP_BY_GRACE_HOURS later (a claim refunded at the unit price paid; a purchase cancelled, stock back). "
        "Both go through the outbox: the worker's relay, or `relay_outbox`, carries them out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many shipments in each pass.")

    def handle(self, *args, limit, **options):
        done = ship_by_enforce(limit=limit)
        self.stdout.write(
            f"enforce_ship_by: {done['overdue']} shipments newly overdue, {done['refund_due']} due for a refund "
            "after the grace period (queued in the outbox)"
        )
