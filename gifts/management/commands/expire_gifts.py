from django.core.management.base import BaseCommand

from gifts.services.lifecycle import gifts_expire_due


class Command(BaseCommand):
    help = (
        "Close the gifts whose claim window has passed and refund their unclaimed units; refund lottery winners "
        "who chose no address in time (due lotteries are drawn first). Runs once, now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many rows of each kind.")

    def handle(self, *args, limit, **options):
        done = gifts_expire_due(limit=limit)
        self.stdout.write(
            f"expire_gifts: drew {done['drawn']} lotteries, expired {done['expired']} gifts, "
            f"refunded {done['winners_refunded']} winners without an address"
        )
