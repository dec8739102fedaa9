from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

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
        drawn = ngettext("drew %(count)d lottery", "drew %(count)d lotteries", done["drawn"])
        expired = ngettext("expired %(count)d gift", "expired %(count)d gifts", done["expired"])
        refunded = ngettext("refunded %(count)d winner without an address",
                            "refunded %(count)d winners without an address", done["winners_refunded"])
        said = ", ".join([drawn % {"count": done["drawn"]}, expired % {"count": done["expired"]},
                          refunded % {"count": done["winners_refunded"]}])
        self.stdout.write(f"expire_gifts: {said}")
