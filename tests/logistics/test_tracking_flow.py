from datetime import timedelta

import pytest
from django.utils import timezone

from gifts.models import Claim
from gifts.services.claims import claim_accept
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch, shipments_sync_quiet
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed():
    sender, friend = UserFactory(), UserFactory()
    gift = paid_gift(sender=sender, variant=VariantFactory(stock=3))
    return claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id)


def later(steps):
    moment = timezone.now() + timedelta(seconds=60 * steps + 1)
    return lambda: moment


def test_dispatch_then_the_sandbox_timeline_reaches_delivered(claimed):
    shipment = claimed.shipment

    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number="DLV10001")
    drain_outbox()

    shipment.refresh_from_db()
    claimed.refresh_from_db()
    assert shipment.status == Shipment.Status.INFO_RECEIVED and shipment.shipped_at
    assert claimed.status == Claim.Status.SHIPPED
    assert [e.raw_status for e in shipment.events.all()] == ["ACCEPTED"]

    shipments_sync_quiet(quiet_seconds=0, clock=later(2))
    drain_outbox()
    claimed.refresh_from_db()
    assert claimed.status == Claim.Status.OUT_FOR_DELIVERY

    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    shipments_sync_quiet(quiet_seconds=0, clock=later(3))
    drain_outbox()

    shipment.refresh_from_db()
    claimed.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.delivered_at
    assert claimed.status == Claim.Status.DELIVERED
    assert shipment.events.count() == 4  # each checkpoint stored once


def test_a_parcel_cannot_be_dispatched_twice(claimed):
    shipment_dispatch(
        shipment=claimed.shipment, actor=member_of(claimed.shipment), carrier="sandbox", tracking_number="DLV10002"
    )

    with pytest.raises(ShipmentNotPending):
        shipment_dispatch(
            shipment=claimed.shipment, actor=member_of(claimed.shipment), carrier="sandbox", tracking_number="DLV10003"
        )


def test_the_sandbox_pushes_signed_checkpoints_to_our_webhook(claimed, settings):
    from logistics.carriers.sandbox import SandboxCarrier

    shipment_dispatch(
        shipment=claimed.shipment, actor=member_of(claimed.shipment), carrier="sandbox", tracking_number="FAIL20001"
    )
    drain_outbox()

    sent = SandboxCarrier(clock=later(5)).push_due()
    drain_outbox()

    claimed.shipment.refresh_from_db()
    assert sent == 1
    assert claimed.shipment.status == Shipment.Status.DELIVERED
    assert "ATTEMPT_FAILED" in [e.raw_status for e in claimed.shipment.events.all()]
