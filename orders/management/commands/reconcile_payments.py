from django.core.management.base import BaseCommand

from orders.services.sweeps import payments_reconcile


class Command(BaseCommand):
    help = (
        "Ask the payment provider about payments still pending after a while (a webhook delayed or lost) and "
        "apply its answer, as a webhook would. Runs once, now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            dest="older_than",
            help="Only payments pending at least this many seconds (default: the RECONCILE_AFTER_SECONDS setting).",
        )
        parser.add_argument("--limit", type=int, default=200, help="At most this many payments.")

    def handle(self, *args, older_than, limit, **options):
        outcomes = payments_reconcile(older_than_seconds=older_than, limit=limit)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "nothing to reconcile"
        self.stdout.write(f"reconcile_payments: checked {sum(outcomes.values())} payments: {summary}")
