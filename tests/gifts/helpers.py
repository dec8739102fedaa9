"""Driving a gift through the real services and the sandbox provider (no mocks)."""

from gifts.models import Gift
from gifts.services.sending import gift_create
from giftshop.outbox import outbox_relay
from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks


def drain_outbox(rounds=10):
    """Relay until nothing is due (a consumer may write follow-up messages)."""
    for _ in range(rounds):
        if not outbox_relay()["claimed"]:
            return
    raise AssertionError("the outbox never settled")


def pay(order, outcome="succeeded", webhook_mode=None):
    """Press the sandbox page's button, let the sandbox deliver its signed webhook to our endpoint
    (through the whole Django stack), then run the outbox so the news reaches the gift."""
    payment = order.payments.get()
    sandbox_charge_complete(ref=payment.provider_ref, outcome=outcome, webhook_mode=webhook_mode)
    sandbox_deliver_webhooks()
    drain_outbox()
    payment.refresh_from_db()
    return payment


def paid_gift(*, sender, variant, **kwargs) -> Gift:
    gift = gift_create(sender=sender, variant_id=variant.id, **kwargs)
    pay(gift.order)
    gift.refresh_from_db()
    return gift
