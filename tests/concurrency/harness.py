"""Running callables at the same moment on real threads, each with its own database connection,
and checking what a gift looks like afterwards.

`run_concurrently(tasks)` puts the tasks through a ThreadPoolExecutor of at most 50 workers (half
of PostgreSQL's default connection limit: the main thread and other tests need some too). Every
task first opens its thread's connection, then waits at a gate; the main thread opens the gate
once the first wave (one task per worker) is waiting, so those tasks hit the database together.
Later tasks go through the open gate as workers free up, keeping the pressure on. Each task closes
its thread's connections when it ends, so nothing leaks into the next test's flush.

`gift_invariant_violations(gift_id, ...)` says, in words, everything that is wrong with a gift's
units, claims, shipments, stock and refunds; an empty list means the books balance.

`pause_at(matches, reached=..., seconds=...)` forces one interleaving of a race, where timing alone
would find it only now and then: on the calling thread's connection, at the first statement whose
SQL `matches`, it sets `reached` and sleeps, holding whatever locks its transaction holds, while
another task (waiting on `reached`) acts.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections
from django.db.models import Sum

MAX_WORKERS = 50
GATE_TIMEOUT = 30
TASK_TIMEOUT = 120


@dataclass
class Outcome:
    """What one task did: its return value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Run:
    outcomes: list[Outcome]
    seconds: float

    @property
    def values(self) -> list:
        return [o.value for o in self.outcomes if o.ok]

    @property
    def errors(self) -> list[BaseException]:
        return [o.error for o in self.outcomes if not o.ok]

    def error_names(self) -> Counter:
        """Counter of exception class names, e.g. {"GiftFullyClaimed": 195}."""
        return Counter(type(e).__name__ for e in self.errors)


def run_concurrently(
    tasks: list[Callable[[], Any]], *, max_workers: int = MAX_WORKERS, on_ready: Callable[[], None] | None = None
) -> Run:
    """Run every task on a worker thread, the first wave released at once. `on_ready` runs on the
    main thread (its own connection) after the first wave is waiting and just before the release:
    the place to start a clock, such as a deadline a few milliseconds ahead."""
    if not tasks:
        raise ValueError("nothing to run")
    workers = min(max_workers, MAX_WORKERS, len(tasks))
    gate = threading.Event()
    arrived = threading.Semaphore(0)

    def wrapped(task):
        try:
            connection.ensure_connection()  # connecting is not part of the race
            arrived.release()
            if not gate.wait(GATE_TIMEOUT):
                raise TimeoutError("the gate never opened")
            try:
                return Outcome(value=task())
            except Exception as exc:  # noqa: BLE001 - every failure is the caller's to judge
                return Outcome(error=exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="race") as pool:
        futures = [pool.submit(wrapped, task) for task in tasks]
        try:
            for _ in range(workers):
                if not arrived.acquire(timeout=GATE_TIMEOUT):
                    raise TimeoutError("the first wave never gathered at the gate")
            if on_ready is not None:
                on_ready()
        finally:
            started = time.monotonic()
            gate.set()  # never leave a worker waiting, even when setting up failed
        outcomes = [future.result(timeout=TASK_TIMEOUT) for future in futures]
    return Run(outcomes=outcomes, seconds=time.monotonic() - started)


@contextmanager
def pause_at(matches: Callable[[str], bool], *, reached: threading.Event, seconds: float, before: bool = False):
    """Within the block, on this thread's connection: once, at the first statement whose SQL
    `matches`, set `reached` and sleep `seconds` after running it (or before, with `before=True`)."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        hit = not fired and matches(sql)
        if hit:
            fired.append(sql)
        if hit and before:
            reached.set()
            time.sleep(seconds)
        result = execute(sql, params, many, context)
        if hit and not before:
            reached.set()
            time.sleep(seconds)
        return result

    with connection.execute_wrapper(wrapper):
        yield fired


# --- the gift's books ------------------------------------------------------------------------

def gift_invariant_violations(gift_id: int, *, initial_stock: int | None = None, settled: bool = True) -> list[str]:
    """Everything that does not add up for one gift, as sentences (empty: all is well).

    - the units the claims hold equal `claimed_units`, which stays within 0..quantity;
    - one shipment per accepted claim, all for the gift's store, marked as a gift;
    - no unit both claimed and refunded: claimed + refunded units never pass the quantity, and a
      closed gift (claimed, expired, cancelled) accounts for every unit;
    - stock (when `initial_stock` is given) is what it was, less the units still held by the gift;
    - once the outbox has been drained (`settled`), the payment's refunded total is the sum of the
      refunds and its status says so.
    """
    from gifts.models import Claim, Gift
    from orders.models import Payment, Refund
    from stores.models import Variant

    problems = []
    gift = Gift.objects.select_related("order").get(id=gift_id)
    line = gift.order.lines.get()
    claims = list(Claim.objects.filter(gift=gift).select_related("shipment"))
    holding = [c for c in claims if c.status in Claim.HOLDING]
    held_units = sum(c.quantity for c in holding)
    if held_units != gift.claimed_units:
        problems.append(f"claims hold {held_units} units but claimed_units is {gift.claimed_units}")
    if not 0 <= gift.claimed_units <= gift.quantity:
        problems.append(f"claimed_units {gift.claimed_units} is outside 0..{gift.quantity}")
    if held_units > gift.quantity:
        problems.append(f"{held_units} units claimed of a gift of {gift.quantity}")
    recipients = Counter(c.recipient_id for c in claims)
    doubled = sorted(r for r, n in recipients.items() if n > 1)
    if doubled:
        problems.append(f"recipients with more than one claim: {doubled}")

    for claim in holding:
        shipment = claim.shipment
        if claim.status == Claim.Status.ACCEPTED and shipment is None:
            problems.append(f"accepted claim {claim.id} has no shipment")
        elif shipment is not None and (shipment.store_id != gift.order.store_id or not shipment.is_gift):
            problems.append(f"claim {claim.id}'s shipment is not a gift parcel of the gift's store")
    shipped_units = sum(
        sum(int(line_["quantity"]) for line_ in c.shipment.lines) for c in holding if c.shipment is not None
    )
    if shipped_units != held_units:
        problems.append(f"shipments carry {shipped_units} units for {held_units} claimed")

    payment = gift.order.payments.order_by("id").last()
    refunds = Refund.objects.filter(payment=payment) if payment else Refund.objects.none()
    refunded_minor = refunds.aggregate(s=Sum("amount_minor"))["s"] or 0
    if refunded_minor % line.unit_price_minor:
        problems.append(f"refunds total {refunded_minor}, not a whole number of units at {line.unit_price_minor}")
    refunded_units = refunded_minor // line.unit_price_minor
    if held_units + refunded_units > gift.quantity:
        problems.append(f"{held_units} units claimed and {refunded_units} refunded, of {gift.quantity}")
    closed = {Gift.Status.CLAIMED, Gift.Status.EXPIRED, Gift.Status.CANCELLED}
    if gift.status in closed and held_units + refunded_units != gift.quantity:
        problems.append(
            f"{gift.status} gift accounts for {held_units} claimed + {refunded_units} refunded of {gift.quantity}"
        )
    if gift.status == Gift.Status.CLAIMED and gift.claimed_units != gift.quantity:
        problems.append(f"status claimed with {gift.claimed_units} of {gift.quantity} units claimed")
    if gift.status == Gift.Status.OPEN and refunded_units:
        problems.append(f"open gift already refunded {refunded_units} units")

    if initial_stock is not None:
        stock = Variant.objects.values_list("stock", flat=True).get(id=gift.variant_id)
        expected = initial_stock - gift.quantity + refunded_units
        if stock != expected:
            problems.append(f"stock is {stock}, expected {expected}")

    if settled and payment is not None:
        succeeded = refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(s=Sum("amount_minor"))["s"] or 0
        if refunds.exclude(status=Refund.Status.SUCCEEDED).exists():
            problems.append("some refunds are still not carried out")
        if payment.refunded_minor != succeeded:
            problems.append(f"payment.refunded_minor is {payment.refunded_minor}, refunds total {succeeded}")
        if succeeded == 0:
            expected_status = Payment.Status.SUCCEEDED
        elif succeeded >= payment.amount_minor:
            expected_status = Payment.Status.REFUNDED
        else:
            expected_status = Payment.Status.PARTIALLY_REFUNDED
        if payment.status != expected_status:
            problems.append(f"payment status is {payment.status}, expected {expected_status}")
    return problems
