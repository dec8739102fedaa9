from django.core.management.base import BaseCommand

from giftshop.outbox import outbox_relay


class Command(BaseCommand):
    help = "Deliver every due outbox message now, in this process, and print what happened."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        result = outbox_relay(limit=limit)
        counts = {}
        for outcome in result["results"].values():
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing due"
        self.stdout.write(f"relay_outbox: claimed {result['claimed']}: {summary}")
