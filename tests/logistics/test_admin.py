import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.models import Address
from logistics.services.addresses import address_create
from tests.factories import UserFactory

FIELDS = {
    "recipient_name": "Li Lei",
    "phone": "13800138000",
    "country": "CN",
    "region": "Shanghai",
    "city": "Shanghai",
    "street": "88 Tianyaoqiao Road",
}


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_address_admin_lists_and_searches(staff_client, user, other_user):
    address_create(user=user, **{**FIELDS, "recipient_name": "Han Meimei"})
    address_create(user=other_user, **FIELDS)

    response = staff_client.get("/admin/logistics/address/", {"q": "meimei"})

    assert response.status_code == 200
    assert [a.recipient_name for a in response.context["cl"].result_list] == ["Han Meimei"]


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/logistics/address/").status_code == 200
    return len(queries)


def test_address_admin_list_makes_as_many_queries_for_20_rows_as_for_1(staff_client):
    address_create(user=UserFactory(username="first"), **FIELDS)
    one = _changelist_queries(staff_client)
    for n in range(19):
        address_create(user=UserFactory(username=f"u{n}"), **FIELDS)

    twenty = _changelist_queries(staff_client)

    assert one == twenty, "the admin address list must join the user, not query it per row"


def test_the_make_default_action_keeps_one_default(staff_client, user):
    first = address_create(user=user, **FIELDS)
    second = address_create(user=user, **{**FIELDS, "recipient_name": "Han"})

    response = staff_client.post(
        "/admin/logistics/address/", {"action": "make_default", "_selected_action": [second.id]}
    )

    assert response.status_code == 302
    assert list(Address.objects.filter(user=user, is_default=True)) == [second]
    first.refresh_from_db()
    assert not first.is_default


def test_address_admin_is_for_staff_only(client, user):
    client.force_login(user)

    assert client.get("/admin/logistics/address/").status_code == 302
