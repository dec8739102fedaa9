"""Requests the OpenAPI fuzzer (schemathesis) found answered with a 500 or outside the contract:
each is now a JSON error with its code (shared/API.md)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_api_url_is_a_json_404_for_every_method_even_with_csrf_checks(method):
    # Seen as DELETE /api/v1/merchant/variants/null,null/: the id does not match the route, the
    # catch-all answered, and Django's CSRF check gave its HTML 403 page instead.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())

    response = getattr(client, method)("/api/v1/merchant/variants/not-an-id/")

    _assert_error(response, 404, "not_found")


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_json_nested_too_deeply_is_a_400_parse_error(opening, closing):
    body = opening * 50_000 + "1" + closing * 50_000
    public = Client().post("/api/v1/auth/token/", data=body, content_type="application/json")
    signed_in = api_client_for(UserFactory()).post("/api/v1/orders/", data=body, content_type="application/json")

    _assert_error(public, 400, "parse_error")
    _assert_error(signed_in, 400, "parse_error")


@pytest.mark.parametrize("page", ["0", "000", "-1", "abc", "1.5", "²", " 1"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_on_the_page_field(page):
    response = api_client_for(UserFactory()).get("/api/v1/me/addresses/", {"page": page})

    body = _assert_error(response, 400, "invalid")
    assert body["fields"] == {"page": ["Enter a whole number from 1 up."]}


@pytest.mark.parametrize("page", ["2", "99999999999999999999999", "9" * 5000])
def test_a_page_past_the_last_is_a_404(page):
    response = api_client_for(UserFactory()).get("/api/v1/orders/", {"page": page})

    _assert_error(response, 404, "not_found")


def test_the_first_and_last_pages_are_served():
    client = api_client_for(UserFactory())

    for page in ("", "1", "01", "last"):
        response = client.get("/api/v1/orders/", {"page": page})
        assert response.status_code == 200 and response.json()["results"] == [], page


def test_every_paginated_list_documents_its_400_and_404_and_pages_from_1(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    lists = [
        (path, operation)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if any(p["name"] == "page" for p in operation.get("parameters", []))
    ]
    assert len(lists) >= 8
    for path, operation in lists:
        assert {"400", "404"} <= set(operation["responses"]), path
        page = next(p for p in operation["parameters"] if p["name"] == "page")
        assert page["schema"]["minimum"] == 1, path
