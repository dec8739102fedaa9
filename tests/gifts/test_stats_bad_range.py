"""A store's statistics: an end day so early that the default 30 days before it are no date at all
is refused on its field (it was an OverflowError, a 500), on the API and on the console page."""

import pytest
from django.urls import reverse

from tests.conftest import api_client_for
from tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    return UserFactory(username="mei")


@pytest.fixture
def store(merchant):
    return StoreFactory(owner=merchant, slug="tea-house")


@pytest.mark.parametrize("end", ["0001-01-01", "0001-01-29", "1999-12-31"])
def test_the_api_refuses_an_end_day_before_the_earliest_on_the_end_field(store, merchant, end):
    response = api_client_for(merchant).get(f"/api/v1/merchant/stores/{store.slug}/stats/", {"end": end})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"end": ["Choose a day from 2000-01-01 on."]}


def test_the_console_page_shows_the_error_for_an_end_day_of_year_one(store, merchant, client):
    client.force_login(merchant)

    response = client.get(reverse("stats:store", kwargs={"slug": store.slug}) + "?end=0001-01-01")

    assert response.status_code in (200, 400)
    assert "Choose a day from 2000-01-01 on." in response.content.decode()
