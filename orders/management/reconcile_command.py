"""The shape the two reconcile commands share: --older-than and --limit, one run, one summary line."""

from django.core.management.base import BaseCommand


class ReconcileCommand(BaseCommand):
    noun = "items"  # what the job checks, for the help and the summary

    def reconcile(self, *, older_than_seconds, limit) -> dict:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            dest="older_than",
            help=f"Only {self.noun} pending at least this many seconds (default: the RECONCILE_AFTER_SECONDS setting).",
        )
        parser.add_argument("--limit", type=int, default=200, help=f"At most this many {self.noun}.")

    def handle(self, *args, older_than, limit, **options):
        outcomes = self.reconcile(older_than_seconds=older_than, limit=limit)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "nothing to reconcile"
        self.stdout.write(f"{self.name}: checked {sum(outcomes.values())} {self.noun}: {summary}")
