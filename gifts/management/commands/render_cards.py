from django.core.management.base import BaseCommand
from django.db.models import Q

from gifts.models import Gift
from gifts.services.cards import gift_render_card


class Command(BaseCommand):
    help = (
        "Render the card image and QR code of paid gifts that lack them (normally the outbox does it when a "
        "gift opens or its link is revoked). Runs once, now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many gifts.")

    def handle(self, *args, limit, **options):
        missing = Gift.objects.filter(token_hash__isnull=False).filter(Q(card_image="") | Q(qr_image=""))
        ids = list(missing.order_by("id").values_list("id", flat=True)[:limit])
        for gift_id in ids:
            gift_render_card(gift_id=gift_id)
        self.stdout.write(f"render_cards: rendered {len(ids)} gifts")
