import pytest

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_user_admin_lists_and_searches_by_display_name(staff_client):
    UserFactory(username="wei", display_name="Little Dragon")

    response = staff_client.get("/admin/accounts/user/", {"q": "dragon"})

    assert response.status_code == 200
    assert b"Little Dragon" in response.content
    assert list(response.context["cl"].result_list) == [User.objects.get(username="wei")]


def test_user_admin_edits_the_display_name(staff_client):
    user = UserFactory(username="wei", display_name="Wei")

    page = staff_client.get(f"/admin/accounts/user/{user.id}/change/")

    assert page.status_code == 200
    assert b'name="display_name"' in page.content


def test_user_admin_adds_a_user_with_a_display_name(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "wei",
            "display_name": "Wei",
            "email": "wei@example.com",
            "usable_password": "true",
            "password1": "plum-blossom-42",
            "password2": "plum-blossom-42",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="wei")
    assert user.display_name == "Wei"
    assert user.check_password("plum-blossom-42")


def test_user_admin_is_for_staff_only(client, user):
    client.force_login(user)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
