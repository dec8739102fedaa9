"""A refund is done only when the provider says so (issue 13): the sandbox answers "pending" and
tells the outcome later by a signed refund.updated webhook (SANDBOX_REFUND_MODE), or only when
asked (the webhook lost: the reconcile-refunds job). A failed refund is tried again with a new
idempotency key after a backoff, and after REFUND_MAX_ATTEMPTS it waits for the admin while the
store is told. The money moves in our books exactly once, whatever arrives twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models.functions import Now

from accounts.models import Notice
from giftshop.errors import PermissionDenied
from orders.models import Payment, Refund, SandboxCharge, SandboxRefund, SandboxWebhook, WebhookEvent
from orders.payments.sandbox import sandbox_deliver_webhooks
from orders.selectors import refund_attempt_key, refund_attempt_of, refund_summary
from orders.services.checkout import order_create_purchase
from orders.services.refunds import refund_rest, refund_retry, refunds_reconcile
from tests.factories import UserFactory
from tests.gifts.helpers import drain_outbox, pay
from tests.orders.helpers import make_address, make_variant

pytestmark = pytest.mark.django_db

PAID = 25600  # 2 teapots at ¥128.00


@pytest.fixture
def paid(user):
    variant = make_variant(stock=5, price_minor=12800)
    order = order_create_purchase(buyer=user, variant_id=variant.id, quantity=2, address_id=make_address(user).id)
    payment = pay(order)
    assert payment.amount_minor == PAID
    return order, payment


@pytest.fixture
def refund_mode(settings):
    """Switch the sandbox's refund answers (each refund settles SANDBOX_REFUND_SETTLE_SECONDS later)."""

    def switch(mode):
        settings.SANDBOX_REFUND_MODE = mode

    return switch


def settle():
    """Time passes at the provider: its refunds settle and their webhooks are due."""
    past = Now() - timedelta(seconds=1)
    SandboxRefund.objects.update(settle_at=past)
    SandboxWebhook.objects.filter(body__contains='"refund.updated"').update(deliver_after=past)


def refunded(order):
    """Ask for the whole purchase back and let the outbox call the provider."""
    refund = refund_rest(order=order, reason=Refund.Reason.MERCHANT, scope=order.id)
    drain_outbox()
    refund.refresh_from_db()
    return refund


def books(payment):
    payment.refresh_from_db()
    charge = SandboxCharge.objects.get(ref=payment.provider_ref)
    return payment.status, payment.refunded_minor, charge.refunded_minor


def test_a_refund_the_provider_answers_pending_waits_for_its_webhook_then_lands_once(paid, refund_mode):
    order, payment = paid
    refund_mode("pending")

    # when the refund is made and the provider says "pending"
    refund = refunded(order)

    # then nothing is refunded in our books yet, though the provider's reference is kept
    assert refund.status == Refund.Status.PENDING and refund.provider_ref.startswith("re_")
    assert books(payment)[:2] == (Payment.Status.SUCCEEDED, 0)
    order.refresh_from_db()
    assert order.status == "paid"

    # when the provider's refund.updated webhook arrives (twice, as providers may send it)
    hook = SandboxWebhook.objects.get(body__contains='"refund.updated"')
    SandboxWebhook.objects.create(event_id=hook.event_id, body=hook.body)
    settle()
    assert sandbox_deliver_webhooks()["sent"] == 2
    drain_outbox()

    # then the refund succeeded, once: the payment, the order and the buyer's notice follow
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.completed_at is not None
    assert books(payment) == (Payment.Status.REFUNDED, PAID, PAID)
    order.refresh_from_db()
    assert order.status == "refunded"
    outcomes = list(WebhookEvent.objects.filter(event_type="refund.updated").values_list("outcome", flat=True))
    assert outcomes == ["refunded"]  # the copy was the same event id: recorded once, applied once
    assert Notice.objects.filter(kind="order_refunded", user=order.buyer).count() == 1


def test_a_refund_whose_webhook_was_lost_is_settled_by_the_reconcile_job_exactly_once(paid, refund_mode):
    order, payment = paid
    refund_mode("pending")
    refund = refunded(order)
    SandboxWebhook.objects.filter(body__contains='"refund.updated"').update(dropped=True)  # never delivered
    settle()

    # when the reconcile-refunds job runs (twice, as two overlapping beats would)
    first = refunds_reconcile(older_than_seconds=0)
    second = refunds_reconcile(older_than_seconds=0)

    # then the provider's answer was applied once
    assert first == {"refunded": 1} and second == {}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert books(payment) == (Payment.Status.REFUNDED, PAID, PAID)


def test_the_job_leaves_a_refund_alone_while_the_provider_still_says_pending(paid, refund_mode):
    order, _ = paid
    refund_mode("pending")
    refund = refunded(order)

    assert refunds_reconcile(older_than_seconds=0) == {"pending": 1}
    assert refunds_reconcile(older_than_seconds=3600) == {}  # too young to ask about
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PENDING


def test_a_failed_refund_is_tried_again_with_a_new_key_after_its_backoff_and_never_doubles(paid, refund_mode):
    order, payment = paid
    refund_mode("failed")
    refund = refunded(order)
    settle()
    assert sandbox_deliver_webhooks()["sent"] == 1

    # then the provider's "failed" makes the refund failed, still owed, its retry due later
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED and refund.attempts == 1 and refund.retry_at is not None
    assert books(payment) == (Payment.Status.SUCCEEDED, 0, 0)
    assert refund_summary(payment=payment).left_minor == 0  # its amount stays reserved for it
    assert refunds_reconcile(older_than_seconds=0) == {}  # the backoff has not passed

    # when the retry is due and the provider accepts this time
    refund_mode("succeeded")
    Refund.objects.filter(id=refund.id).update(retry_at=Now() - timedelta(seconds=1))
    assert refunds_reconcile(older_than_seconds=0) == {"retried": 1}
    drain_outbox()

    # then the second try, under its own key, succeeded, and the money moved once
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.SUCCEEDED, 2)
    keys = set(SandboxRefund.objects.values_list("idempotency_key", "settles_to"))
    assert keys == {(refund.refund_ref, "failed"), (f"{refund.refund_ref}:2", "succeeded")}
    assert refund_attempt_key(refund) == f"{refund.refund_ref}:2"
    assert books(payment) == (Payment.Status.REFUNDED, PAID, PAID)


def test_news_of_an_earlier_try_does_not_touch_the_current_one(paid, refund_mode):
    order, payment = paid
    refund_mode("failed")
    refund = refunded(order)
    failed_news = SandboxWebhook.objects.get(body__contains='"refund.updated"')
    settle()
    sandbox_deliver_webhooks()
    refund_mode("pending")
    Refund.objects.filter(id=refund.id).update(retry_at=Now())
    refunds_reconcile(older_than_seconds=0)
    drain_outbox()

    # when the first try's "failed" is delivered again, under a new event id, during the second try
    SandboxWebhook.objects.create(event_id="evt_replayed_failure", body=failed_news.body.replace(
        failed_news.event_id, "evt_replayed_failure"))
    sandbox_deliver_webhooks()

    # then the second try is still pending, waiting for its own answer
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.PENDING, 2)
    assert WebhookEvent.objects.get(event_id="evt_replayed_failure").outcome == "already"


def test_after_the_last_try_the_store_is_told_and_only_the_admin_retries(paid, refund_mode, settings, store_owner):
    order, payment = paid
    settings.REFUND_MAX_ATTEMPTS = 2
    refund_mode("failed")
    refund = refunded(order)
    settle()
    sandbox_deliver_webhooks()
    Refund.objects.filter(id=refund.id).update(retry_at=Now())
    refunds_reconcile(older_than_seconds=0)
    drain_outbox()

    # when the second and last try fails too
    settle()
    sandbox_deliver_webhooks()
    drain_outbox()

    # then the refund waits for the admin: no retry is scheduled, and the store's members are told
    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.retry_at) == (Refund.Status.FAILED, 2, None)
    assert refunds_reconcile(older_than_seconds=0) == {}
    notice = Notice.objects.get(kind="refund_stuck", user=store_owner)
    assert notice.params == {"amount": PAID, "currency": "CNY", "order_id": order.id, "attempts": 2}
    assert books(payment) == (Payment.Status.SUCCEEDED, 0, 0)

    # and only platform staff may send it again
    with pytest.raises(PermissionDenied):
        refund_retry(refund_id=refund.id, actor=store_owner)
    refund_mode("succeeded")
    assert refund_retry(refund_id=refund.id, actor=UserFactory(is_staff=True)) is True
    drain_outbox()
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.SUCCEEDED, 3)
    assert books(payment) == (Payment.Status.REFUNDED, PAID, PAID)
    assert refund_retry(refund_id=refund.id, actor=UserFactory(is_staff=True)) is False  # nothing left to retry


def test_the_reconcile_refunds_command_reports_what_it_did(paid, refund_mode, capsys):
    order, _ = paid
    refund_mode("pending")
    refunded(order)
    SandboxWebhook.objects.filter(body__contains='"refund.updated"').update(dropped=True)
    settle()

    call_command("reconcile_refunds", "--older-than", "0")

    assert "reconcile_refunds: checked 1 refunds: 1 refunded" in capsys.readouterr().out


@pytest.fixture
def store_owner(paid):
    order, _ = paid
    return order.store.members.get(role="owner").user


@pytest.mark.parametrize("attempts", [1, 2, 7])
def test_a_tries_key_reads_back_as_its_refund_and_try(attempts):
    refund = Refund(refund_ref="refund:12:expired:34", attempts=attempts)

    assert refund_attempt_of(refund_attempt_key(refund)) == ("refund:12:expired:34", attempts)
