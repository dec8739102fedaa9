"""Dispatching a parcel, one by one: the console's shipment page (form, errors, 409 as a message,
the timeline that fills in afterwards) and POST /api/v1/merchant/shipments/<id>/dispatch/; and who
may reach any fulfilment URL at all (anonymous: log in; another store's member, the gift's sender
and its recipient: 404, for POSTs too, and nothing changes)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gifts.models import Claim
from giftshop.models import OutboxMessage
from logistics.models import Shipment
from logistics.services.tracking import shipments_sync_quiet
from tests.conftest import api_client_for
from tests.factories import StoreFactory, UserFactory, VariantFactory
from tests.gifts.helpers import drain_outbox
from tests.logistics.test_shipments_console import PRICE_MINOR, gift_shipments, login, purchase_shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(product__store=store, product__title="Jasmine tea", stock=60, price_minor=PRICE_MINOR)


def detail_url(shipment):
    return reverse("shipping:detail", kwargs={"shipment_id": shipment.id})


def dispatch_url(shipment):
    return reverse("shipping:dispatch", kwargs={"shipment_id": shipment.id})


def api_dispatch_url(shipment_id):
    return f"/api/v1/merchant/shipments/{shipment_id}/dispatch/"


def status_of(shipment):
    shipment.refresh_from_db()
    return shipment.status


# --- the console form -----------------------------------------------------------------------

def test_the_merchant_dispatches_from_the_shipment_page(store, variant, merchant):
    [shipment] = gift_shipments(variant)

    response = login(merchant).post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "DLV30001"},
                                    follow=True)

    assert response.redirect_chain == [(detail_url(shipment), 302)]
    body = response.content.decode()
    assert "dispatched: Sandbox Express DLV30001" in body
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.INFO_RECEIVED
    assert (shipment.carrier, shipment.tracking_number) == ("sandbox", "DLV30001") and shipment.shipped_at
    assert 'name="tracking_number"' not in body  # no second dispatch offered


def test_bad_input_shows_on_the_form_and_dispatches_nothing(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = login(merchant)

    unknown_carrier = client.post(dispatch_url(shipment), {"carrier": "pigeon", "tracking_number": "DLV30002"})
    bad_number = client.post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "no spaces!"})
    empty = client.post(dispatch_url(shipment), {})

    assert unknown_carrier.status_code == 400 and unknown_carrier.context["form"].errors["carrier"]
    assert bad_number.status_code == 400
    assert bad_number.context["form"].errors["tracking_number"] == [
        "Enter the tracking number: 4 to 40 letters, digits or dashes."
    ]  # the service's own message, on the field
    assert set(empty.context["form"].errors) == {"carrier", "tracking_number"}
    assert status_of(shipment) == Shipment.Status.PENDING


def test_dispatching_twice_is_a_message_not_a_second_dispatch(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = login(merchant)
    client.post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "DLV30003"})

    response = client.post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "DLV39999"}, follow=True)

    assert response.redirect_chain == [(detail_url(shipment), 302)]
    assert "already been dispatched, cancelled or refunded" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.tracking_number == "DLV30003"


def test_the_dispatch_url_takes_only_posts(store, variant, merchant):
    [shipment] = gift_shipments(variant)

    assert login(merchant).get(dispatch_url(shipment)).status_code == 405


def test_a_pending_shipment_offers_dispatch_slip_and_refund(store, variant, merchant):
    [shipment] = gift_shipments(variant)

    response = login(merchant).get(detail_url(shipment))

    body = response.content.decode()
    assert response.status_code == 200
    assert dispatch_url(shipment) in body
    assert 'name="tracking_number"' in body and '<option value="sandbox"' in body
    assert reverse("shipping:slip", kwargs={"shipment_id": shipment.id}) in body
    assert reverse("merchant_refunds:refund", kwargs={"shipment_id": shipment.id}) in body
    assert "No tracking news yet" in body


def test_after_dispatch_the_page_shows_every_checkpoint_and_the_claim_follows(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    login(merchant).post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "DLV77701"})
    drain_outbox()  # the carrier registers the parcel and reports its first checkpoint
    moment = timezone.now() + timedelta(seconds=60 * 2 + 1)
    shipments_sync_quiet(quiet_seconds=0, clock=lambda: moment)
    drain_outbox()

    response = login(merchant).get(detail_url(shipment))

    body = response.content.decode()
    assert [e.raw_status for e in response.context["events"]] == ["ACCEPTED", "IN_TRANSIT", "OUT_FOR_DELIVERY"]
    for text in ("label created", "in transit", "out for delivery", "ACCEPTED", "IN_TRANSIT", "OUT_FOR_DELIVERY",
                 "Shanghai hub", "Departed the sorting centre", "Local depot", "DLV77701"):
        assert text in body, text
    assert 'name="tracking_number"' not in body
    assert reverse("merchant_refunds:refund", kwargs={"shipment_id": shipment.id}) not in body
    assert Claim.objects.get(shipment=shipment).status == Claim.Status.OUT_FOR_DELIVERY


# --- the API --------------------------------------------------------------------------------

def test_the_api_dispatches_and_answers_the_shipment(store, variant, merchant):
    shipment = purchase_shipment(variant)

    response = api_client_for(merchant).post(
        api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV40001"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == shipment.id and body["status"] == "info_received"
    assert body["carrier"] == "sandbox" and body["tracking_number"] == "DLV40001" and body["shipped_at"]
    assert "price" not in str(body) and str(PRICE_MINOR) not in str(body)
    assert status_of(shipment) == Shipment.Status.INFO_RECEIVED


def test_the_api_answers_409_the_second_time(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = api_client_for(merchant)
    client.post(api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV40002"}, format="json")

    response = client.post(api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV40003"},
                           format="json")

    assert response.status_code == 409 and response.json()["code"] == "shipment_not_pending"


def test_the_api_answers_400_on_the_fields(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = api_client_for(merchant)

    cases = [
        ({"carrier": "pigeon", "tracking_number": "DLV40004"}, {"carrier"}),
        ({"carrier": "sandbox", "tracking_number": "x"}, {"tracking_number"}),
        ({}, {"carrier", "tracking_number"}),
        ({"carrier": "sandbox", "tracking_number": "DLV40005", "price": 1}, {"price"}),
        ({"carrier": None, "tracking_number": ["DLV"]}, {"carrier", "tracking_number"}),
    ]
    for body, fields in cases:
        response = client.post(api_dispatch_url(shipment.id), body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["code"] == "invalid" and set(response.json()["fields"]) == fields, body
    assert status_of(shipment) == Shipment.Status.PENDING


def test_the_api_refuses_anyone_but_the_stores_members(store, variant):
    sender = UserFactory()
    [shipment] = gift_shipments(variant, sender=sender)
    outsider = UserFactory()
    StoreFactory(owner=outsider)
    body = {"carrier": "sandbox", "tracking_number": "DLV40006"}

    anonymous = Client().post(api_dispatch_url(shipment.id), body, content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    for user in (outsider, sender, shipment.recipient):
        response = api_client_for(user).post(api_dispatch_url(shipment.id), body, format="json")
        assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "Not found."}
    for shipment_id in ("abc", "9" * 30, "999999"):
        response = api_client_for(outsider).post(api_dispatch_url(shipment_id), body, format="json")
        assert response.status_code == 404, shipment_id
    assert status_of(shipment) == Shipment.Status.PENDING


def test_staff_members_may_dispatch(store, variant):
    [shipment] = gift_shipments(variant)
    staff = UserFactory()
    store.members.create(user=staff, role="staff")

    response = api_client_for(staff).post(
        api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV40007"}, format="json"
    )

    assert response.status_code == 200


# --- a tracking number is one store's while its parcel is on its way ---------------------------

@pytest.fixture
def other_store_parcel_on_its_way():
    """Another store's parcel, dispatched with the sandbox carrier as DLV50001."""
    other = UserFactory()
    variant = VariantFactory(product__store=StoreFactory(owner=other), stock=5)
    shipment = purchase_shipment(variant, quantity=1)
    response = api_client_for(other).post(
        api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV50001"}, format="json")
    assert response.status_code == 200, response.content
    return shipment


def test_a_number_on_another_stores_parcel_on_its_way_is_refused_on_the_field(
    store, variant, merchant, other_store_parcel_on_its_way
):
    [shipment] = gift_shipments(variant)
    outbox_before = OutboxMessage.objects.count()

    response = api_client_for(merchant).post(
        api_dispatch_url(shipment.id), {"carrier": "sandbox", "tracking_number": "DLV50001"}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"tracking_number"}
    assert "already on a parcel on its way" in body["fields"]["tracking_number"][0]
    assert other_store_parcel_on_its_way.reference not in str(body)  # whose parcel is never said
    assert status_of(shipment) == Shipment.Status.PENDING and OutboxMessage.objects.count() == outbox_before
    assert status_of(other_store_parcel_on_its_way) == Shipment.Status.INFO_RECEIVED


def test_the_console_form_says_so_and_keeps_the_parcel_waiting(store, variant, merchant, other_store_parcel_on_its_way):
    [shipment] = gift_shipments(variant)

    response = login(merchant).post(dispatch_url(shipment), {"carrier": "sandbox", "tracking_number": "DLV50001"})

    assert response.status_code == 400
    assert "already on a parcel on its way with this carrier" in response.content.decode()
    assert status_of(shipment) == Shipment.Status.PENDING


def test_the_same_number_is_free_with_another_carrier_for_one_stores_box_and_once_the_parcel_ended(
    store, variant, merchant, other_store_parcel_on_its_way, settings
):
    settings.DISPATCH_CARRIERS = [*settings.DISPATCH_CARRIERS, "aftership"]
    first, second, third = gift_shipments(variant, count=3)
    client = api_client_for(merchant)

    def dispatch(shipment, carrier):
        return client.post(api_dispatch_url(shipment.id), {"carrier": carrier, "tracking_number": "DLV50001"},
                           format="json").status_code

    assert dispatch(first, "aftership") == 200  # another carrier's number space
    Shipment.objects.filter(id=other_store_parcel_on_its_way.id).update(status=Shipment.Status.DELIVERED)
    assert dispatch(second, "sandbox") == 200  # the other store's parcel has ended: carriers recycle numbers
    assert dispatch(third, "sandbox") == 200  # one box, two of this store's parcels


# --- who reaches the fulfilment pages -------------------------------------------------------

def console_urls(store, shipment):
    """(method, url, data) for every fulfilment page of the console, each of which acts on `shipment`."""
    slug = {"slug": store.slug}
    one = {"shipment_id": shipment.id}
    dispatch_body = {"carrier": "sandbox", "tracking_number": "DLV50001"}
    return [
        ("get", reverse("shipping:queue", kwargs=slug), None),
        ("get", reverse("shipping:detail", kwargs=one), None),
        ("get", reverse("shipping:slip", kwargs=one), None),
        ("get", reverse("shipping:slips", kwargs=slug) + f"?ids={shipment.id}", None),
        ("get", reverse("shipping:dispatch_sheet", kwargs=slug) + f"?ids={shipment.id}", None),
        ("get", reverse("shipping:bulk_dispatch", kwargs=slug), None),
        ("get", reverse("merchant_refunds:refund", kwargs=one), None),
        ("post", reverse("shipping:dispatch", kwargs=one), dispatch_body),
        ("post", reverse("merchant_refunds:refund", kwargs=one), {"confirm": "yes"}),
    ]


def test_anonymous_visitors_are_sent_to_log_in_everywhere(store, variant):
    [shipment] = gift_shipments(variant)

    for method, url, data in console_urls(store, shipment):
        response = getattr(Client(), method)(url, data or {})
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
    assert status_of(shipment) == Shipment.Status.PENDING


def test_other_stores_members_the_sender_and_the_recipient_get_404_everywhere(store, variant):
    sender = UserFactory()
    [shipment] = gift_shipments(variant, sender=sender)
    outsider = UserFactory()
    StoreFactory(owner=outsider)

    for user in (outsider, sender, shipment.recipient):
        client = login(user)
        for method, url, data in console_urls(store, shipment):
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 404, (user, method, url, response.status_code)
    assert status_of(shipment) == Shipment.Status.PENDING
    assert Claim.objects.get(shipment=shipment).status == Claim.Status.ACCEPTED


def test_the_merchant_reaches_every_fulfilment_page(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = login(merchant)

    for method, url, _data in console_urls(store, shipment):
        if method == "get":
            assert client.get(url).status_code == 200, url
