"""Buyers racing for the last unit: stock is reserved when the order or the gift is created
(stores.stock.stock_reserve, a conditional update; CHECK (stock >= 0) is the last net). When more
people want it than there is, exactly as many as the stock allows get it, the others are told
`out_of_stock`, and a refused checkout leaves nothing behind (no order, line, payment, gift or
provider checkout).

Paying races too: an unpaid order past its payment window is cancelled by the sweep (its unit goes
back on sale, a new buyer may take it) while its payment notice arrives. Either the payment wins
(the order is paid and keeps the unit) or the sweep does (the unit is released, the late money is
refunded in full); the unit is never sold twice, and the provider is always acknowledged.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models.functions import Now
from django.test import Client
from django.urls import reverse

from gifts.models import Gift
from gifts.services.sending import gift_create
from giftshop import signing
from orders.models import Order, OrderLine, Payment, Refund, SandboxCharge, SandboxWebhook
from orders.payments.sandbox import SIGNATURE_HEADER, sandbox_charge_complete
from orders.services.checkout import order_create_purchase
from orders.services.sweeps import orders_cancel_unpaid, payments_reconcile
from tests.concurrency.harness import pause_at, run_concurrently
from tests.factories import VariantFactory
from tests.gifts.helpers import drain_outbox

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICE = 4200
LIVE = (Order.Status.PENDING_PAYMENT, Order.Status.PAID)  # orders that hold their units


def buy(buyer, address_id, variant_id, quantity):
    def task():
        return order_create_purchase(buyer=buyer, variant_id=variant_id, quantity=quantity, address_id=address_id)

    return task


def send(sender, variant_id, quantity):
    def task():
        return gift_create(sender=sender, variant_id=variant_id, quantity=quantity, mode="group", message="For you")

    return task


def held_units(variant_id) -> int:
    return sum(
        OrderLine.objects.filter(variant_id=variant_id, order__status__in=LIVE).values_list("quantity", flat=True)
    )


# --- 1. checkouts for the last units -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "stock", "quantity"),
    [("two", 1, 1), ("crowd", 1, 1), ("crowd", 3, 2)],
    ids=["two buyers, one unit", "a crowd, one unit", "a crowd wanting two of the last three"],
)
def test_buyers_racing_for_the_last_units_exactly_one_gets_them(scale, make_claimers, people, stock, quantity):
    # given a variant with its last units, and buyers (half for themselves, half sending a gift)
    variant = VariantFactory(stock=stock, price_minor=PRICE)
    buyers = make_claimers(2 if people == "two" else scale.small_crowd, prefix="buyer")
    tasks = [
        buy(user, address_id, variant.id, quantity) if i % 2 == 0 else send(user, variant.id, quantity)
        for i, (user, address_id) in enumerate(buyers)
    ]

    # when they all check out at once
    run = run_concurrently(tasks, max_workers=scale.workers)

    # then one of them got the units; every other one was told it is sold out, and nothing else failed
    assert run.error_names() == {"OutOfStock": len(buyers) - 1}, run.errors[:3]
    assert {e.code for e in run.errors} == {"out_of_stock"}
    [won] = run.values
    order = won.order if isinstance(won, Gift) else won
    assert order.status == Order.Status.PENDING_PAYMENT
    # and the stock went to that order alone, never below zero
    variant.refresh_from_db()
    assert variant.stock == stock - quantity >= 0
    assert held_units(variant.id) == quantity
    # and the refused checkouts left nothing half-written
    assert list(Order.objects.values_list("id", flat=True)) == [order.id]
    assert OrderLine.objects.count() == 1 and Payment.objects.count() == 1
    assert Gift.objects.count() == (1 if isinstance(won, Gift) else 0)
    assert SandboxCharge.objects.count() == 1  # the provider's checkout was opened for the winner only


# --- 2. the last unit's late payment racing the unpaid sweep and a new buyer --------------------------


def succeeded_notice(payment):
    """The payer presses "Pay" on the sandbox page: its signed notice, which the test delivers."""
    sandbox_charge_complete(ref=payment.provider_ref, outcome="succeeded", webhook_mode="normal")
    body = SandboxWebhook.objects.get(body__contains=payment.provider_ref).body.encode()
    return body, signing.sign(settings.SANDBOX_PAYMENT_SECRET, body)


def post_notice(body, signature, delay):
    def task():
        time.sleep(delay)
        response = Client(raise_request_exception=False).post(
            reverse("payment-webhook", kwargs={"provider": "sandbox"}),
            body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: signature},
        )
        return ("webhook", response.status_code)

    return task


def later(delay, task):
    def run():
        time.sleep(delay)
        return task()

    return run


def test_a_late_payment_racing_the_unpaid_sweep_and_a_new_buyer_never_sells_the_last_unit_twice(scale, make_claimers):
    # given last units (one per variant) reserved by first buyers (purchases and gifts) who pressed
    # "Pay" just as their payment window closed; their notices are on the way
    n = 12 if scale.on_postgres else 4
    first = make_claimers(n, prefix="first")
    second = make_claimers(n, prefix="second")
    variants = [VariantFactory(stock=1, price_minor=PRICE) for _ in range(n)]
    orders, notices = [], []
    for i, ((user, address_id), variant) in enumerate(zip(first, variants, strict=True)):
        made = buy(user, address_id, variant.id, 1)() if i % 2 == 0 else send(user, variant.id, 1)().order
        orders.append(made)
        notices.append(succeeded_notice(made.payments.get()))
    Order.objects.filter(id__in=[o.id for o in orders]).update(pay_by=Now() - timedelta(seconds=1))

    # when each notice arrives while the sweep cancels unpaid orders and a second buyer tries to check out
    tasks = []
    for i, ((body, signature), (user, address_id), variant) in enumerate(zip(notices, second, variants, strict=True)):
        step = (i % 4) * 0.003  # the notice and the new buyer come a little earlier or later
        tasks += [post_notice(body, signature, step), later(0.012 - step, buy(user, address_id, variant.id, 1))]
    tasks += [orders_cancel_unpaid, later(0.004, orders_cancel_unpaid)]
    run = run_concurrently(tasks, max_workers=scale.workers)
    drain_outbox()
    # A notice that lost to the sweep on the payment row is recorded as "raced" and applies nothing;
    # the reconcile job (every minute) asks the provider about payments given up on lately, and the
    # money it finds is refunded as a late payment.
    payments_reconcile(older_than_seconds=0)
    drain_outbox()

    # then the provider was acknowledged every time, and the only refusals were "sold out"
    assert [v for v in run.values if isinstance(v, tuple)] == [("webhook", 200)] * n
    assert set(run.error_names()) <= {"OutOfStock"}, [f"{type(e).__name__}: {e}" for e in run.errors][:3]
    # and each last unit went to exactly one live order, or is back on sale
    paid_first = cancelled_first = 0
    for order, variant in zip(orders, variants, strict=True):
        order.refresh_from_db()
        variant.refresh_from_db()
        assert variant.stock >= 0 and variant.stock + held_units(variant.id) == 1, (variant.stock, order.status)
        payment = order.payments.get()
        refunds = list(Refund.objects.filter(payment=payment))
        if order.status == Order.Status.PAID:  # the money came in time: the first buyer keeps the unit
            paid_first += 1
            assert payment.status == Payment.Status.SUCCEEDED and refunds == []
            assert held_units(variant.id) == 1 and variant.stock == 0
            assert Order.objects.filter(lines__variant=variant).count() == 1  # nobody else bought it
        else:  # the window closed first: the unit went back on sale and the late money back to the payer
            cancelled_first += 1
            assert order.status == Order.Status.CANCELLED, order.status
            assert [(r.reason, r.amount_minor, r.status) for r in refunds] == [
                (Refund.Reason.LATE_PAYMENT, PRICE, Refund.Status.SUCCEEDED)
            ]
            assert payment.status == Payment.Status.REFUNDED and payment.refunded_minor == PRICE
    assert paid_first + cancelled_first == n


# --- 3. the same race, forced into its worst interleaving ------------------------------------------


def test_a_payment_notice_and_the_unpaid_sweep_on_the_same_order_never_deadlock(postgres_only, make_claimers):
    # given the last unit reserved by a buyer whose payment window has just closed, and their notice
    [(user, address_id)] = make_claimers(1)
    variant = VariantFactory(stock=1, price_minor=PRICE)
    order = buy(user, address_id, variant.id, 1)()
    body, signature = succeeded_notice(order.payments.get())
    Order.objects.filter(id=order.id).update(pay_by=Now() - timedelta(seconds=1))
    notice_paid_the_payment = threading.Event()

    def notice():
        # The notice has moved the payment (its row locked) and not yet the order when the sweep comes.
        with pause_at(
            lambda sql: sql.startswith('UPDATE "orders_payment"'), reached=notice_paid_the_payment, seconds=0.5
        ):
            return post_notice(body, signature, 0)()

    def sweep():
        assert notice_paid_the_payment.wait(10), "the notice never reached the payment"
        return orders_cancel_unpaid()

    # when the sweep cancels the order while the notice is being applied
    run = run_concurrently([notice, sweep])
    payments_reconcile(older_than_seconds=0)
    drain_outbox()

    # then nobody saw an error: the provider was acknowledged and the sweep finished its run
    assert run.errors == [], [f"{type(e).__name__}: {e}" for e in run.errors]
    assert ("webhook", 200) in run.values
    # and the unit is held by the paid order, or back on sale with the money refunded
    order.refresh_from_db()
    variant.refresh_from_db()
    assert variant.stock + held_units(variant.id) == 1
    payment = order.payments.get()
    if order.status == Order.Status.PAID:
        assert payment.status == Payment.Status.SUCCEEDED and not Refund.objects.exists()
    else:
        assert order.status == Order.Status.CANCELLED and payment.status == Payment.Status.REFUNDED
