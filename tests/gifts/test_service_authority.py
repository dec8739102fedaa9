"""Authority lives in the services, with the actor passed in (issue 8): whatever the entry point,
a gift's cancel, extend and not-shipped refund are its sender's (or platform staff's), a parcel's
dispatch is its store's members'. Each move records who made it on its StatusChange row (nobody:
the system)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Now

from gifts.models import Claim, Gift
from gifts.services.claims import claim_accept, claim_decline
from gifts.services.lifecycle import gift_cancel, gift_extend
from gifts.services.ship_by import claim_refund_not_shipped
from giftshop.errors import NotFound
from giftshop.models import StatusChange
from logistics.models import Shipment
from logistics.services.bulk_dispatch import bulk_dispatch
from logistics.services.tracking import shipment_dispatch
from tests.factories import AddressFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import paid_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def gift(user):
    return paid_gift(sender=user, variant=VariantFactory(stock=5), quantity=2, mode="group")


@pytest.fixture
def claimed(gift, other_user):
    return claim_accept(gift=gift, user=other_user, address_id=AddressFactory(user=other_user).id)


def _moves(obj):
    return StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def test_only_the_sender_or_platform_staff_may_cancel_or_extend(gift, other_user):
    with pytest.raises(NotFound):
        gift_cancel(gift=gift, actor=other_user)
    with pytest.raises(NotFound):
        gift_extend(gift=gift, hours=2, actor=other_user)
    gift.refresh_from_db()
    assert gift.status == Gift.Status.OPEN and not gift.extended

    support = UserFactory(is_staff=True)
    gift_extend(gift=gift, hours=2, actor=support)
    gift_cancel(gift=gift, actor=support)

    gift.refresh_from_db()
    assert gift.status == Gift.Status.CANCELLED and gift.extended


def test_the_cancel_records_its_actor_and_the_payment_records_the_system(gift, user):
    gift_cancel(gift=gift, actor=user)

    cancel = _moves(gift).get(to_status=Gift.Status.CANCELLED)
    opened = _moves(gift).get(to_status=Gift.Status.OPEN)
    assert cancel.actor == user and cancel.moved_by == user.username
    assert opened.actor is None and opened.moved_by == "system"


def test_only_the_sender_may_ask_for_the_not_shipped_refund(gift, claimed, user, other_user):
    Shipment.objects.filter(id=claimed.shipment_id).update(ship_by=Now() - timedelta(hours=1))

    with pytest.raises(NotFound):
        claim_refund_not_shipped(gift=gift, claim_id=claimed.id, actor=other_user)
    claimed.refresh_from_db()
    assert claimed.status == Claim.Status.ACCEPTED

    claim_refund_not_shipped(gift=gift, claim_id=claimed.id, actor=user)
    claimed.refresh_from_db()
    assert claimed.status == Claim.Status.REFUNDED
    assert _moves(claimed).get(to_status=Claim.Status.REFUNDED).actor == user
    assert _moves(claimed.shipment).get(to_status=Shipment.Status.CANCELLED).actor == user


def test_only_a_member_of_its_store_may_dispatch_a_parcel(claimed, user, other_user):
    shipment = claimed.shipment
    for outsider in (user, other_user, UserFactory(is_staff=True)):  # the sender, the recipient, support
        with pytest.raises(NotFound):
            shipment_dispatch(shipment=shipment, carrier="sandbox", tracking_number="DLV40001", actor=outsider)
    with pytest.raises(NotFound):
        bulk_dispatch(store=shipment.store, data=b"reference,carrier,tracking_number\n", actor=user)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PENDING

    member = member_of(shipment)
    shipment_dispatch(shipment=shipment, carrier="sandbox", tracking_number="DLV40001", actor=member)
    assert _moves(shipment).get(to_status=Shipment.Status.INFO_RECEIVED).actor == member


def test_a_friend_s_decline_records_the_friend(user, other_user):
    gift = paid_gift(sender=user, variant=VariantFactory(stock=5))
    claim_decline(gift=gift, user=other_user)

    assert _moves(gift).get(to_status=Gift.Status.DECLINED).actor == other_user
