"""POST/GET /api/v1/orders/ and GET /api/v1/orders/<id>/ through the HTTP client."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gifts.services.sending import gift_create
from logistics.models import Shipment, TrackingEvent
from orders.models import Order, Payment
from orders.payments.sandbox import sandbox_charge_complete
from stores.models import Variant
from tests.conftest import api_client_for
from tests.factories import UserFactory
from tests.orders.helpers import create_order, deliver, make_address, make_variant

pytestmark = pytest.mark.django_db


def pay(order):
    sandbox_charge_complete(ref=order.payments.get().provider_ref, outcome="succeeded")
    deliver()
    order.refresh_from_db()
    return order


# --- create ----------------------------------------------------------------------------------


def test_create_reserves_stock_and_opens_the_payment(user_api, user, variant, address):
    # when
    response = create_order(user_api, variant, address, quantity=2)
    # then
    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get(id=body["id"])
    payment = order.payments.get()
    assert body["kind"] == "purchase" and body["status"] == "pending_payment"
    assert body["total_minor"] == 25600 and body["currency"] == "CNY"
    assert body["payment"] == {"id": payment.id, "status": "pending", "checkout_url": payment.checkout_url}
    assert "/pay/sandbox/" in payment.checkout_url
    assert body["shipments"] == []
    assert body["lines"] == [
        {
            "variant_id": variant.id,
            "product_title": "Teapot",
            "variant_name": "Small",
            "quantity": 2,
            "unit_price_minor": 12800,
            "currency": "CNY",
        }
    ]
    assert order.buyer == user and order.ship_to["street"] == address.street
    assert Variant.objects.get(id=variant.id).stock == 3


def test_create_with_another_users_address_is_400_and_takes_nothing(user_api, variant, other_address):
    response = create_order(user_api, variant, other_address)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "address_id" in response.json()["fields"]
    assert not Order.objects.exists()
    assert Variant.objects.get(id=variant.id).stock == 5


def test_create_more_than_in_stock_is_out_of_stock(user_api, address):
    variant = make_variant(stock=2)

    response = create_order(user_api, variant, address, quantity=3)

    assert response.status_code == 400 and response.json()["code"] == "out_of_stock"
    assert not Order.objects.exists() and Variant.objects.get(id=variant.id).stock == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"variant_id": "abc"}, "variant_id"),
        ({"variant_id": None}, "variant_id"),
        ({"variant_id": [1]}, "variant_id"),
        ({"variant_id": 10**30}, "variant_id"),
        ({"variant_id": 0}, "variant_id"),
        ({"quantity": "two"}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 11}, "quantity"),
        ({"quantity": 10**30}, "quantity"),
        ({"address_id": "x"}, "address_id"),
        ({"address_id": {"street": "x"}}, "address_id"),
        ({"address_id": 10**30}, "address_id"),
        ({"note": "please hurry"}, "note"),
    ],
)
def test_create_with_bad_input_is_400_on_the_field(user_api, variant, address, change, field):
    body = {"variant_id": variant.id, "quantity": 1, "address_id": address.id, **change}

    response = user_api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("missing", ["variant_id", "quantity", "address_id"])
def test_create_with_a_missing_field_is_400(user_api, variant, address, missing):
    body = {"variant_id": variant.id, "quantity": 1, "address_id": address.id}
    del body[missing]

    response = user_api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400 and missing in response.json()["fields"]


def test_create_for_an_unknown_or_inactive_variant_is_400(user_api, variant, address):
    variant.product.is_active = False
    variant.product.save()

    inactive = create_order(user_api, variant, address)
    unknown = user_api.post(
        "/api/v1/orders/", {"variant_id": 999999, "quantity": 1, "address_id": address.id}, format="json"
    )

    assert inactive.status_code == 400 and "variant_id" in inactive.json()["fields"]
    assert unknown.status_code == 400 and "variant_id" in unknown.json()["fields"]


def test_create_with_a_body_that_is_not_an_object_is_400(user_api):
    assert user_api.post("/api/v1/orders/", [1, 2], format="json").status_code == 400
    broken = user_api.generic("POST", "/api/v1/orders/", b"{", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error"


def test_anonymous_gets_401_everywhere(api, variant, address):
    order_id = create_order(api_client_for(address.user), variant, address).json()["id"]

    for response in (
        api.get("/api/v1/orders/"),
        api.get(f"/api/v1/orders/{order_id}/"),
        create_order(api, variant, address),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert "WWW-Authenticate" in response.headers


# --- read ------------------------------------------------------------------------------------


def test_list_shows_only_my_orders_newest_first(user_api, other_api, variant, address, other_address):
    first = create_order(user_api, variant, address).json()["id"]
    second = create_order(user_api, variant, address).json()["id"]
    create_order(other_api, variant, other_address)

    body = user_api.get("/api/v1/orders/").json()

    assert body["count"] == 2 and body["next"] is None
    assert [o["id"] for o in body["results"]] == [second, first]


def test_detail_of_another_users_order_is_404(user_api, other_api, variant, other_address):
    theirs = create_order(other_api, variant, other_address).json()["id"]

    for url in (f"/api/v1/orders/{theirs}/", "/api/v1/orders/999999/"):
        response = user_api.get(url)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_a_paid_purchase_lists_its_shipment_with_events(user_api, variant, address):
    order = Order.objects.get(id=create_order(user_api, variant, address).json()["id"])
    pay(order)
    TrackingEvent.objects.create(
        shipment=order.shipment,
        key="e1",
        occurred_at=timezone.now(),
        status="info_received",
        location="Shanghai",
        description="Label created",
    )

    body = user_api.get(f"/api/v1/orders/{order.id}/").json()

    assert body["status"] == "paid" and body["paid_at"]
    assert body["payment"]["status"] == "succeeded"
    [shipment] = body["shipments"]
    assert shipment["id"] == order.shipment_id and shipment["status"] == "pending"
    assert shipment["carrier"] == "" and shipment["tracking_number"] == ""
    assert [e["description"] for e in shipment["events"]] == ["Label created"]


def test_a_gift_order_has_no_shipments_even_when_paid(user_api, user, variant):
    gift = gift_create(sender=user, variant_id=variant.id, quantity=1, mode="single")
    pay(gift.order)

    body = user_api.get(f"/api/v1/orders/{gift.order_id}/").json()

    assert body["kind"] == "gift" and body["status"] == "paid"
    assert body["shipments"] == []


def _list_queries(api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/orders/")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_list_makes_as_many_queries_for_20_orders_as_for_1(db):
    # given: paid purchases, each with a shipment and a tracking event
    buyer = UserFactory(username="big-buyer")
    address = make_address(buyer)
    api = api_client_for(buyer)
    variant = make_variant(stock=100)

    def one_more():
        order = Order.objects.get(id=create_order(api, variant, address).json()["id"])
        pay(order)
        TrackingEvent.objects.create(
            shipment=order.shipment, key="k", occurred_at=timezone.now(), status="info_received"
        )

    one_more()
    one, count_one = _list_queries(api)
    for _ in range(19):
        one_more()
    # when
    twenty, count_twenty = _list_queries(api)
    # then
    assert (count_one, count_twenty) == (1, 20)
    assert Shipment.objects.count() == 20 and Payment.objects.filter(status="succeeded").count() == 20
    assert one == twenty, f"orders list: {one} queries for 1 order, {twenty} for 20: something is queried per row"
