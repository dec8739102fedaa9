"""POST /api/v1/gifts/ with a draw time at the very edges of the calendar: a 400 on draw_at, never
a 500 (a naive 0001-01-01T00:00, read in the shop's zone east of UTC, was DRF's OverflowError)."""

import pytest

from gifts.models import Gift
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "draw_at",
    ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00",
     "9999-12-31T23:59:59", "9999-12-31T23:59:59Z", "9999-12-31T10:00:00+14:00", "9999-12-31T15:00:00Z"],
)
def test_a_draw_time_at_the_edge_of_the_calendar_is_a_400_on_draw_at(user_api, draw_at):
    variant = VariantFactory(stock=10)
    body = {"variant_id": variant.id, "mode": "group", "claim_rule": "lottery", "quantity": 3, "claim_hours": 48,
            "draw_at": draw_at}

    response = user_api.post("/api/v1/gifts/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and set(response.json()["fields"]) == {"draw_at"}
    assert not Gift.objects.exists()
