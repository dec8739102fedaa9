from orders.management.reconcile_command import ReconcileCommand
from orders.services.sweeps import payments_reconcile


class Command(ReconcileCommand):
    name = "reconcile_payments"
    noun = "payments"
    help = (
        "Ask the payment provider about payments still pending after a while (a webhook delayed or lost) and "
        "apply its answer, as a webhook would. Runs once, now."
    )

    def reconcile(self, *, older_than_seconds, limit):
        return payments_reconcile(older_than_seconds=older_than_seconds, limit=limit)
