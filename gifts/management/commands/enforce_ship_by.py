from django.core.management.base import BaseCommand

from gifts.services.ship_by import ship_by_enforce


class Command(BaseCommand):
    help = (
        "Enforce the ship-by promise: tell the store's members and the payer, once, about each shipment still "
        "waiting past its ship-by time; refund, once, those still waiting SHIP_BY_GRACE_HOURS later (the "
        "claim, or the purchase: parcel cancelled, stock back). Runs once, now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many shipments in each pass.")

    def handle(self, *args, limit, **options):
        done = ship_by_enforce(limit=limit)
        self.stdout.write(
            f"enforce_ship_by: {done['notices']} overdue notices about {done['noticed']} shipments; "
            f"refunded {done['refunded_gifts']} gift claims and {done['refunded_purchases']} purchases "
            f"not shipped in time; {done['not_refunded']} could not be refunded"
        )
