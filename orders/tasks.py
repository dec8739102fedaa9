from celery import shared_task

from orders.payments import sandbox
from orders.services.purge import orders_purge_unshipped_ship_to
from orders.services.refunds import refunds_reconcile
from orders.services.sweeps import orders_cancel_unpaid, payments_reconcile


@shared_task(name="orders.tasks.sandbox_deliver_webhooks")
def sandbox_deliver_webhooks():
    return sandbox.sandbox_deliver_webhooks()


@shared_task(name="orders.tasks.cancel_unpaid_orders")
def cancel_unpaid_orders():
    return orders_cancel_unpaid()


@shared_task(name="orders.tasks.reconcile_payments")
def reconcile_payments():
    return payments_reconcile()


@shared_task(name="orders.tasks.purge_order_addresses")
def purge_order_addresses():
    return orders_purge_unshipped_ship_to()


@shared_task(name="orders.tasks.reconcile_refunds")
def reconcile_refunds():
    return refunds_reconcile()
