from django.core.management.base import BaseCommand

from orders.services.sweeps import orders_cancel_unpaid


class Command(BaseCommand):
    help = "Cancel the orders still unpaid after their payment window and put their stock back on sale. Runs once, now."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many orders.")

    def handle(self, *args, limit, **options):
        cancelled = orders_cancel_unpaid(limit=limit)
        self.stdout.write(f"cancel_unpaid_orders: cancelled {cancelled} unpaid orders")
