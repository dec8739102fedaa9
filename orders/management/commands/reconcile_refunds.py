from orders.management.reconcile_command import ReconcileCommand
from orders.services.refunds import refunds_reconcile


class Command(ReconcileCommand):
    name = "reconcile_refunds"
    noun = "refunds"
    help = (
        "Ask the payment provider about refunds it has not confirmed after a while (a webhook delayed or lost) and "
        "apply its answer; try again the failed refunds whose retry is due. Runs once, now."
    )

    def reconcile(self, *, older_than_seconds, limit):
        return refunds_reconcile(older_than_seconds=older_than_seconds, limit=limit)
