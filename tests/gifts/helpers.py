"""Driving a gift through the real services and the sandbox provider (no mocks)."""

from datetime import timedelta

from django.utils import timezone

from gifts.models import Claim, Gift
from gifts.services.sending import gift_create
from giftshop.outbox import outbox_relay
from logistics.services.tracking import shipment_dispatch, shipments_sync_quiet
from orders.payments.sandbox import sandbox_charge_complete, sandbox_deliver_webhooks
from tests.factories import member_of


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


def ship_and_deliver(claim) -> Claim:
    """The store dispatches the claim's parcel with the sandbox carrier, whose timeline the
    carrier sync then follows to delivered (tests/logistics/test_tracking_flow.py, step by step)."""
    shipment = claim.shipment
    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox",
                      tracking_number=f"DLV{shipment.id:05d}")
    drain_outbox()
    for steps in (2, 3, 3):
        moment = timezone.now() + timedelta(seconds=60 * steps + 1)
        shipments_sync_quiet(quiet_seconds=0, clock=lambda moment=moment: moment)
    drain_outbox()
    claim.refresh_from_db()
    return claim
