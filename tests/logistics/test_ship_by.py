"""The ship-by promise, enforced by the `enforce_ship_by` job (logistics.services.overdue) and the
outbox consumers it speaks to (gifts for claims, orders for purchases): a parcel still waiting past
its ship_by gets one "shipment_overdue" notice per store member and payer, however often the job
runs; still waiting SHIP_BY_GRACE_HOURS later it is refunded exactly once (gift claims and purchases
alike); a parcel that has left is never refunded.

Parcels come from the real flow (a paid gift accepted by a friend, a paid purchase); the test's
clock is a queryset update that moves ship_by into the past."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models.functions import Now
from django.urls import reverse

from accounts.models import Notice
from gifts.models import Claim
from gifts.services.claims import claim_accept
from logistics import tasks
from logistics.models import Shipment
from logistics.services import overdue
from logistics.services.overdue import overdue_notice_key
from logistics.services.tracking import shipment_dispatch
from orders.models import Order, Payment, Refund
from orders.services.checkout import order_create_purchase
from stores.models import StoreMember
from tests.concurrency.harness import run_concurrently
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift, pay

pytestmark = pytest.mark.django_db

PRICE = 12345
GRACE = settings.SHIP_BY_GRACE_HOURS


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def staff():
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def store(merchant, staff):
    store = StoreFactory(owner=merchant, name="Tea House", slug="tea-house")
    StoreMember.objects.create(store=store, user=staff, role=StoreMember.Role.STAFF)
    return store


@pytest.fixture
def tea(store):
    return VariantFactory(product__store=store, product__title="Jasmine tea", stock=10, price_minor=PRICE)


@pytest.fixture
def friend_address(other_user):
    return AddressFactory(user=other_user, is_default=True)


@pytest.fixture
def gift_parcel(user, other_user, friend_address, tea):
    """Alice's gift of 2 tins, accepted by Mallory: (claim, shipment)."""
    gift = paid_gift(sender=user, variant=tea, quantity=2)
    claim = claim_accept(gift=gift, user=other_user, address_id=friend_address.id)
    return claim, claim.shipment


@pytest.fixture
def buyer():
    return UserFactory(username="bob", display_name="Bob")


@pytest.fixture
def purchase_parcel(buyer, tea):
    """Bob's paid purchase of 3 tins: (order, shipment)."""
    address = AddressFactory(user=buyer)
    order = order_create_purchase(buyer=buyer, variant_id=tea.id, quantity=3, address_id=address.id)
    pay(order)
    order.refresh_from_db()
    return order, order.shipment


def late_by(shipment, hours):
    Shipment.objects.filter(id=shipment.id).update(ship_by=Now() - timedelta(hours=hours))


def run():
    out = StringIO()
    call_command("enforce_ship_by", stdout=out)
    drain_outbox()  # the owners of the parcels answer: notices, refunds, and the refunds reach the provider
    return out.getvalue()


def overdue_notices():
    return Notice.objects.filter(kind="shipment_overdue")


# --- notices ------------------------------------------------------------------------------------

def test_an_overdue_gift_parcel_is_announced_once_to_the_members_and_the_sender(
    gift_parcel, merchant, staff, user, other_user
):
    claim, shipment = gift_parcel
    late_by(shipment, 1)

    first = run()
    second = run()

    notices = {notice.user_id: notice for notice in overdue_notices()}
    assert set(notices) == {merchant.id, staff.id, user.id}  # not the recipient
    assert notices[user.id].key == overdue_notice_key(shipment.id)
    assert notices[user.id].link == reverse("gifts:detail", kwargs={"gift_id": claim.gift_id})
    assert notices[user.id].params["role"] == "sender"
    assert notices[user.id].params["refund_after_hours"] == GRACE
    assert "reference" not in notices[user.id].params  # the sender follows milestones, not the parcel
    assert notices[merchant.id].link == reverse("shipping:detail", kwargs={"shipment_id": shipment.id})
    assert notices[merchant.id].params["reference"] == shipment.reference
    assert "1 shipments newly overdue" in first
    assert "0 shipments newly overdue" in second
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PENDING  # within the grace period: no refund yet
    assert not Refund.objects.exists()


def test_an_overdue_purchase_is_announced_to_its_buyer(purchase_parcel, buyer, merchant, staff):
    order, shipment = purchase_parcel
    late_by(shipment, 1)

    run()

    assert set(overdue_notices().values_list("user_id", flat=True)) == {buyer.id, merchant.id, staff.id}
    notice = overdue_notices().get(user=buyer)
    assert notice.link == reverse("orders:detail", kwargs={"order_id": order.id})
    assert notice.params["role"] == "buyer" and notice.params["order_id"] == order.id


def test_a_member_who_bought_from_their_own_store_hears_it_once(merchant, tea, store):
    address = AddressFactory(user=merchant)
    order = order_create_purchase(buyer=merchant, variant_id=tea.id, quantity=1, address_id=address.id)
    pay(order)
    order.refresh_from_db()
    late_by(order.shipment, 1)

    run()

    assert overdue_notices().filter(user=merchant).count() == 1


def test_a_parcel_still_within_its_promise_is_left_alone(gift_parcel, purchase_parcel):
    output = run()

    assert not overdue_notices().exists() and not Refund.objects.exists()
    assert "0 shipments newly overdue, 0 due for a refund" in output


# --- refunds after the grace period -------------------------------------------------------------

def test_after_the_grace_period_a_gift_claim_is_refunded_exactly_once(gift_parcel, tea, user):
    claim, shipment = gift_parcel
    late_by(shipment, GRACE + 1)

    first = run()
    second = run()

    assert "1 due for a refund" in first
    assert "0 due for a refund" in second
    refund = Refund.objects.get()
    assert refund.reason == Refund.Reason.NOT_SHIPPED and refund.amount_minor == 2 * PRICE
    assert refund.status == Refund.Status.SUCCEEDED
    payment = Payment.objects.get(order__gift__claims=claim)
    assert payment.refunded_minor == 2 * PRICE and payment.status == Payment.Status.REFUNDED
    shipment.refresh_from_db()
    claim.refresh_from_db()
    tea.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED and claim.status == Claim.Status.REFUNDED
    assert tea.stock == 10
    assert overdue_notices().filter(user=user).count() == 1  # announced first, in the same run


def test_after_the_grace_period_a_purchase_is_cancelled_and_refunded_exactly_once(purchase_parcel, tea):
    order, shipment = purchase_parcel
    late_by(shipment, GRACE + 1)

    first = run()
    second = run()

    assert "1 due for a refund" in first
    assert "0 due for a refund" in second
    refund = Refund.objects.get()
    assert refund.reason == Refund.Reason.NOT_SHIPPED and refund.amount_minor == 3 * PRICE
    assert refund.refund_ref.endswith(f":not_shipped:{order.id}")
    payment = order.payments.get()
    assert payment.refunded_minor == 3 * PRICE and payment.status == Payment.Status.REFUNDED
    order.refresh_from_db()
    shipment.refresh_from_db()
    tea.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and shipment.status == Shipment.Status.CANCELLED
    assert tea.stock == 10


def test_a_late_parcel_within_the_grace_period_is_not_refunded(gift_parcel, purchase_parcel):
    late_by(gift_parcel[1], GRACE - 1)
    late_by(purchase_parcel[1], GRACE - 1)

    run()

    assert overdue_notices().count() == 6 and not Refund.objects.exists()
    assert set(Shipment.objects.values_list("status", flat=True)) == {Shipment.Status.PENDING}


def test_the_grace_period_is_a_setting(gift_parcel, settings):
    settings.SHIP_BY_GRACE_HOURS = 2
    late_by(gift_parcel[1], 3)

    run()

    assert Refund.objects.get().reason == Refund.Reason.NOT_SHIPPED


def test_a_dispatched_parcel_is_never_refunded(gift_parcel, purchase_parcel, tea):
    for shipment, number in ((gift_parcel[1], "DLV20001"), (purchase_parcel[1], "DLV20002")):
        shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=number)
        late_by(shipment, GRACE + 10)

    output = run()

    assert not Refund.objects.exists() and not overdue_notices().exists()
    assert "0 shipments newly overdue, 0 due for a refund" in output
    assert Shipment.Status.CANCELLED not in set(Shipment.objects.values_list("status", flat=True))
    claim = gift_parcel[0]
    claim.refresh_from_db()
    assert claim.status != Claim.Status.REFUNDED


def test_a_parcel_refunded_by_its_sender_first_is_not_refunded_again(gift_parcel, user):
    claim, shipment = gift_parcel
    late_by(shipment, GRACE + 1)

    asked = api_client_for(user).post(f"/api/v1/gifts/{claim.gift_id}/refund-request/", {"claim_id": claim.id},
                                      format="json")
    output = run()

    assert asked.status_code == 200
    assert "0 due for a refund" in output and Refund.objects.count() == 1


def test_other_stores_parcels_are_announced_to_their_own_members_only(gift_parcel, merchant, other_user):
    rival = StoreFactory(owner=UserFactory(username="rival"))
    elsewhere = VariantFactory(product__store=rival, stock=5)
    gift = paid_gift(sender=merchant, variant=elsewhere)
    friend = UserFactory(username="fay")
    theirs = claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id).shipment
    late_by(theirs, 1)

    run()

    assert set(overdue_notices().values_list("user_id", flat=True)) == {rival.members.get().user_id, merchant.id}
    assert overdue_notices().get(user=merchant).params["role"] == "sender"


# --- the worker ---------------------------------------------------------------------------------

def test_the_periodic_task_runs_the_same_job(gift_parcel):
    late_by(gift_parcel[1], GRACE + 1)

    done = tasks.enforce_ship_by()
    drain_outbox()

    assert done == {"overdue": 1, "refund_due": 1}
    assert Refund.objects.get().reason == Refund.Reason.NOT_SHIPPED
    assert settings.CELERY_BEAT_SCHEDULE["enforce-ship-by"]["task"] == "logistics.tasks.enforce_ship_by"


# --- overlapping runs ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_split_the_work_and_each_parcel_is_refunded_once(store, user, buyer, monkeypatch):
    """Four runs at once, in batches of two: on PostgreSQL they skip each other's locked rows, on
    SQLite they take turns; either way each late parcel gets its notices and its refund once."""
    monkeypatch.setattr(overdue, "BATCH_SIZE", 2)
    stock = VariantFactory(product__store=store, stock=30, price_minor=PRICE)
    gift = paid_gift(sender=user, variant=stock, quantity=8, mode="group")
    for i in range(8):
        person = UserFactory(username=f"crowd{i}")
        claim_accept(gift=gift, user=person, address_id=AddressFactory(user=person).id)
    address = AddressFactory(user=buyer)
    for _ in range(4):
        pay(order_create_purchase(buyer=buyer, variant_id=stock.id, quantity=1, address_id=address.id))
    late_by_all = Shipment.objects.filter(store=store)
    assert late_by_all.count() == 12
    late_by_all.update(ship_by=Now() - timedelta(hours=GRACE + 1))

    race = run_concurrently([overdue.ship_by_enforce for _ in range(4)])
    drain_outbox()

    assert not race.errors, race.errors
    assert sum(done["overdue"] for done in race.values) == 12
    assert sum(done["refund_due"] for done in race.values) == 12
    assert Claim.objects.filter(status=Claim.Status.REFUNDED).count() == 8
    assert Order.objects.filter(kind=Order.Kind.PURCHASE, status=Order.Status.REFUNDED).count() == 4
    assert overdue_notices().count() == 12 * 3  # two members and the payer, per parcel
    assert Refund.objects.count() == 12 and len(set(Refund.objects.values_list("refund_ref", flat=True))) == 12
    assert set(late_by_all.values_list("status", flat=True)) == {Shipment.Status.CANCELLED}
    stock.refresh_from_db()
    assert stock.stock == 30
