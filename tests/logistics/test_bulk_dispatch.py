"""Bulk dispatch by CSV: the parser and the per-row service (logistics.services.bulk_dispatch), and the
console's upload page and dispatch sheet through HTTP. Valid rows are applied, invalid rows are
reported with their row number and change nothing, another store's parcel is "not found" and stays
untouched; a file that is too big, too long or not a CSV is one clear error, never a 500."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from giftshop.errors import InvalidInput, PayloadTooLarge
from logistics.models import Shipment
from logistics.services.bulk_dispatch import MAX_ROWS, DispatchRow, dispatch_file_parse, dispatch_rows_apply
from logistics.services.tracking import shipment_dispatch
from orders.services.checkout import order_create_purchase
from tests.conftest import make_image_bytes
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import pay
from tests.logistics.test_shipments_console import gift_shipments, login, purchase_shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    return UserFactory(username="mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, slug="tea-house")


@pytest.fixture
def variant(store):
    return VariantFactory(product__store=store, stock=60)


def upload_url(store):
    return reverse("shipping:bulk_dispatch", kwargs={"slug": store.slug})


def upload(client, store, content: bytes, name="dispatch.csv", content_type="text/csv"):
    return client.post(upload_url(store), {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def statuses(*shipments):
    return [Shipment.objects.get(id=s.id).status for s in shipments]


# --- parsing --------------------------------------------------------------------------------

def test_a_file_with_a_bom_columns_in_any_order_and_blank_rows():
    data = (
        "\ufefftracking_number,Reference,carrier,note\r\n"
        "DLV1001,gs-aaaa,sandbox,fragile\r\n"
        ",,,\r\n"
        "DLV1002,GS-BBBB,sandbox,\r\n"
    )

    rows = dispatch_file_parse(data.encode("utf-8"))

    assert rows == [
        DispatchRow(row=2, reference="gs-aaaa", carrier="sandbox", tracking_number="DLV1001"),
        DispatchRow(row=4, reference="GS-BBBB", carrier="sandbox", tracking_number="DLV1002"),
    ]


def test_shipment_ids_semicolons_and_quoted_cells_are_read():
    rows = dispatch_file_parse(b'shipment_id;carrier;tracking_number\n12;"sandbox";"DLV-1003"\n')

    assert rows == [DispatchRow(row=2, shipment_id="12", carrier="sandbox", tracking_number="DLV-1003")]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "invalid_csv"),
        (b"\xef\xbb\xbf\r\n", "invalid_csv"),
        (b"reference,carrier,tracking_number\n", "invalid_csv"),  # no parcels
        (b"reference,tracking_number\nGS-1,DLV1\n", "invalid_csv_header"),
        (b"GS-1,sandbox,DLV1\n", "invalid_csv_header"),  # no header row
        ("reference,carrier,tracking_number\nGS-1,sandbox,Stra\xdfe\n".encode("latin-1"), "invalid_csv"),
        (b"reference,carrier,tracking_number\nGS-1,sand\x00box,DLV1\n", "invalid_csv"),
        (b"reference,carrier,tracking_number\n\"GS-1,sandbox,DLV1\n", "invalid_csv"),  # an unclosed quote
    ],
)
def test_files_that_cannot_be_read_are_one_clear_error(content, code):
    with pytest.raises(InvalidInput) as raised:
        dispatch_file_parse(content)

    assert raised.value.code == code and raised.value.fields["file"]


def test_a_png_is_not_a_csv():
    with pytest.raises(InvalidInput) as raised:
        dispatch_file_parse(make_image_bytes("PNG", size=(64, 64)))

    assert "not a CSV file" in raised.value.detail


def test_more_than_1_mb_or_2000_rows_is_refused():
    too_long = "reference,carrier,tracking_number\n" + "GS-1,sandbox,DLV1\n" * (MAX_ROWS + 1)
    just_right = "reference,carrier,tracking_number\n" + "GS-1,sandbox,DLV1\n" * MAX_ROWS

    with pytest.raises(PayloadTooLarge) as big:
        dispatch_file_parse(b"reference,carrier,tracking_number\n" + b"x" * (1024 * 1024))
    with pytest.raises(InvalidInput) as long:
        dispatch_file_parse(too_long.encode())

    assert big.value.status == 413 and "1 MB" in big.value.fields["file"][0]
    assert long.value.code == "too_many_rows" and "2000" in long.value.detail
    assert len(dispatch_file_parse(just_right.encode())) == MAX_ROWS


# --- applying rows --------------------------------------------------------------------------

def test_each_row_is_applied_on_its_own(store, variant):
    first, second, third = gift_shipments(variant, count=3)
    theirs = purchase_shipment(VariantFactory(stock=5))  # another store's parcel
    rows = [
        DispatchRow(row=2, reference=first.reference.lower(), carrier="sandbox", tracking_number="DLV2001"),
        DispatchRow(row=3, reference=second.reference, carrier="pigeon", tracking_number="DLV2002"),
        DispatchRow(row=4, reference=theirs.reference, carrier="sandbox", tracking_number="DLV2003"),
        DispatchRow(row=5, reference=first.reference, carrier="sandbox", tracking_number="DLV2004"),
        DispatchRow(row=6, shipment_id=str(third.id), carrier="Sandbox Express", tracking_number="DLV2005"),
        DispatchRow(row=7, shipment_id=str(theirs.id), carrier="sandbox", tracking_number="DLV2006"),
        DispatchRow(row=8, reference="", carrier="sandbox", tracking_number="DLV2007"),
    ]

    outcomes = dispatch_rows_apply(store=store, rows=rows, actor=member_of(store))

    assert [(o.row, o.ok, o.code) for o in outcomes] == [
        (2, True, ""), (3, False, "invalid"), (4, False, "not_found"), (5, False, "shipment_not_pending"),
        (6, True, ""), (7, False, "not_found"), (8, False, "not_found"),
    ]
    assert outcomes[1].message == "Choose one of the carriers offered."
    assert statuses(first, second, third, theirs) == ["info_received", "pending", "info_received", "pending"]
    assert Shipment.objects.get(id=first.id).tracking_number == "DLV2001"
    assert Shipment.objects.get(id=theirs.id).tracking_number == ""


def test_a_row_with_a_number_another_stores_parcel_on_its_way_has_is_refused_on_its_own(store, variant):
    first, second = gift_shipments(variant, count=2)
    theirs = purchase_shipment(VariantFactory(stock=5))  # another store's parcel, on its way as DLV2101
    shipment_dispatch(shipment=theirs, carrier="sandbox", tracking_number="DLV2101", actor=member_of(theirs))
    rows = [
        DispatchRow(row=2, reference=first.reference, carrier="sandbox", tracking_number="DLV2101"),
        DispatchRow(row=3, reference=second.reference, carrier="sandbox", tracking_number="DLV2102"),
    ]

    outcomes = dispatch_rows_apply(store=store, rows=rows, actor=member_of(store))

    assert [(o.row, o.ok, o.code) for o in outcomes] == [(2, False, "invalid"), (3, True, "")]
    assert "already on a parcel on its way" in outcomes[0].message and theirs.reference not in outcomes[0].message
    assert statuses(first, second) == ["pending", "info_received"]


# --- the upload page ------------------------------------------------------------------------

def test_the_upload_page_explains_the_file(store, merchant):
    response = login(merchant).get(upload_url(store))

    body = response.content.decode()
    assert response.status_code == 200
    assert "reference,carrier,tracking_number" in body and 'type="file"' in body


def test_a_mixed_file_applies_the_valid_rows_and_lists_the_others(store, variant, merchant):
    good, bad_number, duplicate = gift_shipments(variant, count=3)
    other_store = StoreFactory()
    [theirs] = gift_shipments(VariantFactory(product__store=other_store, stock=5))
    content = (
        "reference,carrier,tracking_number\n"
        f"{good.reference},sandbox,DLV3001\n"
        f"{bad_number.reference},sandbox,not a number!\n"
        f"{theirs.reference},sandbox,DLV3003\n"
        f"{duplicate.reference},sandbox,DLV3004\n"
        f"{duplicate.reference},sandbox,DLV3005\n"
        "GS-NOSUCHTHING,sandbox,DLV3006\n"
    ).encode()

    response = upload(login(merchant), store, content)

    assert response.status_code == 200
    body = response.content.decode()
    outcomes = response.context["outcomes"]
    assert [(o.row, o.ok) for o in outcomes] == [(2, True), (3, False), (4, False), (5, True), (6, False), (7, False)]
    assert "2 parcels dispatched." in body and "4 rows were not applied" in body
    assert "Enter the tracking number: 4 to 40 letters, digits or dashes." in body
    assert body.count("No shipment of this store has this reference.") == 2 * 2  # in both tables
    assert "already been dispatched, cancelled or refunded" in body
    assert statuses(good, bad_number, duplicate, theirs) == ["info_received", "pending", "info_received", "pending"]
    assert Shipment.objects.get(id=duplicate.id).tracking_number == "DLV3004"


def test_a_file_saved_with_a_bom_and_windows_line_ends_is_read(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    content = "\ufeffreference,carrier,tracking_number\r\n" + f"{shipment.reference},sandbox,DLV3101\r\n"

    response = upload(login(merchant), store, content.encode("utf-8"))

    assert response.status_code == 200 and [o.ok for o in response.context["outcomes"]] == [True]
    assert statuses(shipment) == ["info_received"]


def test_a_3_mb_file_is_refused_with_a_clear_error(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    content = (f"reference,carrier,tracking_number\n{shipment.reference},sandbox,DLV3201\n").encode()
    content += b"# padding\n" * (3 * 1024 * 1024 // 10)

    response = upload(login(merchant), store, content)

    assert response.status_code == 400
    assert "The file is larger than 1 MB" in response.content.decode()
    assert statuses(shipment) == ["pending"]


def test_a_png_uploaded_as_a_csv_is_refused_with_a_clear_error(store, variant, merchant):
    [shipment] = gift_shipments(variant)

    response = upload(login(merchant), store, make_image_bytes("PNG"), name="parcels.csv")

    assert response.status_code == 400
    assert "This is not a CSV file" in response.content.decode()
    assert statuses(shipment) == ["pending"]


def test_too_many_rows_and_a_missing_header_are_refused(store, variant, merchant):
    [shipment] = gift_shipments(variant)
    client = login(merchant)
    too_many = "reference,carrier,tracking_number\n" + f"{shipment.reference},sandbox,DLV3301\n" * (MAX_ROWS + 1)

    long_file = upload(client, store, too_many.encode())
    headless = upload(client, store, f"{shipment.reference},sandbox,DLV3302\n".encode())
    nothing = client.post(upload_url(store), {})

    assert long_file.status_code == 400 and "more than 2000 parcels" in long_file.content.decode()
    assert headless.status_code == 400 and "The first row must name the columns" in headless.content.decode()
    assert nothing.status_code == 400 and nothing.context["form"].errors["file"]
    assert statuses(shipment) == ["pending"]


def test_only_the_stores_members_may_upload(store, variant):
    sender = UserFactory()
    [shipment] = gift_shipments(variant, sender=sender)
    content = f"reference,carrier,tracking_number\n{shipment.reference},sandbox,DLV3401\n".encode()
    outsider = UserFactory()
    StoreFactory(owner=outsider)

    anonymous = upload(Client(), store, content)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    for user in (outsider, sender, shipment.recipient):
        assert upload(login(user), store, content).status_code == 404
    assert statuses(shipment) == ["pending"]


# --- the dispatch sheet ---------------------------------------------------------------------

def sheet_url(store, ids=None):
    url = reverse("shipping:dispatch_sheet", kwargs={"slug": store.slug})
    return url + ("?ids=" + ",".join(str(i) for i in ids) if ids else "")


def read_sheet(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_sheet_lists_the_parcels_to_ship_and_comes_back_as_an_upload(store, variant, merchant):
    first, second = gift_shipments(variant, count=2)
    client = login(merchant)

    rows = read_sheet(client.get(sheet_url(store)))
    ticked = read_sheet(client.get(sheet_url(store, [second.id])))

    assert [r["reference"] for r in rows] == [first.reference, second.reference]
    assert rows[0]["ship_to"] == "Li Lei 0" and rows[0]["carrier"] == "" and "price" not in rows[0]
    assert [r["reference"] for r in ticked] == [second.reference]
    # filled in and uploaded again
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for n, row in enumerate(rows):
        writer.writerow({**row, "carrier": "sandbox", "tracking_number": f"DLV340{n}"})
    response = upload(client, store, out.getvalue().encode("utf-8"))
    assert [o.ok for o in response.context["outcomes"]] == [True, True]
    assert statuses(first, second) == ["info_received", "info_received"]


def test_a_cell_that_looks_like_a_formula_is_written_as_text(store, variant, merchant):
    buyer = UserFactory()
    address = AddressFactory(user=buyer, recipient_name="=HYPERLINK(1)")
    order = order_create_purchase(buyer=buyer, variant_id=variant.id, quantity=1, address_id=address.id)
    pay(order)

    rows = read_sheet(login(merchant).get(sheet_url(store)))

    assert rows[0]["ship_to"] == "'=HYPERLINK(1)"


def test_the_sheet_takes_the_same_number_of_queries_for_1_and_20_parcels(merchant):
    def count_queries(n):
        store = StoreFactory(owner=merchant)
        gift_shipments(VariantFactory(product__store=store, stock=30), count=n)
        client = login(merchant)
        client.get(sheet_url(store))
        with CaptureQueriesContext(connection) as queries:
            rows = read_sheet(client.get(sheet_url(store)))
        assert len(rows) == n
        return len(queries)

    one, twenty = count_queries(1), count_queries(20)

    assert one == twenty, f"the dispatch sheet makes {twenty} queries for 20 parcels and {one} for 1"
