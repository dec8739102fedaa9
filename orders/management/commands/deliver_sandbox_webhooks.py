from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orders.payments.sandbox import sandbox_deliver_webhooks


class Command(BaseCommand):
    help = "The sandbox payment provider's delivery job: send its due, signed webhooks to our endpoint. Runs once, now."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="At most this many notifications.")

    def handle(self, *args, limit, **options):
        if not settings.SANDBOX_PAYMENTS_ENABLED:
            raise CommandError("The sandbox payment provider is off (SANDBOX_PAYMENTS_ENABLED).")
        result = sandbox_deliver_webhooks(limit=limit)
        self.stdout.write(
            f"deliver_sandbox_webhooks: sent {result['sent']} webhooks, {result['failed']} failed (retried later)"
        )
