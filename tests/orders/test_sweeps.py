"""The payment window and the periodic jobs, through their services and management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models.functions import Now

from giftshop.outbox import outbox_relay
from orders.models import Order, Payment, Refund
from orders.payments.sandbox import sandbox_charge_complete
from orders.services.sweeps import orders_cancel_unpaid, payments_reconcile
from stores.models import Variant
from tests.orders.helpers import create_order, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(user_api, variant, address):
    return Order.objects.get(id=create_order(user_api, variant, address, quantity=2).json()["id"])


def window_closes(order):
    """The payment window of `order` is over (its one deadline column, on the database clock)."""
    Order.objects.filter(id=order.id).update(pay_by=Now())


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().strip()


def test_an_order_past_its_window_is_cancelled_and_its_stock_released(order, variant, user_api, address):
    # given: one order past its window, one still inside it
    still_open = Order.objects.get(id=create_order(user_api, variant, address).json()["id"])
    window_closes(order)
    assert Variant.objects.get(id=variant.id).stock == 2
    # when
    cancelled = orders_cancel_unpaid()
    # then
    order.refresh_from_db()
    still_open.refresh_from_db()
    assert cancelled == 1
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == Payment.Status.FAILED
    assert still_open.status == Order.Status.PENDING_PAYMENT
    assert Variant.objects.get(id=variant.id).stock == 4  # the 2 units are back, the other order keeps 1
    assert orders_cancel_unpaid() == 0  # a second run releases nothing twice
    assert Variant.objects.get(id=variant.id).stock == 4


def test_a_success_after_the_window_is_refunded_once_even_when_the_webhook_repeats(order, variant):
    # given: cancelled, then the payer pays on the still-open provider page, and the webhook comes twice
    window_closes(order)
    orders_cancel_unpaid()
    payment = order.payments.get()
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="duplicate")
    # when
    deliver()
    payments_reconcile(older_than_seconds=0)  # and reconciliation asks about it again
    outbox_relay()
    outbox_relay()
    # then
    payment.refresh_from_db()
    order.refresh_from_db()
    refund = Refund.objects.get(payment=payment)
    assert refund.reason == Refund.Reason.LATE_PAYMENT and refund.status == Refund.Status.SUCCEEDED
    assert refund.amount_minor == payment.amount_minor == 25600
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_minor == 25600
    assert order.status == Order.Status.CANCELLED and order.shipment is None
    assert Variant.objects.get(id=variant.id).stock == 5  # not taken again


def test_a_failure_notice_after_cancel_changes_nothing(order, variant):
    window_closes(order)
    orders_cancel_unpaid()
    payment = order.payments.get()
    sandbox_charge_complete(ref=payment.provider_ref, outcome="failed")

    deliver()

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert not Refund.objects.exists()
    assert Variant.objects.get(id=variant.id).stock == 5


# --- management commands ---------------------------------------------------------------------


def test_cancel_unpaid_orders_command_says_what_it_did(order):
    assert run("cancel_unpaid_orders") == "cancel_unpaid_orders: cancelled 0 unpaid orders"
    window_closes(order)

    assert run("cancel_unpaid_orders") == "cancel_unpaid_orders: cancelled 1 unpaid orders"

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_reconcile_payments_command_says_what_it_did(order):
    payment = order.payments.get()
    assert run("reconcile_payments") == "reconcile_payments: checked 0 payments: nothing to reconcile"
    assert run("reconcile_payments", "--older-than", "0") == "reconcile_payments: checked 1 payments: 1 still pending"
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="drop")

    assert run("reconcile_payments", "--older-than", "0") == "reconcile_payments: checked 1 payments: 1 paid"

    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_deliver_sandbox_webhooks_command_says_what_it_did(order, settings):
    payment = order.payments.get()
    assert run("deliver_sandbox_webhooks") == "deliver_sandbox_webhooks: sent 0 webhooks, 0 failed (retried later)"
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded")

    assert run("deliver_sandbox_webhooks") == "deliver_sandbox_webhooks: sent 1 webhooks, 0 failed (retried later)"

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    settings.SANDBOX_PAYMENTS_ENABLED = False
    with pytest.raises(CommandError):
        run("deliver_sandbox_webhooks")


def test_reconciliation_asks_about_a_failed_payment_only_until_the_provider_confirms_it(db):
    from gifts.services.sending import gift_create
    from orders.services.sweeps import payments_reconcile
    from tests.factories import UserFactory, VariantFactory
    from tests.gifts.helpers import pay

    gift = gift_create(sender=UserFactory(), variant_id=VariantFactory(stock=2).id)
    pay(gift.order, outcome="failed")

    first = payments_reconcile(older_than_seconds=0)
    second = payments_reconcile(older_than_seconds=0)

    assert first == {"already settled": 1}
    assert second == {}  # confirmed failed: it no longer takes a place in the batch
