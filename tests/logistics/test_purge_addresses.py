"""Purge addresses (DESIGN §6): a parcel's ship-to address (and the gift note printed for its
recipient) is redacted ADDRESS_RETENTION_DAYS after the parcel ended (delivered, returned, expired,
cancelled), counted from `ended_at`, the moment it reached that status. Batched, idempotent, safe for
overlapping runs, a fixed number of queries per batch; the purchase's copy of the address goes too;
the pages and the API that showed the address still work and say it was removed.

Parcels come from the real flow (a paid gift accepted by a friend, a paid purchase), dispatched and
moved by carrier news; time passes through `now=` (the service) or by moving `ended_at` back."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import Now
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gifts.services.returns import shipment_resolve_return
from giftshop.models import OutboxMessage
from logistics.carriers.base import Checkpoint, TrackingUpdate
from logistics.errors import AddressPurged
from logistics.models import Address, Shipment
from logistics.services.purge import TOPIC_ADDRESSES_PURGED, purge_ended_addresses
from logistics.services.shipments import shipment_cancel
from logistics.services.tracking import shipment_dispatch, tracking_apply
from logistics.tasks import purge_addresses
from orders.models import Order
from tests.concurrency.harness import run_concurrently
from tests.conftest import api_client_for
from tests.factories import StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox
from tests.logistics.test_shipments_console import gift_shipments, login, purchase_shipment

pytestmark = pytest.mark.django_db

MESSAGE = "Happy birthday, Li!"
PERSONAL = ("Li Lei 0", "0 Tianyaoqiao Road", MESSAGE, "Wang Fang")  # name, street, gift note, giver
REMOVED = "The address was removed after the retention period."


@pytest.fixture
def merchant():
    return UserFactory(username="mei", display_name="Mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, name="Tea House", slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(product__store=store, product__title="Jasmine tea", name="Tin", sku="JAS-1", stock=200)


def days_later(days):
    return timezone.now() + timedelta(days=days)


def dispatch(shipment, number):
    shipment_dispatch(shipment=shipment, actor=member_of(shipment), carrier="sandbox", tracking_number=number)
    shipment.refresh_from_db()
    return shipment


def carrier_says(shipment, status, *, at=None, key=None):
    """The carrier's news of one checkpoint (its own time `at`, default now)."""
    tracking_apply(update=TrackingUpdate(carrier=shipment.carrier, tracking_number=shipment.tracking_number,
                                         checkpoints=[Checkpoint(key=key or status, occurred_at=at or timezone.now(),
                                                                 status=status, raw_status=status.upper())]))
    shipment.refresh_from_db()
    return shipment


def delivered_gift(variant, number="PRG10001"):
    [shipment] = gift_shipments(variant, message=MESSAGE)
    return carrier_says(dispatch(shipment, number), Shipment.Status.DELIVERED)


def ended_days_ago(shipment, days):
    """Time passes on the database clock: the parcel ended `days` days ago."""
    Shipment.objects.filter(id=shipment.id).update(ended_at=Now() - timedelta(days=days))


def bulk_delivered(store, recipient, count, *, days_ago=40, start=0):
    """`count` parcels delivered `days_ago` days ago, made in one INSERT (for the query counts)."""
    ended = timezone.now() - timedelta(days=days_ago)
    Shipment.objects.bulk_create(
        Shipment(store=store, recipient=recipient, reference=f"GS-BULK{n:05d}", status=Shipment.Status.DELIVERED,
                 ship_to_name=f"Bulk {n}", ship_to_phone="13800000000", ship_to_country="CN",
                 ship_to_region="Shanghai", ship_to_city="Shanghai", ship_to_street=f"{n} Bulk Road",
                 ship_to_postal_code="200000", lines=[{"product_title": "Tea", "variant_name": "Tin", "sku": "T",
                                                       "quantity": 1}],
                 ship_by=ended, delivered_at=ended, ended_at=ended)
        for n in range(start, start + count)
    )


def assert_redacted(shipment):
    shipment.refresh_from_db()
    assert shipment.status in Shipment.FINAL
    assert shipment.address_purged_at is not None
    assert (shipment.ship_to_name, shipment.ship_to_phone, shipment.ship_to_street, shipment.ship_to_district,
            shipment.ship_to_postal_code, shipment.giver_name, shipment.gift_message) == ("",) * 7
    # Coarse enough to point at nobody: kept for the statistics and the parcel's history.
    assert shipment.ship_to_country and shipment.ship_to_region and shipment.ship_to_city
    # What was sent stays.
    assert shipment.lines


def assert_kept(shipment):
    shipment.refresh_from_db()
    assert shipment.address_purged_at is None
    assert shipment.ship_to_name and shipment.ship_to_phone and shipment.ship_to_street


# --- when ------------------------------------------------------------------------------------

def test_the_move_into_a_final_status_sets_ended_at_once(variant):
    shipment = delivered_gift(variant)
    ended = shipment.ended_at

    assert ended is not None and abs(ended - timezone.now()) < timedelta(minutes=1)
    carrier_says(shipment, Shipment.Status.DELIVERED, key="a later scan")  # more news of a final parcel
    assert shipment.ended_at == ended

    [pending] = gift_shipments(variant)
    assert pending.ended_at is None
    assert shipment_cancel(shipment=pending, reason="test")
    pending.refresh_from_db()
    assert pending.ended_at is not None


def test_a_parcel_delivered_31_days_ago_is_redacted_and_29_days_ago_is_not(variant):
    shipment = delivered_gift(variant)

    assert purge_ended_addresses(now=days_later(29)) == 0
    assert_kept(shipment)

    assert purge_ended_addresses(now=days_later(31)) == 1
    assert_redacted(shipment)


def test_the_retention_counts_from_when_we_heard_not_from_the_carriers_scan_time(variant):
    """A delivery scan that reaches us 40 days late still leaves the store its full period."""
    [shipment] = gift_shipments(variant)
    dispatch(shipment, "PRG10002")
    carrier_says(shipment, Shipment.Status.DELIVERED, at=timezone.now() - timedelta(days=40))
    assert shipment.delivered_at < timezone.now() - timedelta(days=39)

    assert purge_ended_addresses() == 0
    assert purge_ended_addresses(now=days_later(29)) == 0
    assert_kept(shipment)


def test_parcels_still_on_their_way_are_never_redacted(variant):
    pending, moving, out = gift_shipments(variant, count=3)
    carrier_says(dispatch(moving, "PRG10003"), Shipment.Status.IN_TRANSIT)
    carrier_says(dispatch(out, "PRG10004"), Shipment.Status.OUT_FOR_DELIVERY)
    Shipment.objects.update(created_at=Now() - timedelta(days=400), last_event_at=Now() - timedelta(days=400))

    assert purge_ended_addresses(now=days_later(400)) == 0
    # Even one that wrongly says it ended (an admin's edit): the status decides.
    Shipment.objects.filter(id=moving.id).update(ended_at=Now() - timedelta(days=400))
    assert purge_ended_addresses(now=days_later(400)) == 0
    for shipment in (pending, moving, out):
        assert_kept(shipment)


def test_returned_expired_and_cancelled_parcels_are_redacted_after_the_period_too(variant):
    returned, expired, cancelled = gift_shipments(variant, count=3)
    carrier_says(dispatch(returned, "PRG10005"), Shipment.Status.RETURNED)
    carrier_says(dispatch(expired, "PRG10006"), Shipment.Status.EXPIRED)
    shipment_cancel(shipment=cancelled, reason="test")

    assert purge_ended_addresses(now=days_later(29)) == 0
    assert purge_ended_addresses(now=days_later(31)) == 3
    for shipment in (returned, expired, cancelled):
        assert_redacted(shipment)


def test_the_setting_is_honoured(variant):
    shipment = delivered_gift(variant)

    with override_settings(ADDRESS_RETENTION_DAYS=5):
        assert purge_ended_addresses(now=days_later(4)) == 0
        assert_kept(shipment)
        assert purge_ended_addresses(now=days_later(6)) == 1
    assert_redacted(shipment)


def test_on_the_database_clock_by_default(variant):
    shipment = delivered_gift(variant)
    ended_days_ago(shipment, 29)
    assert purge_ended_addresses() == 0
    assert_kept(shipment)

    ended_days_ago(shipment, 31)
    assert purge_ended_addresses() == 1
    assert_redacted(shipment)


# --- how --------------------------------------------------------------------------------------

def test_a_second_run_redacts_nothing_and_moves_nothing(variant):
    shipment = delivered_gift(variant)
    assert purge_ended_addresses(now=days_later(31)) == 1
    shipment.refresh_from_db()
    purged_at = shipment.address_purged_at

    assert purge_ended_addresses(now=days_later(31)) == 0
    assert purge_ended_addresses(now=days_later(90)) == 0
    shipment.refresh_from_db()
    assert shipment.address_purged_at == purged_at


def test_a_row_another_run_redacted_first_is_neither_written_nor_counted_again(store, merchant, monkeypatch):
    """Two beats at once: the other run redacts a row between this run's SELECT and its UPDATE.
    (The real race, on real threads, is in test_overlapping_runs_redact_each_row_once.)"""
    bulk_delivered(store, merchant, 3)
    first = Shipment.objects.order_by("id").first()
    marker = timezone.now() - timedelta(minutes=5)
    manager_filter = Shipment.objects.filter

    def the_other_run_first(*args, **kwargs):
        if "id__in" in kwargs:  # this run's UPDATE of its batch is next
            Shipment.objects.all().filter(id=first.id).update(address_purged_at=marker)
        return manager_filter(*args, **kwargs)

    monkeypatch.setattr(Shipment.objects, "filter", the_other_run_first)
    assert purge_ended_addresses() == 2
    first.refresh_from_db()
    assert first.address_purged_at == marker and first.ship_to_name == "Bulk 0"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_redact_each_row_once(store, merchant):
    """Six runs at once, on real threads (PostgreSQL: each has its own connection and sees the
    others' commits): between them they redact every row, and count each row once."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections; CI runs it")
    bulk_delivered(store, merchant, 120)

    run = run_concurrently([lambda: purge_ended_addresses(batch_size=10) for _ in range(6)])

    assert run.errors == []
    assert sum(run.values) == 120
    assert not Shipment.objects.filter(address_purged_at__isnull=True).exists()
    assert not Shipment.objects.exclude(ship_to_name="").exists()


def test_query_count_does_not_grow_with_the_rows(store, merchant):
    bulk_delivered(store, merchant, 1)
    with CaptureQueriesContext(connection) as one:
        assert purge_ended_addresses() == 1

    bulk_delivered(store, merchant, 50, start=1)
    with CaptureQueriesContext(connection) as fifty:
        assert purge_ended_addresses() == 50

    assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]
    assert not Shipment.objects.filter(address_purged_at__isnull=True).exists()


def test_small_batches_take_every_row_with_a_fixed_number_of_queries_each(store, merchant):
    bulk_delivered(store, merchant, 50)

    with CaptureQueriesContext(connection) as queries:
        assert purge_ended_addresses(batch_size=7) == 50

    assert not Shipment.objects.filter(address_purged_at__isnull=True).exists()
    batches = 8  # 7 full, 1 of one
    assert len(queries) <= 8 * batches, len(queries)
    assert OutboxMessage.objects.filter(topic=TOPIC_ADDRESSES_PURGED).count() == batches


def test_limit_stops_the_run(store, merchant):
    bulk_delivered(store, merchant, 10)
    assert purge_ended_addresses(limit=4, batch_size=3) == 4
    assert purge_ended_addresses() == 6


# --- the job and the command -----------------------------------------------------------------

def test_the_command_redacts_and_says_how_many(variant):
    shipment = delivered_gift(variant)
    ended_days_ago(shipment, 31)
    out = StringIO()

    call_command("purge_addresses", stdout=out)
    assert out.getvalue().strip() == "purge_addresses: 1 shipment addresses redacted"
    assert_redacted(shipment)

    out = StringIO()
    call_command("purge_addresses", stdout=out)
    assert "purge_addresses: 0 " in out.getvalue()


def test_the_periodic_task_runs_it(variant):
    shipment = delivered_gift(variant)
    ended_days_ago(shipment, 31)

    assert purge_addresses.apply().get() == 1
    assert_redacted(shipment)


# --- other copies -----------------------------------------------------------------------------

def test_the_purchases_copy_goes_too_and_the_address_book_stays(variant):
    shipment = purchase_shipment(variant)
    order = Order.objects.get(shipment=shipment)
    assert order.ship_to["street"] == "1 Nanjing Road"
    carrier_says(dispatch(shipment, "PRG10007"), Shipment.Status.DELIVERED)
    drain_outbox()

    assert purge_ended_addresses(now=days_later(31)) == 1
    drain_outbox()

    order.refresh_from_db()
    assert not {"recipient_name", "phone", "street", "district", "postal_code"} & set(order.ship_to)
    assert order.ship_to["city"] and order.ship_to["country"]
    book = Address.objects.get(user=order.buyer)
    assert (book.recipient_name, book.street) == ("Han Meimei", "1 Nanjing Road")


def test_a_resent_purchase_keeps_its_copy_while_the_new_parcel_is_on_its_way(variant, merchant):
    shipment = purchase_shipment(variant)
    carrier_says(dispatch(shipment, "PRG10008"), Shipment.Status.RETURNED)
    drain_outbox()
    assert shipment_resolve_return(shipment=shipment, actor=merchant, action="resend") == "resent"

    assert purge_ended_addresses(now=days_later(31)) == 1  # the returned one; the new one is pending
    drain_outbox()

    order = Order.objects.get(buyer=shipment.recipient)
    assert order.shipment_id != shipment.id and order.ship_to["street"] == "1 Nanjing Road"
    assert_kept(order.shipment)


def test_a_returned_parcel_whose_address_is_gone_cannot_be_sent_again_but_can_be_refunded(variant, merchant):
    [shipment] = gift_shipments(variant)
    carrier_says(dispatch(shipment, "PRG10009"), Shipment.Status.RETURNED)
    drain_outbox()
    purge_ended_addresses(now=days_later(31))
    shipment.refresh_from_db()

    with pytest.raises(AddressPurged):
        shipment_resolve_return(shipment=shipment, actor=merchant, action="resend")
    assert not Shipment.objects.filter(resent_from=shipment).exists()

    page = login(merchant).get(reverse("shipping:detail", kwargs={"shipment_id": shipment.id}))
    assert page.status_code == 200
    assert 'value="resend"' not in page.content.decode() and 'value="refund"' in page.content.decode()
    assert shipment_resolve_return(shipment=shipment, actor=merchant, action="refund") == "refunded"


# --- what people see afterwards --------------------------------------------------------------

def test_the_merchants_pages_show_no_address_and_say_why(variant, merchant, store):
    shipment = delivered_gift(variant)
    client = login(merchant)
    detail = reverse("shipping:detail", kwargs={"shipment_id": shipment.id})
    slip = reverse("shipping:slip", kwargs={"shipment_id": shipment.id})
    queue = reverse("shipping:queue", kwargs={"slug": store.slug}) + "?status=all"
    before = client.get(detail).content.decode()
    assert all(text in before for text in PERSONAL) and REMOVED not in before

    purge_ended_addresses(now=days_later(31))

    for url in (detail, slip, queue):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert not [text for text in PERSONAL if text in page], url
        assert shipment.reference in page
    for url in (detail, slip):
        page = client.get(url).content.decode()
        assert REMOVED in page and "The gift note was removed after the retention period." in page, url
    assert "address removed" in client.get(queue).content.decode()


def test_the_shipments_api_shows_no_address_and_does_not_break(variant, merchant, store):
    shipment = delivered_gift(variant)
    purge_ended_addresses(now=days_later(31))

    for user in (merchant, shipment.recipient):
        response = api_client_for(user).get(f"/api/v1/shipments/{shipment.id}/")
        assert response.status_code == 200
        data = response.json()
        assert data["address_purged_at"] is not None
        assert {k: data["ship_to"][k] for k in ("name", "phone", "street", "district", "postal_code")} == dict.fromkeys(
            ("name", "phone", "street", "district", "postal_code"), "")
        assert data["ship_to"]["city"] and not [text for text in PERSONAL if text in str(data)]

    response = api_client_for(merchant).get(f"/api/v1/merchant/stores/{store.slug}/shipments/?status=all")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["address_purged_at"] is not None and row["ship_to"]["name"] == ""
    assert row["gift"] == {"giver_name": "", "message": ""}
    assert not [text for text in PERSONAL if text in str(row)]


def test_the_api_says_null_while_the_address_is_kept(variant, merchant):
    shipment = delivered_gift(variant)
    data = api_client_for(merchant).get(f"/api/v1/shipments/{shipment.id}/").json()
    assert data["address_purged_at"] is None and data["ship_to"]["name"] == "Li Lei 0"


def test_the_buyers_order_page_shows_no_address_and_says_why(variant):
    shipment = purchase_shipment(variant)
    carrier_says(dispatch(shipment, "PRG10010"), Shipment.Status.DELIVERED)
    order = Order.objects.get(shipment=shipment)
    purge_ended_addresses(now=days_later(31))
    drain_outbox()

    response = login(order.buyer).get(reverse("orders:detail", kwargs={"order_id": order.id}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 Nanjing Road" not in page and "Han Meimei" not in page and REMOVED in page
