from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from gifts.services.lifecycle import gifts_draw_due


class Command(BaseCommand):
    help = "Draw the lotteries whose draw time has come: winners at random, the others told they lost. Runs once, now."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many lotteries.")

    def handle(self, *args, limit, **options):
        drawn = gifts_draw_due(limit=limit)
        said = ngettext("drew %(count)d lottery", "drew %(count)d lotteries", drawn) % {"count": drawn}
        self.stdout.write(f"draw_lotteries: {said}")
