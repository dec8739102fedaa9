from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "pass-word-123"  # the factories' password
NEW_PASSWORD = "plum-blossom-42"


def _signup_data(**overrides):
    data = {
        "username": "wei",
        "display_name": "Wei",
        "email": "wei@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


# --- sign-up -------------------------------------------------------------------------------

def test_signup_page_shows_the_form(client, db):
    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 200
    assert b'name="password1"' in response.content


def test_signup_creates_the_account_logs_in_and_follows_next(client, db):
    response = client.post(reverse("accounts:signup") + "?next=/me/addresses/", _signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/me/addresses/"
    user = User.objects.get(username="wei")
    assert user.display_name == "Wei"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signup_ignores_a_next_that_leaves_the_site(client, db):
    response = client.post(reverse("accounts:signup") + "?next=https://evil.example/", _signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signup_shows_errors_and_creates_nobody(client, db):
    UserFactory(username="Wei")

    response = client.post(
        reverse("accounts:signup"), _signup_data(username="wei", password1="123", password2="123")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "username" in form.errors
    assert "password1" in form.errors
    assert User.objects.filter(username__iexact="wei").count() == 1
    assert SESSION_KEY not in client.session


def test_signup_with_nothing_filled_in_shows_the_required_fields(client, db):
    response = client.post(reverse("accounts:signup"), {})

    assert response.status_code == 200
    assert {"username", "password1", "password2"} <= set(response.context["form"].errors)


def test_signup_refuses_two_different_passwords(client, db):
    response = client.post(reverse("accounts:signup"), _signup_data(password2="another-password-9"))

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_refuses_a_huge_username_without_crashing(client, db):
    response = client.post(reverse("accounts:signup"), _signup_data(username="w" * 10_000))

    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_signed_in_visitor_on_signup_goes_home(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 302


# --- login / logout ------------------------------------------------------------------------

def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login") + "?next=/me/")

    assert response.status_code == 200
    assert b'value="/me/"' in response.content


def test_login_signs_in_and_follows_next(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD, "next": "/me/addresses/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/addresses/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_ignores_the_case_of_the_username(client, user):
    response = client.post(reverse("accounts:login"), {"username": "ALICE", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session


def test_login_of_an_inactive_user_is_refused(client, db):
    UserFactory(username="sleepy", is_active=False)

    response = client.post(reverse("accounts:login"), {"username": "sleepy", "password": PASSWORD})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_logout_is_post_only(client, user):
    client.force_login(user)

    refused = client.get(reverse("accounts:logout"))
    assert refused.status_code == 405
    assert SESSION_KEY in client.session

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


# --- profile -------------------------------------------------------------------------------

def test_profile_needs_a_login(client, db):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_sets_the_display_name(client, user):
    client.force_login(user)

    page = client.get(reverse("accounts:profile"))
    response = client.post(reverse("accounts:profile"), {"display_name": "Ally"}, follow=True)

    assert page.status_code == 200
    assert b'value="Alice"' in page.content
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.display_name == "Ally"
    assert "Your profile has been saved." in [str(m) for m in response.context["messages"]]


def test_profile_refuses_a_too_long_display_name(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), {"display_name": "x" * 5000})

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    user.refresh_from_db()
    assert user.display_name == "Alice"


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change_keeps_the_session_and_sets_the_password(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200
