"""The IDOR matrix for one gift's parcel: another recipient, a member of another store, the gift's
sender and the recipient where only the store may go each get a 404 (anonymous: 401 from the API,
the login page from the console), never the address; nothing moves. The store's member and the
recipient (for the API read) are the controls that show the door is there."""

import pytest
from django.test import Client

from gifts.services.claims import claim_accept
from logistics.models import Shipment
from logistics.services.tracking import shipment_dispatch
from tests.conftest import api_client_for
from tests.factories import AddressFactory, StoreFactory, UserFactory, VariantFactory, member_of
from tests.gifts.helpers import drain_outbox, paid_gift

pytestmark = pytest.mark.django_db

STREET, PHONE = "9 Hidden Court", "13655556666"
STRANGERS = ["other_recipient", "other_store_member", "sender"]


@pytest.fixture
def world():
    member, staff = UserFactory(), UserFactory()
    store = StoreFactory(owner=member, slug="jade")
    store.members.create(user=staff, role="staff")
    StoreFactory(owner=(other_member := UserFactory()), slug="elsewhere")
    variant = VariantFactory(product__store=store, stock=5)
    sender, friend, other = UserFactory(), UserFactory(), UserFactory()

    gift = paid_gift(sender=sender, variant=variant)
    address = AddressFactory(user=friend, street=STREET, phone=PHONE)
    shipment = claim_accept(gift=gift, user=friend, address_id=address.id).shipment
    other_gift = paid_gift(sender=sender, variant=variant)
    other_shipment = claim_accept(gift=other_gift, user=other, address_id=AddressFactory(user=other).id).shipment
    return {
        "shipment": shipment, "other_shipment": other_shipment,
        "users": {"member": member, "staff": staff, "recipient": friend, "other_recipient": other,
                  "other_store_member": other_member, "sender": sender},
    }


def api_as(world, who):
    return api_client_for(world["users"][who]) if who != "anonymous" else Client()


def browser_as(world, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world["users"][who])
    return client


def assert_hidden(response, status=404):
    assert response.status_code == status
    text = response.content.decode()
    assert STREET not in text and PHONE not in text


# --- GET /api/v1/shipments/<id>/ ------------------------------------------------------------------


@pytest.mark.parametrize("who", STRANGERS)
def test_the_shipment_api_is_a_404_for_anyone_but_its_recipient_and_store(world, who):
    assert_hidden(api_as(world, who).get(f"/api/v1/shipments/{world['shipment'].id}/"))


def test_the_shipment_api_is_a_401_for_anonymous(world):
    response = api_as(world, "anonymous").get(f"/api/v1/shipments/{world['shipment'].id}/")

    assert_hidden(response, 401)
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("who", ["recipient", "member", "staff"])
def test_the_shipment_api_shows_the_address_to_its_recipient_and_store(world, who):
    response = api_as(world, who).get(f"/api/v1/shipments/{world['shipment'].id}/")

    assert response.status_code == 200
    assert response.json()["ship_to"]["street"] == STREET


def test_the_404_of_someone_elses_shipment_is_the_404_of_none_at_all(world):
    client = api_as(world, "other_recipient")

    theirs = client.get(f"/api/v1/shipments/{world['shipment'].id}/")
    missing = client.get("/api/v1/shipments/999999/")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.parametrize("shipment_id", ["abc", "-1", "1.0", "99999999999999999999", "%20"])
def test_a_malformed_id_is_a_404_even_for_a_member(world, shipment_id):
    assert api_as(world, "member").get(f"/api/v1/shipments/{shipment_id}/").status_code == 404


# --- the console's shipment page and packing slip ---------------------------------------------


@pytest.mark.parametrize("who", [*STRANGERS, "recipient"])
@pytest.mark.parametrize("page", ["", "slip/"])
def test_the_console_shipment_pages_are_a_404_for_anyone_outside_the_store(world, who, page):
    assert_hidden(browser_as(world, who).get(f"/merchant/shipments/{world['shipment'].id}/{page}"))


@pytest.mark.parametrize("page", ["", "slip/"])
def test_the_console_shipment_pages_send_anonymous_visitors_to_log_in(world, page):
    response = browser_as(world, "anonymous").get(f"/merchant/shipments/{world['shipment'].id}/{page}")

    assert_hidden(response, 302)
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["member", "staff"])
@pytest.mark.parametrize("page", ["", "slip/"])
def test_the_console_shipment_pages_show_the_address_to_the_store(world, who, page):
    response = browser_as(world, who).get(f"/merchant/shipments/{world['shipment'].id}/{page}")

    assert response.status_code == 200
    assert STREET in response.content.decode()


# --- dispatch: the API and the console form ---------------------------------------------------


DISPATCH = {"carrier": "sandbox", "tracking_number": "DLV-IDOR-1"}


def _unmoved(world):
    shipment = Shipment.objects.get(id=world["shipment"].id)
    return shipment.status == "pending" and shipment.tracking_number == ""


@pytest.mark.parametrize("who", [*STRANGERS, "recipient"])
def test_dispatch_through_the_api_is_a_404_for_anyone_outside_the_store(world, who):
    response = api_as(world, who).post(f"/api/v1/merchant/shipments/{world['shipment'].id}/dispatch/", DISPATCH,
                                       format="json")

    assert_hidden(response)
    assert _unmoved(world)


def test_dispatch_through_the_api_is_a_401_for_anonymous(world):
    response = api_as(world, "anonymous").post(f"/api/v1/merchant/shipments/{world['shipment'].id}/dispatch/",
                                               DISPATCH, content_type="application/json")

    assert_hidden(response, 401)
    assert _unmoved(world)


@pytest.mark.parametrize("who", [*STRANGERS, "recipient"])
def test_dispatch_from_the_console_is_a_404_for_anyone_outside_the_store(world, who):
    response = browser_as(world, who).post(f"/merchant/shipments/{world['shipment'].id}/dispatch/", DISPATCH)

    assert_hidden(response)
    assert _unmoved(world)


def test_dispatch_from_the_console_sends_anonymous_visitors_to_log_in(world):
    response = browser_as(world, "anonymous").post(f"/merchant/shipments/{world['shipment'].id}/dispatch/",
                                                   DISPATCH)

    assert_hidden(response, 302)
    assert _unmoved(world)


def test_the_stores_staff_can_dispatch_through_the_api(world):
    response = api_as(world, "staff").post(f"/api/v1/merchant/shipments/{world['shipment'].id}/dispatch/",
                                           DISPATCH, format="json")

    assert response.status_code == 200 and response.json()["status"] == "info_received"
    assert not _unmoved(world)


def test_the_store_owner_can_dispatch_from_the_console(world):
    response = browser_as(world, "member").post(f"/merchant/shipments/{world['shipment'].id}/dispatch/", DISPATCH)

    assert response.status_code == 302 and response["Location"] == f"/merchant/shipments/{world['shipment'].id}/"
    assert not _unmoved(world)


# --- after dispatch: still nobody else's ---------------------------------------------------------


@pytest.mark.parametrize("who", STRANGERS)
def test_once_dispatched_strangers_still_see_neither_the_address_nor_the_tracking_number(world, who):
    shipment_dispatch(
        shipment=world["shipment"], actor=member_of(world["shipment"]), carrier="sandbox", tracking_number="DLV-IDOR-2"
    )
    drain_outbox()

    response = api_as(world, who).get(f"/api/v1/shipments/{world['shipment'].id}/")
    page = browser_as(world, who).get(f"/merchant/shipments/{world['shipment'].id}/")

    for answer in (response, page):
        assert_hidden(answer)
        assert "DLV-IDOR-2" not in answer.content.decode()


def test_a_recipient_reads_their_own_parcel_not_the_other_one(world):
    client = api_as(world, "other_recipient")

    assert client.get(f"/api/v1/shipments/{world['other_shipment'].id}/").status_code == 200
    assert client.get(f"/api/v1/shipments/{world['shipment'].id}/").status_code == 404
