import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.models import Address
from logistics.services.addresses import address_create
from tests.conftest import api_client_for
from tests.factories import UserFactory

LIST = "/api/v1/me/addresses/"
BODY = {
    "recipient_name": "Li Lei",
    "phone": "13800138000",
    "country": "CN",
    "region": "Shanghai",
    "city": "Shanghai",
    "street": "88 Tianyaoqiao Road",
}


def _detail(address_id):
    return f"{LIST}{address_id}/"


def _address(user, **overrides):
    return address_create(user=user, **{**BODY, **overrides})


# --- denied --------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["get", "post"])
def test_the_list_needs_authentication(api, db, method):
    response = getattr(api, method)(LIST, BODY, format="json") if method == "post" else api.get(LIST)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Address.objects.exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_an_address_needs_authentication(api, user, method):
    address = _address(user)

    response = getattr(api, method)(_detail(address.id))

    assert response.status_code == 401
    assert Address.objects.filter(id=address.id).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_address_is_a_404_whatever_the_body(other_api, user, method):
    address = _address(user)

    response = getattr(other_api, method)(_detail(address.id), {"city": "x" * 5000}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    address.refresh_from_db()
    assert address.city == "Shanghai"


@pytest.mark.parametrize("address_id", ["abc", "1.5", "-1", "%C2%B2", "9" * 30, "1%0A"])
def test_malformed_ids_are_a_404(user_api, user, address_id):
    _address(user)

    response = user_api.get(_detail(address_id))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- list, create --------------------------------------------------------------------------

def test_the_list_is_paginated_and_yours_only(user_api, user, other_user):
    for n in range(21):
        _address(user, recipient_name=f"R{n:02d}")
    _address(other_user, recipient_name="Somebody Else")

    first = user_api.get(LIST).json()
    second = user_api.get(LIST, {"page": 2}).json()

    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert first["results"][0]["recipient_name"] == "R00"
    assert first["results"][0]["is_default"] is True
    assert first["next"] and first["previous"] is None
    assert [a["recipient_name"] for a in second["results"]] == ["R20"]
    assert user_api.get(LIST, {"page_size": 100}).json()["count"] == 21


def test_an_empty_list(user_api):
    assert user_api.get(LIST).json() == {"count": 0, "next": None, "previous": None, "results": []}


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_the_list_makes_as_many_queries_for_20_addresses_as_for_1(db):
    one, twenty = UserFactory(username="one"), UserFactory(username="twenty")
    _address(one)
    for n in range(20):
        _address(twenty, recipient_name=f"R{n}")

    queries_for_one = _list_queries(api_client_for(one))
    queries_for_twenty = _list_queries(api_client_for(twenty))

    assert queries_for_one == queries_for_twenty, "the address list must not query once per address"


def test_create_answers_the_address_and_the_first_is_the_default(user_api, user):
    response = user_api.post(LIST, {**BODY, "country": "cn", "is_default": False}, format="json")

    assert response.status_code == 201
    body = response.json()
    address = Address.objects.get(user=user)
    assert body["id"] == address.id
    assert body["is_default"] is True
    assert body["country"] == "CN"
    assert body["district"] == "" and body["postal_code"] == ""
    assert {"recipient_name", "phone", "region", "city", "street", "created_at"} <= set(body)


def test_create_with_is_default_moves_the_default(user_api, user):
    first = _address(user)

    response = user_api.post(LIST, {**BODY, "recipient_name": "Han", "is_default": True}, format="json")

    assert response.json()["is_default"] is True
    first.refresh_from_db()
    assert not first.is_default
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_create_with_missing_fields_is_400_with_fields(user_api, user):
    response = user_api.post(LIST, {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"recipient_name", "phone", "country", "region", "city", "street"}


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"country": "XX"}, "country"),
        ({"country": "CHN"}, "country"),
        ({"country": 86}, "country"),
        ({"phone": "call me"}, "phone"),
        ({"phone": ["13800138000"]}, "phone"),
        ({"street": "s" * 100_000}, "street"),
        ({"recipient_name": {"first": "Li"}}, "recipient_name"),
        ({"recipient_name": None}, "recipient_name"),
        ({"postal_code": "p" * 17}, "postal_code"),
        ({"district": "d" * 61}, "district"),
        ({"is_default": "sometimes"}, "is_default"),
        ({"city": "nul\x00byte"}, "city"),
        ({"user": 1}, "user"),
    ],
)
def test_create_bad_input_is_400_never_500(user_api, user, overrides, field):
    response = user_api.post(LIST, {**BODY, **overrides}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Address.objects.exists()


def test_create_with_a_json_list_body_is_400(user_api):
    assert user_api.post(LIST, [BODY], format="json").status_code == 400


# --- detail --------------------------------------------------------------------------------

def test_get_your_address(user_api, user):
    address = _address(user)

    response = user_api.get(_detail(address.id))

    assert response.status_code == 200
    assert response.json()["id"] == address.id
    assert response.json()["street"] == "88 Tianyaoqiao Road"


def test_patch_changes_only_what_is_sent(user_api, user):
    address = _address(user, district="Xuhui")

    response = user_api.patch(_detail(address.id), {"city": "Hangzhou", "country": "cn"}, format="json")

    assert response.status_code == 200
    assert response.json()["city"] == "Hangzhou"
    address.refresh_from_db()
    assert (address.city, address.country, address.district) == ("Hangzhou", "CN", "Xuhui")


def test_patch_is_default_switches_the_default(user_api, user):
    first = _address(user)
    second = _address(user, recipient_name="Han")

    response = user_api.patch(_detail(second.id), {"is_default": True}, format="json")

    assert response.json()["is_default"] is True
    assert list(Address.objects.filter(user=user, is_default=True)) == [second]
    first.refresh_from_db()
    assert not first.is_default


def test_patch_cannot_unset_the_default(user_api, user):
    address = _address(user)

    response = user_api.patch(_detail(address.id), {"is_default": False}, format="json")

    assert response.status_code == 400
    assert "is_default" in response.json()["fields"]
    address.refresh_from_db()
    assert address.is_default


@pytest.mark.parametrize(
    "body, field",
    [({"country": "ZZ"}, "country"), ({"phone": 123}, "phone"), ({"street": ""}, "street"), ({"id": 5}, "id")],
)
def test_patch_bad_input_is_400_and_changes_nothing(user_api, user, body, field):
    address = _address(user)

    response = user_api.patch(_detail(address.id), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    address.refresh_from_db()
    assert (address.country, address.phone, address.street) == ("CN", "13800138000", "88 Tianyaoqiao Road")


def test_delete_the_default_promotes_the_oldest_remaining(user_api, user):
    default = _address(user, recipient_name="Default")
    oldest = _address(user, recipient_name="Oldest")
    _address(user, recipient_name="Newest")

    response = user_api.delete(_detail(default.id))

    assert response.status_code == 204
    assert not Address.objects.filter(id=default.id).exists()
    assert list(Address.objects.filter(user=user, is_default=True)) == [oldest]
    assert user_api.get(_detail(default.id)).status_code == 404


def test_schema_documents_the_address_endpoints(api, db):
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths[LIST]) == {"get", "post"}
    assert set(paths["/api/v1/me/addresses/{address_id}/"]) == {"get", "patch", "delete"}
    listing = paths[LIST]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert listing.endswith("/PaginatedAddressList")
