import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
PASSWORD = "pass-word-123"  # the factories' password
NEW_PASSWORD = "plum-blossom-42"


# --- register ------------------------------------------------------------------------------

def test_register_answers_the_user_and_a_working_token(api, db):
    response = api.post(
        REGISTER, {"username": "wei", "password": NEW_PASSWORD, "display_name": "Wei"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="wei")
    assert body == {"user": {"id": user.id, "username": "wei", "display_name": "Wei"}, "token": body["token"]}
    assert Token.objects.get(user=user).key == body["token"]
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.get(ME).json()["username"] == "wei"


def test_register_needs_no_csrf_token_even_with_a_session_cookie(db, user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(REGISTER, {"username": "wei", "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 201


def test_register_missing_fields_is_400_with_fields(api, db):
    response = api.post(REGISTER, {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"username", "password"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": ["wei"], "password": NEW_PASSWORD}, "username"),
        ({"username": {"a": 1}, "password": NEW_PASSWORD}, "username"),
        ({"username": "wei", "password": None}, "password"),
        ({"username": "w" * 151, "password": NEW_PASSWORD}, "username"),
        ({"username": "wei", "password": "p" * 100_000}, "password"),
        ({"username": "wei", "password": NEW_PASSWORD, "email": "nope"}, "email"),
        ({"username": "wei", "password": NEW_PASSWORD, "display_name": "d" * 51}, "display_name"),
        ({"username": "has space", "password": NEW_PASSWORD}, "username"),
        ({"username": "wei", "password": "12345678"}, "password"),
    ],
)
def test_register_bad_input_is_400_never_500(api, db, payload, field):
    response = api.post(REGISTER, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not User.objects.exists()


def test_register_malformed_json_is_a_parse_error(api, db):
    response = api.post(REGISTER, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_register_a_taken_username_in_another_case_is_400(api, user):
    response = api.post(REGISTER, {"username": "ALICE", "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    assert "username" in response.json()["fields"]


# --- token ---------------------------------------------------------------------------------

def test_token_for_good_credentials(api, user):
    response = api.post(TOKEN, {"username": "Alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


@pytest.mark.parametrize(
    "username, password", [("alice", "wrong-password"), ("nobody", PASSWORD)]
)
def test_token_for_bad_credentials_is_invalid_credentials(api, user, username, password):
    response = api.post(TOKEN, {"username": username, "password": password}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_token_for_an_inactive_user_is_invalid_credentials(api, db):
    UserFactory(username="sleepy", is_active=False)

    response = api.post(TOKEN, {"username": "sleepy", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_token_with_wrong_types_is_400_invalid(api, db):
    response = api.post(TOKEN, {"username": ["alice"], "password": {"x": 1}}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_token_with_a_json_list_body_is_400(api, db):
    response = api.post(TOKEN, [1, 2], format="json")

    assert response.status_code == 400


# --- me ------------------------------------------------------------------------------------

def test_me_needs_authentication(api, db):
    response = api.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_me_with_a_wrong_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(ME).status_code == 401


def test_me_answers_your_account(user_api, user):
    response = user_api.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.id,
        "username": "alice",
        "display_name": "Alice",
        "email": "alice@example.com",
    }


def test_me_patch_sets_the_display_name(user_api, user):
    response = user_api.patch(ME, {"display_name": "Ally"}, format="json")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Ally"
    user.refresh_from_db()
    assert user.display_name == "Ally"


@pytest.mark.parametrize("value", ["x" * 51, ["Ally"], {"a": "b"}, None])
def test_me_patch_bad_display_name_is_400(user_api, user, value):
    response = user_api.patch(ME, {"display_name": value}, format="json")

    assert response.status_code == 400
    assert "display_name" in response.json()["fields"]
    user.refresh_from_db()
    assert user.display_name == "Alice"


def test_me_patch_refuses_fields_you_cannot_change(user_api, user):
    response = user_api.patch(ME, {"username": "root", "is_staff": True}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "is_staff"}
    user.refresh_from_db()
    assert user.username == "alice"
    assert not user.is_staff


def test_me_patch_needs_authentication(api, db):
    assert api.patch(ME, {"display_name": "x"}, format="json").status_code == 401


# --- schema --------------------------------------------------------------------------------

def test_schema_documents_the_account_endpoints(api, db):
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/auth/register/"]) == {"post"}
    assert "201" in paths["/api/v1/auth/register/"]["post"]["responses"]
    assert "400" in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert set(paths["/api/v1/me/"]) == {"get", "patch"}
