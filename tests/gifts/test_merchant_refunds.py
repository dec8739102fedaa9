"""The merchant refunds a parcel from the console (/merchant/shipments/<id>/refund/): a confirm step,
then, for a gift claim, the shipment cancelled, the claim refunded, the stock back and the sender
refunded at the unit price paid; for a purchase, the shipment cancelled, the stock back and the
order's payment refunded in full, the order `refunded` once the refund lands. Exactly once; never
after dispatch; and a refunded parcel can no longer be dispatched. Only the store's members."""

import pytest
from django.test import Client
from django.urls import reverse

from gifts.models import Claim
from gifts.services.claims import claim_accept
from gifts.services.merchant_refunds import shipment_refund_by_merchant
from gifts.services.ship_by import claim_refund_not_shipped
from giftshop.errors import NotFound
from logistics.errors import ShipmentNotPending
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch
from orders.errors import AlreadyRefunded
from orders.models import Order, Payment, Refund
from orders.selectors import refund_ref
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift
from tests.logistics.test_shipments_console import login, purchase_shipment

pytestmark = pytest.mark.django_db

PRICE_MINOR = 12345


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(product__store=store, stock=10, price_minor=PRICE_MINOR)


@pytest.fixture
def sender():
    return UserFactory(display_name="Wang Fang")


def accepted_claims(gift, count):
    claims = []
    for _ in range(count):
        friend = UserFactory()
        claims.append(claim_accept(gift=gift, user=friend, address_id=AddressFactory(user=friend).id))
    return claims


def refund_url(shipment):
    return reverse("merchant_refunds:refund", kwargs={"shipment_id": shipment.id})


def detail_url(shipment):
    return reverse("shipping:detail", kwargs={"shipment_id": shipment.id})


def confirm(client, shipment):
    return client.post(refund_url(shipment), {"confirm": "yes"}, follow=True)


def stock_of(variant):
    variant.refresh_from_db()
    return variant.stock


# --- a gift claim's parcel ------------------------------------------------------------------

def test_the_confirm_step_says_what_will_happen_and_changes_nothing(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant, quantity=2, message="Enjoy!")
    [claim] = accepted_claims(gift, 1)
    client = login(merchant)

    page = client.get(refund_url(claim.shipment))
    unconfirmed = client.post(refund_url(claim.shipment), {})

    body = page.content.decode()
    assert page.status_code == 200 and unconfirmed.status_code == 200
    assert "Wang Fang" in body and "246.90" in body  # two units at 123.45, the merchant may see it
    assert 'name="confirm" value="yes"' in body
    assert claim.shipment.status == Shipment.Status.PENDING and not Refund.objects.exists()
    assert Shipment.objects.get(id=claim.shipment.id).status == Shipment.Status.PENDING


def test_refunding_a_gift_claims_parcel(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant, quantity=2)
    [claim] = accepted_claims(gift, 1)  # a single gift of two units: one claim of both
    assert stock_of(variant) == 8

    response = confirm(login(merchant), claim.shipment)
    drain_outbox()  # the refund is carried out by the sandbox provider

    assert response.redirect_chain == [(detail_url(claim.shipment), 302)]
    assert "is cancelled and refunded" in response.content.decode()
    claim.refresh_from_db()
    claim.shipment.refresh_from_db()
    refund = Refund.objects.get()
    payment = gift.order.payments.get()
    assert claim.shipment.status == Shipment.Status.CANCELLED and claim.status == Claim.Status.REFUNDED
    assert stock_of(variant) == 10
    assert (refund.reason, refund.amount_minor, refund.status) == ("merchant", 2 * PRICE_MINOR, "succeeded")
    assert refund.refund_ref == refund_ref(payment_id=payment.id, reason="merchant", scope=claim.id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_minor == 2 * PRICE_MINOR


def test_one_parcel_of_a_group_gift_is_refunded_alone(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant, quantity=3, mode="group")
    refunded, kept = accepted_claims(gift, 2)

    confirm(login(merchant), refunded.shipment)
    drain_outbox()

    kept.refresh_from_db()
    assert kept.status == Claim.Status.ACCEPTED and kept.shipment.status == Shipment.Status.PENDING
    assert Refund.objects.get().amount_minor == PRICE_MINOR
    assert gift.order.payments.get().status == Payment.Status.PARTIALLY_REFUNDED
    assert stock_of(variant) == 10 - 3 + 1


def test_a_second_refund_is_a_no_op_with_a_message(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    client = login(merchant)
    confirm(client, claim.shipment)

    again = confirm(client, claim.shipment)

    assert again.redirect_chain == [(detail_url(claim.shipment), 302)]
    assert "already been refunded" in again.content.decode()
    assert Refund.objects.count() == 1 and stock_of(variant) == 10
    with pytest.raises(AlreadyRefunded):
        shipment_refund_by_merchant(shipment=Shipment.objects.get(id=claim.shipment.id), actor=merchant)


def test_a_refunded_parcel_cannot_be_dispatched(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    confirm(login(merchant), claim.shipment)

    api = api_client_for(merchant).post(
        f"/api/v1/merchant/shipments/{claim.shipment.id}/dispatch/",
        {"carrier": "sandbox", "tracking_number": "DLV70001"}, format="json",
    )
    page = login(merchant).post(reverse("shipping:dispatch", kwargs={"shipment_id": claim.shipment.id}),
                                {"carrier": "sandbox", "tracking_number": "DLV70002"}, follow=True)

    assert api.status_code == 409 and api.json()["code"] == "shipment_not_pending"
    assert "already been dispatched, cancelled or refunded" in page.content.decode()
    assert Shipment.objects.get(id=claim.shipment.id).tracking_number == ""


def test_a_dispatched_parcel_cannot_be_refunded(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    shipment_dispatch(
        shipment=claim.shipment, actor=member_of(claim.shipment), carrier="sandbox", tracking_number="DLV70003"
    )
    client = login(merchant)

    page = client.get(refund_url(claim.shipment), follow=True)
    posted = confirm(client, claim.shipment)

    assert page.redirect_chain == [(detail_url(claim.shipment), 302)]
    assert "already been dispatched" in posted.content.decode()
    assert not Refund.objects.exists() and stock_of(variant) == 9
    assert Shipment.objects.get(id=claim.shipment.id).status == Shipment.Status.INFO_RECEIVED


def test_a_parcel_the_sender_already_had_refunded_is_not_refunded_again(variant, merchant, sender):
    from django.db.models.functions import Now

    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    Shipment.objects.filter(id=claim.shipment.id).update(ship_by=Now())  # the promise has passed
    claim_refund_not_shipped(gift=gift, claim_id=claim.id, actor=sender)

    response = confirm(login(merchant), claim.shipment)

    assert "already been dispatched, cancelled or refunded" in response.content.decode()
    assert list(Refund.objects.values_list("reason", flat=True)) == ["not_shipped"]
    assert stock_of(variant) == 10


# --- a purchase's parcel --------------------------------------------------------------------

def test_refunding_a_purchase_refunds_the_order_in_full(variant, merchant):
    shipment = purchase_shipment(variant, quantity=2)
    order = Order.objects.get(shipment=shipment)
    client = login(merchant)

    assert "246.90" in client.get(refund_url(shipment)).content.decode()
    confirm(client, shipment)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # until the refund lands
    drain_outbox()

    order.refresh_from_db()
    shipment.refresh_from_db()
    refund = Refund.objects.get()
    assert shipment.status == Shipment.Status.CANCELLED and stock_of(variant) == 10
    assert (refund.reason, refund.amount_minor, refund.status) == ("merchant", 2 * PRICE_MINOR, "succeeded")
    assert refund.refund_ref == refund_ref(payment_id=order.payments.get().id, reason="merchant", scope=order.id)
    assert order.status == Order.Status.REFUNDED
    assert order.payments.get().status == Payment.Status.REFUNDED


def test_a_purchase_is_refunded_once(variant, merchant):
    shipment = purchase_shipment(variant)
    client = login(merchant)
    confirm(client, shipment)

    before_it_lands = confirm(client, shipment)
    drain_outbox()
    after_it_landed = confirm(client, shipment)

    for again in (before_it_lands, after_it_landed):
        assert again.redirect_chain == [(detail_url(shipment), 302)]
        assert "already been refunded" in again.content.decode()
    assert Refund.objects.count() == 1 and stock_of(variant) == 10
    assert Order.objects.get(shipment=shipment).status == Order.Status.REFUNDED


# --- who may refund -------------------------------------------------------------------------

def test_only_the_stores_members_may_refund(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    shipment = claim.shipment
    outsider = UserFactory()
    StoreFactory(owner=outsider)

    for method in ("get", "post"):
        anonymous = getattr(Client(), method)(refund_url(shipment), {"confirm": "yes"})
        assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
        for user in (outsider, sender, claim.recipient):
            response = getattr(login(user), method)(refund_url(shipment), {"confirm": "yes"})
            assert response.status_code == 404, (method, user)
    unknown = login(merchant).post(reverse("merchant_refunds:refund", kwargs={"shipment_id": 999999}),
                                   {"confirm": "yes"})
    assert unknown.status_code == 404
    with pytest.raises(NotFound):
        shipment_refund_by_merchant(shipment=shipment, actor=outsider)
    assert not Refund.objects.exists() and Shipment.objects.get(id=shipment.id).status == Shipment.Status.PENDING


def test_staff_members_may_refund(store, variant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    staff = UserFactory()
    store.members.create(user=staff, role="staff")

    confirm(login(staff), claim.shipment)

    assert Refund.objects.get().reason == "merchant"


def test_the_refund_url_takes_no_other_method(variant, merchant, sender):
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)

    assert login(merchant).put(refund_url(claim.shipment)).status_code == 405


def test_shipment_not_pending_is_the_logistics_error(variant, merchant, sender):
    """The service and dispatch answer the same 409 code for a parcel that has left."""
    gift = paid_gift(sender=sender, variant=variant)
    [claim] = accepted_claims(gift, 1)
    shipment_dispatch(
        shipment=claim.shipment, actor=member_of(claim.shipment), carrier="sandbox", tracking_number="DLV70004"
    )

    with pytest.raises(ShipmentNotPending) as raised:
        shipment_refund_by_merchant(shipment=claim.shipment, actor=merchant)

    assert raised.value.code == "shipment_not_pending" and raised.value.status == 409


# --- the payment behind a parcel, with the provider's references --------------------------------

def payment_url(shipment):
    return reverse("merchant_refunds:payment", kwargs={"shipment_id": shipment.id})


def test_a_gift_parcels_payment_page_shows_the_providers_references_of_the_payment_and_its_refunds(
    variant, merchant, sender
):
    gift = paid_gift(sender=sender, variant=variant, quantity=2, mode="group")
    refunded, kept = accepted_claims(gift, 2)
    confirm(login(merchant), refunded.shipment)
    drain_outbox()
    payment = gift.order.payments.get()
    refund = Refund.objects.get()
    assert payment.provider_ref and refund.provider_ref  # the sandbox's charge and refund ids

    client = login(merchant)
    html = client.get(payment_url(kept.shipment)).content.decode()  # the gift's other parcel: same payment

    assert payment_url(kept.shipment) in client.get(detail_url(kept.shipment)).content.decode()
    assert "Wang Fang" in html and "Sandbox (test payments)" in html
    assert payment.provider_ref in html and refund.provider_ref in html
    assert "246.90" in html and "123.45" in html  # paid, and refunded so far
    assert kept.recipient.email not in html and kept.recipient.username not in html


def test_a_purchase_not_yet_at_the_provider_says_so_and_has_no_refunds(variant, merchant):
    shipment = purchase_shipment(variant)
    Payment.objects.filter(order__shipment=shipment).update(provider_ref="")

    html = login(merchant).get(payment_url(shipment)).content.decode()

    assert "none yet: the checkout has not opened" in html and "No refunds of this payment." in html


def test_only_the_stores_members_see_a_parcels_payment(variant, merchant, sender):
    shipment = purchase_shipment(variant)

    assert login(UserFactory()).get(payment_url(shipment)).status_code == 404
    assert Client().get(payment_url(shipment)).status_code == 302
    assert login(merchant).post(payment_url(shipment)).status_code == 405
