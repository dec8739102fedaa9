from django.core.management.base import BaseCommand

from logistics.services.purge import BATCH_SIZE, purge_ended_addresses


class Command(BaseCommand):
    help = (
        "Purge addresses, once, now: redact the ship-to name, phone, street, district and postal code and the "
        "gift note of each parcel that ended (delivered, returned, expired, cancelled) more than "
        "ADDRESS_RETENTION_DAYS ago; country, province and city stay. A purchase's copy of the address follows "
        "through the outbox: the worker's relay, or `relay_outbox`, carries it out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most this many shipments (default: all).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Shipments redacted per UPDATE.")

    def handle(self, *args, limit, batch_size, **options):
        purged = purge_ended_addresses(limit=limit, batch_size=batch_size)
        self.stdout.write(f"purge_addresses: {purged} shipment addresses redacted")
