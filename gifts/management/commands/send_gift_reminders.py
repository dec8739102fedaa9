from django.core.management.base import BaseCommand

from gifts.services.lifecycle import gifts_remind_due


class Command(BaseCommand):
    help = "Remind the senders of open gifts that close within the reminder window (once per gift). Runs once, now."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many gifts.")

    def handle(self, *args, limit, **options):
        reminded = gifts_remind_due(limit=limit)
        self.stdout.write(f"send_gift_reminders: reminded {reminded} senders")
