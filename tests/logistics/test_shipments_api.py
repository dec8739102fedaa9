"""GET /api/v1/merchant/stores/<slug>/shipments/ (the store's members) and GET /api/v1/shipments/<id>/
(the recipient and the store's members; nobody else, not even the gift's sender), with shipments
made by the real flow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.models import Shipment, TrackingEvent
from logistics.services.shipments import shipment_cancel
from logistics.services.tracking import shipment_dispatch
from tests.conftest import api_client_for
from tests.factories import StoreFactory, UserFactory, VariantFactory, member_of
from tests.logistics.test_shipments_console import PRICE_MINOR, gift_shipments, purchase_shipment

pytestmark = pytest.mark.django_db

SHIP_TO_KEYS = {"name", "phone", "country", "region", "city", "district", "street", "postal_code"}


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(
        product__store=store, product__title="Jasmine tea", name="Tin of 100 g", sku="JAS-100", stock=60,
        price_minor=PRICE_MINOR,
    )


def list_url(store, query=""):
    return f"/api/v1/merchant/stores/{store.slug}/shipments/{query}"


def detail_url(shipment_id):
    return f"/api/v1/shipments/{shipment_id}/"


def assert_no_price(payload):
    text = str(payload)
    assert "price" not in text and "amount" not in text and "total" not in text and str(PRICE_MINOR) not in text


# --- access ---------------------------------------------------------------------------------

def test_anonymous_requests_get_401(api, store, variant):
    [shipment] = gift_shipments(variant)

    for url in (list_url(store), detail_url(shipment.id)):
        response = api.get(url)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_another_stores_member_gets_404_for_the_list_and_the_shipment(store, variant):
    [shipment] = gift_shipments(variant)
    outsider = UserFactory()
    StoreFactory(owner=outsider)
    client = api_client_for(outsider)

    for url in (list_url(store), list_url(store, "?status=nonsense"), detail_url(shipment.id)):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url


def test_the_gifts_sender_cannot_see_the_shipment(store, variant):
    sender = UserFactory()
    [shipment] = gift_shipments(variant, sender=sender)

    response = api_client_for(sender).get(detail_url(shipment.id))

    assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "Not found."}


def test_malformed_and_unknown_ids_are_404(merchant):
    client = api_client_for(merchant)

    for shipment_id in ("abc", "1e3", "٣", "9" * 30, "999999"):
        response = client.get(detail_url(shipment_id))
        assert response.status_code == 404 and response.json()["code"] == "not_found", shipment_id


# --- the merchant's list --------------------------------------------------------------------

def test_the_list_gives_address_lines_and_gift_note_without_prices(store, variant, merchant):
    [gift_parcel] = gift_shipments(variant, sender=UserFactory(display_name="Wang Fang"), message="Happy birthday!")
    purchase_parcel = purchase_shipment(variant)

    response = api_client_for(merchant).get(list_url(store))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    rows = {row["id"]: row for row in body["results"]}
    gift_row, purchase_row = rows[gift_parcel.id], rows[purchase_parcel.id]
    assert {"id", "status", "ship_to", "ship_by", "lines", "gift", "reference"} <= set(gift_row)
    assert gift_row["status"] == "pending" and gift_row["reference"] == gift_parcel.reference
    assert set(gift_row["ship_to"]) == SHIP_TO_KEYS
    assert gift_row["ship_to"]["name"] == "Li Lei 0" and gift_row["ship_to"]["street"] == "0 Tianyaoqiao Road"
    assert gift_row["lines"] == [
        {"product_title": "Jasmine tea", "variant_name": "Tin of 100 g", "sku": "JAS-100", "quantity": 1}
    ]
    assert gift_row["gift"] == {"giver_name": "Wang Fang", "message": "Happy birthday!"}
    assert purchase_row["gift"] is None and purchase_row["lines"][0]["quantity"] == 2
    assert_no_price(body)


def test_the_list_filters_by_status(store, variant, merchant):
    first, second = gift_shipments(variant, count=2)
    shipment_cancel(shipment=second, reason="test")
    client = api_client_for(merchant)

    pending = client.get(list_url(store, "?status=pending")).json()
    cancelled = client.get(list_url(store, "?status=cancelled")).json()
    everything = client.get(list_url(store)).json()

    assert [r["id"] for r in pending["results"]] == [first.id]
    assert [r["id"] for r in cancelled["results"]] == [second.id]
    assert everything["count"] == 2


def test_the_list_filters_overdue_and_dispatched_parcels(store, variant, merchant):
    late, on_time, sent = gift_shipments(variant, count=3)
    Shipment.objects.filter(id=late.id).update(ship_by=Now() - timedelta(minutes=1))
    shipment_dispatch(shipment=sent, actor=member_of(sent), carrier="sandbox", tracking_number="DLV60001")
    client = api_client_for(merchant)

    overdue = client.get(list_url(store, "?status=overdue")).json()
    dispatched = client.get(list_url(store, "?status=dispatched")).json()

    assert [(r["id"], r["overdue"]) for r in overdue["results"]] == [(late.id, True)]
    assert [(r["id"], r["status"]) for r in dispatched["results"]] == [(sent.id, "info_received")]


def test_an_unknown_status_is_a_400_on_the_field(store, merchant):
    response = api_client_for(merchant).get(list_url(store, "?status=shipped-yesterday"))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "status" in response.json()["fields"]


def test_staff_members_see_the_list_too(store, variant, merchant):
    gift_shipments(variant)
    staff = UserFactory()
    store.members.create(user=staff, role="staff")

    response = api_client_for(staff).get(list_url(store))

    assert response.status_code == 200 and response.json()["count"] == 1


def test_the_list_is_paginated(store, variant, merchant):
    gift_shipments(variant, count=3)

    response = api_client_for(merchant).get(list_url(store, "?page_size=2&page=2"))

    assert response.status_code == 200
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 1


def test_the_list_takes_the_same_number_of_queries_for_1_and_20_shipments(merchant):
    client = api_client_for(merchant)

    def count_queries(n):
        store = StoreFactory(owner=merchant)
        variant = VariantFactory(product__store=store, stock=30)
        gift_shipments(variant, count=n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url(store))
        assert len(response.json()["results"]) == n
        return len(queries)

    one, twenty = count_queries(1), count_queries(20)

    assert one == twenty, f"the list makes {twenty} queries for 20 shipments and {one} for 1: a query per row?"


# --- one shipment ---------------------------------------------------------------------------

def test_the_recipient_follows_the_shipment_with_its_events(store, variant):
    [shipment] = gift_shipments(variant)
    # Carrier checkpoints arrive through the carriers package; here, one as it would be stored.
    TrackingEvent.objects.create(
        shipment=shipment, key="cp-1", occurred_at=timezone.now() - timedelta(hours=1), status="info_received",
        location="Hangzhou", description="Label created",
    )

    response = api_client_for(shipment.recipient).get(detail_url(shipment.id))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == shipment.id and body["status"] == "pending"
    assert body["carrier"] == "" and body["tracking_number"] == ""
    assert set(body["ship_to"]) == SHIP_TO_KEYS and body["ship_to"]["name"] == "Li Lei 0"
    assert body["ship_by"]
    assert [(e["status"], e["location"], e["description"]) for e in body["events"]] == [
        ("info_received", "Hangzhou", "Label created")
    ]
    assert_no_price(body)


def test_the_stores_member_sees_the_shipment(store, variant, merchant):
    shipment = purchase_shipment(variant)

    response = api_client_for(merchant).get(detail_url(shipment.id))

    assert response.status_code == 200 and response.json()["ship_to"]["name"] == "Han Meimei"
    assert response.json()["events"] == []
