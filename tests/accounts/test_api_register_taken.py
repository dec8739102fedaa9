"""POST /api/v1/auth/register/ with a username taken in another case: one clear message on the
username field (it also answered `__all__: Constraint "user_username_ci_unique" is violated.`)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["alice", "ALICE", "Alice"])
def test_a_username_taken_in_any_case_is_one_error_on_the_username(api, username):
    UserFactory(username="alice")

    response = api.post("/api/v1/auth/register/", {"username": username, "password": "lantern-demo-2024x"},
                        format="json")

    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"username": ["This username is taken."]}
