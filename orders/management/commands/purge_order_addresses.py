from django.core.management.base import BaseCommand

from orders.services.purge import orders_purge_unshipped_ship_to


class Command(BaseCommand):
    help = ("Redact the ship-to address of purchases that never shipped (cancelled, or their payment failed) "
            "ADDRESS_RETENTION_DAYS after their payment window. Runs once, now.")

    def handle(self, *args, **options):
        changed = orders_purge_unshipped_ship_to()
        self.stdout.write(f"purge_order_addresses: {changed} order addresses redacted")
