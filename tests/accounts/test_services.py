import pytest

from accounts.models import User
from accounts.services import user_authenticate, user_register, user_update_profile
from giftshop.errors import InvalidInput
from tests.factories import UserFactory

GOOD_PASSWORD = "plum-blossom-42"


def test_register_creates_a_user_with_a_usable_password(db):
    user = user_register(username="  Wei  ", password=GOOD_PASSWORD, email="wei@EXAMPLE.com", display_name=" Wei ")

    user.refresh_from_db()
    assert user.username == "Wei"
    assert user.email == "wei@example.com"
    assert user.display_name == "Wei"
    assert user.check_password(GOOD_PASSWORD)


def test_register_refuses_a_username_taken_in_another_case(db):
    user_register(username="Alice", password=GOOD_PASSWORD)

    with pytest.raises(InvalidInput) as exc:
        user_register(username="alice", password=GOOD_PASSWORD)

    assert "username" in exc.value.fields
    assert User.objects.filter(username__iexact="alice").count() == 1


@pytest.mark.parametrize(
    "username",
    ["", "   ", "has space", "semi;colon", "x" * 151, "<script>"],
)
def test_register_refuses_bad_usernames(db, username):
    with pytest.raises(InvalidInput) as exc:
        user_register(username=username, password=GOOD_PASSWORD)

    assert "username" in exc.value.fields
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["", "short", "12345678901", "password123", "x" * 2000])
def test_register_refuses_weak_or_absurd_passwords(db, password):
    with pytest.raises(InvalidInput) as exc:
        user_register(username="wei", password=password)

    assert "password" in exc.value.fields
    assert not User.objects.exists()


def test_register_refuses_a_password_like_the_username(db):
    with pytest.raises(InvalidInput) as exc:
        user_register(username="dragonfruit", password="dragonfruit1")

    assert "password" in exc.value.fields


def test_register_refuses_a_bad_email_and_a_long_display_name(db):
    with pytest.raises(InvalidInput) as exc:
        user_register(username="wei", password=GOOD_PASSWORD, email="not-an-email", display_name="n" * 51)

    assert set(exc.value.fields) == {"email", "display_name"}


@pytest.mark.parametrize("field", ["username", "password", "email", "display_name"])
def test_register_refuses_values_that_are_not_text(db, field):
    values = {"username": "wei", "password": GOOD_PASSWORD, "email": "", "display_name": ""}
    values[field] = ["not", "text"]

    with pytest.raises(InvalidInput) as exc:
        user_register(**values)

    assert field in exc.value.fields


def test_update_profile_sets_the_display_name(db):
    user = UserFactory(username="wei", display_name="")

    user_update_profile(user=user, display_name="  Little Wei ")

    user.refresh_from_db()
    assert user.display_name == "Little Wei"
    assert user.public_name == "Little Wei"


def test_update_profile_refuses_a_display_name_over_50_characters(db):
    user = UserFactory(username="wei", display_name="Wei")

    with pytest.raises(InvalidInput) as exc:
        user_update_profile(user=user, display_name="n" * 51)

    assert "display_name" in exc.value.fields
    user.refresh_from_db()
    assert user.display_name == "Wei"


def test_authenticate_ignores_the_case_of_the_username(db, rf):
    user = user_register(username="Alice", password=GOOD_PASSWORD)

    assert user_authenticate(request=rf.post("/"), username="aLiCe", password=GOOD_PASSWORD) == user
    assert user_authenticate(request=rf.post("/"), username="alice", password="wrong-password") is None
    assert user_authenticate(request=rf.post("/"), username=None, password=GOOD_PASSWORD) is None


def test_a_user_without_a_display_name_is_shown_as_a_friend_never_by_username(db):
    from tests.factories import UserFactory

    user = UserFactory(username="li.lei@example.com", display_name="", first_name="")

    assert user.public_name == "A friend"
