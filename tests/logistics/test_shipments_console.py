"""The merchant's "to ship" queue and packing slip pages, with shipments made by the real flow:
a paid gift accepted by a friend, a paid purchase. Access (anonymous, another store's member, the
gift's sender), content (address, gift note, no price), filters, pagination, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gifts.services.claims import claim_accept
from logistics.models import Shipment
from logistics.selectors import shipments as shipment_selectors
from logistics.services.shipments import shipment_cancel
from logistics.services.tracking import shipment_dispatch
from orders.services.checkout import order_create_purchase
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import paid_gift, pay

pytestmark = pytest.mark.django_db

PRICE_MINOR = 12345  # shows as 123.45: it must appear nowhere on these pages


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(
        product__store=store, product__title="Jasmine tea", name="Tin of 100 g", sku="JAS-100", stock=60,
        price_minor=PRICE_MINOR,
    )


def login(user):
    client = Client()
    client.force_login(user)
    return client


def gift_shipments(variant, *, count=1, message="Happy birthday, Li!", sender=None):
    """A paid group gift of `count` units, each accepted by a different friend: `count` shipments."""
    sender = sender or UserFactory(display_name="Wang Fang")
    gift = paid_gift(sender=sender, variant=variant, quantity=count, mode="group" if count > 1 else "single",
                     message=message)
    shipments = []
    for n in range(count):
        friend = UserFactory()
        address = AddressFactory(user=friend, recipient_name=f"Li Lei {n}", street=f"{n} Tianyaoqiao Road")
        shipments.append(claim_accept(gift=gift, user=friend, address_id=address.id).shipment)
    return shipments


def purchase_shipment(variant, *, buyer=None, quantity=2):
    buyer = buyer or UserFactory()
    address = AddressFactory(user=buyer, recipient_name="Han Meimei", street="1 Nanjing Road")
    order = order_create_purchase(buyer=buyer, variant_id=variant.id, quantity=quantity, address_id=address.id)
    pay(order)
    order.refresh_from_db()
    assert order.shipment is not None
    return order.shipment


def queue_url(store, **params):
    url = reverse("shipping:queue", kwargs={"slug": store.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def detail_url(shipment):
    return reverse("shipping:detail", kwargs={"shipment_id": shipment.id})


# --- access ---------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(store, variant):
    [shipment] = gift_shipments(variant)

    for url in (queue_url(store), detail_url(shipment)):
        response = Client().get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_another_stores_member_gets_404_for_the_queue_and_the_shipment(store, variant):
    [shipment] = gift_shipments(variant)
    outsider = UserFactory()
    StoreFactory(owner=outsider)

    client = login(outsider)

    assert client.get(queue_url(store)).status_code == 404
    assert client.get(detail_url(shipment)).status_code == 404


def test_the_gifts_sender_and_its_recipient_cannot_open_the_merchants_pages(store, variant):
    sender = UserFactory()
    [shipment] = gift_shipments(variant, sender=sender)

    assert login(sender).get(detail_url(shipment)).status_code == 404
    assert login(shipment.recipient).get(detail_url(shipment)).status_code == 404
    assert login(sender).get(queue_url(store)).status_code == 404


def test_an_unknown_shipment_is_404(merchant):
    assert login(merchant).get(reverse("shipping:detail", kwargs={"shipment_id": 999999})).status_code == 404


def test_staff_of_the_store_see_the_queue(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    staff = UserFactory()
    store.members.create(user=staff, role="staff")

    response = login(staff).get(queue_url(store))

    assert response.status_code == 200 and shipment.reference in response.content.decode()


# --- the queue ------------------------------------------------------------------------------

def test_the_queue_lists_what_is_to_ship_gifts_and_purchases_without_prices(store, variant, merchant):
    [gift_parcel] = gift_shipments(variant)
    purchase_parcel = purchase_shipment(variant)

    response = login(merchant).get(queue_url(store))

    body = response.content.decode()
    assert response.status_code == 200
    assert gift_parcel.reference in body and purchase_parcel.reference in body
    assert "Li Lei 0" in body and "Han Meimei" in body
    assert "Jasmine tea — Tin of 100 g × 1" in body and "Jasmine tea — Tin of 100 g × 2" in body
    assert response.context["counts"] == {
        "pending": 2, "pending_gift": 1, "pending_purchase": 1,
        "overdue": 0, "overdue_gift": 0, "overdue_purchase": 0,
        "dispatched": 0, "dispatched_gift": 0, "dispatched_purchase": 0,
        "all": 2, "all_gift": 1, "all_purchase": 1,
    }
    assert "123.45" not in body and "¥" not in body
    assert 'class="badge overdue"' not in body  # nothing is late yet


def test_the_queue_shows_to_ship_by_default_and_all_on_request(store, variant, merchant):
    first, second = gift_shipments(variant, count=2)
    assert shipment_cancel(shipment=second, reason="test: the parcel will not go")
    client = login(merchant)

    to_ship = client.get(queue_url(store))
    everything = client.get(queue_url(store, status="all"))

    assert [s.id for s in to_ship.context["page"].object_list] == [first.id]
    assert {s.id for s in everything.context["page"].object_list} == {first.id, second.id}
    assert "cancelled" in everything.content.decode()


def test_the_queue_filters_gifts_and_purchases(store, variant, merchant):
    [gift_parcel] = gift_shipments(variant)
    purchase_parcel = purchase_shipment(variant)
    client = login(merchant)

    gifts = client.get(queue_url(store, kind="gift"))
    purchases = client.get(queue_url(store, kind="purchase", status="all"))

    assert [s.id for s in gifts.context["page"].object_list] == [gift_parcel.id]
    assert [s.id for s in purchases.context["page"].object_list] == [purchase_parcel.id]
    # the filter links keep the other filter
    assert 'href="?status=all&amp;kind=gift"' in purchases.content.decode()


def test_unknown_filter_values_fall_back_to_the_default_queue(store, variant, merchant):
    [shipment] = gift_shipments(variant)

    response = login(merchant).get(queue_url(store, status="<script>", kind="nope", page="x"))

    assert response.status_code == 200
    assert response.context["status"] == "pending" and response.context["kind"] == ""
    assert [s.id for s in response.context["page"].object_list] == [shipment.id]


def test_a_shipment_past_its_ship_by_is_marked_overdue(store, variant, merchant):
    late, on_time = gift_shipments(variant, count=2)
    Shipment.objects.filter(id=late.id).update(ship_by=Now() - timedelta(hours=1))  # time has passed

    response = login(merchant).get(queue_url(store))

    rows = {s.id: s for s in response.context["page"].object_list}
    assert rows[late.id].is_overdue and not rows[on_time.id].is_overdue
    assert list(rows) == [late.id, on_time.id]  # the earliest promise first
    assert response.context["counts"]["overdue"] == 1
    assert response.content.decode().count('class="badge overdue"') == 1


def test_an_empty_queue_says_what_will_appear_there(store, merchant):
    response = login(merchant).get(queue_url(store))

    assert response.status_code == 200
    assert "Nothing to ship yet" in response.content.decode()


def test_a_filter_with_nothing_in_it_offers_all_shipments(store, variant, merchant):
    gift_shipments(variant)

    response = login(merchant).get(queue_url(store, kind="purchase"))

    assert "No shipments match this filter" in response.content.decode()


def test_the_queue_is_paginated_by_20_and_keeps_its_filters(store, variant, merchant):
    shipments = gift_shipments(variant, count=21)
    client = login(merchant)

    first = client.get(queue_url(store, kind="gift"))
    second = client.get(queue_url(store, kind="gift", page=2))

    assert len(first.context["page"].object_list) == 20
    assert [s.id for s in second.context["page"].object_list] == [shipments[-1].id]
    assert 'href="?status=pending&amp;kind=gift&amp;page=2"' in first.content.decode()


def test_the_queue_takes_the_same_number_of_queries_for_1_and_20_shipments(merchant):
    def count_queries(n):
        store = StoreFactory(owner=merchant)
        variant = VariantFactory(product__store=store, stock=30)
        gift_shipments(variant, count=n)
        client = login(merchant)
        client.get(queue_url(store))  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(queue_url(store))
        assert len(response.context["page"].object_list) == n
        return len(queries)

    one, twenty = count_queries(1), count_queries(20)

    assert one == twenty, f"the queue page makes {twenty} queries for 20 shipments and {one} for 1: a query per row?"


# --- the packing slip -----------------------------------------------------------------------

def test_the_shipment_page_has_the_address_the_lines_and_the_gift_card_but_no_price(store, variant, merchant):
    sender = UserFactory(display_name="Wang Fang")
    [shipment] = gift_shipments(variant, sender=sender, message="Happy birthday, Li!")

    response = login(merchant).get(detail_url(shipment))

    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Li Lei 0", "13800138000", "0 Tianyaoqiao Road", "Xuhui", "Shanghai", "200030", "CN",
                 "Jasmine tea", "Tin of 100 g", "JAS-100", shipment.reference):
        assert text in body, text
    assert "Gift card to print" in body and "From: Wang Fang" in body and "Happy birthday, Li!" in body
    assert "123.45" not in body and "¥" not in body and str(PRICE_MINOR) not in body


def test_a_purchase_shipment_has_no_gift_card(store, variant, merchant):
    shipment = purchase_shipment(variant)

    response = login(merchant).get(detail_url(shipment))

    body = response.content.decode()
    assert response.status_code == 200 and "Han Meimei" in body
    assert "Gift card to print" not in body and "123.45" not in body


# --- filters: overdue, dispatched -----------------------------------------------------------

def test_the_overdue_and_dispatched_filters_with_their_counts(store, variant, merchant):
    late, on_time, sent = gift_shipments(variant, count=3)
    purchase_parcel = purchase_shipment(variant)
    Shipment.objects.filter(id__in=[late.id, purchase_parcel.id]).update(ship_by=Now() - timedelta(minutes=5))
    shipment_dispatch(shipment=sent, actor=member_of(sent), carrier="sandbox", tracking_number="DLV55501")
    client = login(merchant)

    overdue = client.get(queue_url(store, status="overdue"))
    overdue_gifts = client.get(queue_url(store, status="overdue", kind="gift"))
    dispatched = client.get(queue_url(store, status="dispatched"))

    assert [s.id for s in overdue.context["page"].object_list] == [late.id, purchase_parcel.id]
    assert [s.id for s in overdue_gifts.context["page"].object_list] == [late.id]
    assert [s.id for s in dispatched.context["page"].object_list] == [sent.id]
    counts = overdue.context["counts"]
    assert (counts["pending"], counts["overdue"], counts["dispatched"], counts["all"]) == (3, 2, 1, 4)
    assert (counts["overdue_gift"], counts["overdue_purchase"]) == (1, 1)
    body = overdue.content.decode()
    assert "To ship (3)" in body and "Overdue (2)" in body and "Dispatched (1)" in body and "All (4)" in body
    assert "Gifts (1)" in body and "Purchases (1)" in body and "Both (2)" in body
    assert "DLV55501" in dispatched.content.decode()


def test_dispatched_and_all_are_counted_up_to_the_cap_and_shown_with_a_plus(store, variant, merchant, monkeypatch):
    # given a store with 4 parcels, 1 of them dispatched, and a cap of 2 (999 in production)
    monkeypatch.setattr(shipment_selectors, "COUNT_CAP", 2)
    *waiting, sent = gift_shipments(variant, count=3) + [purchase_shipment(variant)]
    shipment_dispatch(shipment=sent, actor=member_of(sent), carrier="sandbox", tracking_number="DLV55502")

    # when the merchant opens the queue
    response = login(merchant).get(queue_url(store, status="all"))

    # then what is still to ship is counted exactly, the rest only up to the cap
    counts = response.context["counts"]
    assert (counts["pending"], counts["pending_gift"], counts["pending_purchase"]) == (3, 3, 0)
    assert (counts["dispatched"], counts["all"], counts["all_gift"]) == (1, 3, 3)  # 4 parcels, 3 of them gifts
    body = response.content.decode()
    assert "To ship (3)" in body and "Dispatched (1)" in body and "All (2+)" in body and "Gifts (2+)" in body
    assert "Purchases (1)" in body and "Both (2+)" in body


def test_each_row_has_a_checkbox_and_the_page_offers_slips_the_sheet_and_the_upload(store, variant, merchant):
    first, second = gift_shipments(variant, count=2)

    body = login(merchant).get(queue_url(store)).content.decode()

    for shipment in (first, second):
        assert f'name="ids" value="{shipment.id}"' in body
    assert reverse("shipping:slips", kwargs={"slug": store.slug}) in body
    assert reverse("shipping:dispatch_sheet", kwargs={"slug": store.slug}) in body
    assert reverse("shipping:bulk_dispatch", kwargs={"slug": store.slug}) in body
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body


# --- packing slips --------------------------------------------------------------------------

def slip_url(shipment):
    return reverse("shipping:slip", kwargs={"shipment_id": shipment.id})


def slips_url(store, ids):
    return reverse("shipping:slips", kwargs={"slug": store.slug}) + "?ids=" + ",".join(str(i) for i in ids)


def test_the_gift_slip_has_the_store_the_address_the_lines_and_the_card_but_no_price(store, variant, merchant):
    [shipment] = gift_shipments(variant, sender=UserFactory(display_name="Wang Fang"), message="Happy birthday, Li!")

    response = login(merchant).get(slip_url(shipment))

    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Tea House", shipment.reference, "Li Lei 0", "0 Tianyaoqiao Road", "Jasmine tea", "Tin of 100 g",
                 "JAS-100", "From: Wang Fang", "Happy birthday, Li!", 'class="slip-card"', "css/print.css"):
        assert text in body, text
    assert "123.45" not in body and "¥" not in body and str(PRICE_MINOR) not in body
    assert " style=" not in body  # the CSP allows no inline styles


def test_a_purchase_slip_has_no_gift_card(store, variant, merchant):
    shipment = purchase_shipment(variant)

    body = login(merchant).get(slip_url(shipment)).content.decode()

    assert "Han Meimei" in body and 'class="slip-card"' not in body and "123.45" not in body


def test_the_print_stylesheet_has_a_print_section():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/print.css"), encoding="utf-8").read()

    assert "@media print" in css and ".slip" in css


def test_slips_of_the_ticked_parcels_in_one_page(store, variant, merchant):
    first, second, third = gift_shipments(variant, count=3)

    response = login(merchant).get(slips_url(store, [first.id, third.id]))

    body = response.content.decode()
    assert response.status_code == 200
    assert [s.id for s in response.context["shipments"]] == [first.id, third.id]
    assert body.count('<article class="slip">') == 2 and second.reference not in body


def test_slips_also_take_repeated_ids_as_the_queue_form_sends_them(store, variant, merchant):
    first, second = gift_shipments(variant, count=2)

    url = reverse("shipping:slips", kwargs={"slug": store.slug}) + f"?ids={first.id}&ids={second.id}"
    response = login(merchant).get(url)

    assert response.status_code == 200 and len(response.context["shipments"]) == 2


def test_slips_with_nothing_ticked_go_back_to_the_queue_with_a_message(store, merchant):
    response = login(merchant).get(reverse("shipping:slips", kwargs={"slug": store.slug}), follow=True)

    assert response.redirect_chain[-1][0] == queue_url(store)
    assert "Tick the parcels" in response.content.decode()


def test_slips_refuse_another_stores_parcel_and_malformed_ids(store, variant, merchant):
    [mine] = gift_shipments(variant)
    other_store = StoreFactory()
    [theirs] = gift_shipments(VariantFactory(product__store=other_store, stock=5))
    client = login(merchant)

    assert client.get(slips_url(store, [mine.id, theirs.id])).status_code == 404
    assert client.get(slips_url(other_store, [theirs.id])).status_code == 404
    for bad in ("abc", "1e3", "9" * 30, ",".join(["1"] * 101)):
        assert client.get(reverse("shipping:slips", kwargs={"slug": store.slug}) + "?ids=" + bad).status_code == 404


def test_slips_take_the_same_number_of_queries_for_1_and_20_parcels(merchant):
    def count_queries(n):
        store = StoreFactory(owner=merchant)
        shipments = gift_shipments(VariantFactory(product__store=store, stock=30), count=n)
        client = login(merchant)
        url = slips_url(store, [s.id for s in shipments])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["shipments"]) == n
        return len(queries)

    one, twenty = count_queries(1), count_queries(20)

    assert one == twenty, f"the slips page makes {twenty} queries for 20 parcels and {one} for 1: a query per row?"
