"""Logins: 10 a minute per IP and 10 a minute per username (page and token endpoint together).
Registrations: 30 a minute per IP (page and API together). Each is tested by really trying."""

from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "pass-word-123"  # the factories' password
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"


def _login(client, username, password="wrong", ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(api, username, password="wrong", ip="10.0.0.1"):
    return api.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_the_11th_login_from_one_ip_in_a_minute_gets_the_429_page(client, user):
    answers = [_login(client, f"guess{n}").status_code for n in range(10)]

    blocked = _login(client, "alice", PASSWORD)

    assert answers == [200] * 10
    assert blocked.status_code == 429
    assert 1 <= int(blocked["Retry-After"]) <= 60  # what is left of the minute
    assert b"Too many attempts" in blocked.content
    # another address is not blocked
    assert _login(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_11th_login_for_one_username_from_many_ips_is_refused(client, user):
    answers = [_login(client, "alice", ip=f"10.0.1.{n}").status_code for n in range(10)]

    blocked = _login(client, "ALICE", PASSWORD, ip="10.0.2.1")

    assert answers == [200] * 10
    assert blocked.status_code == 429
    # another username from a fresh address is not blocked
    UserFactory(username="bob")
    assert _login(client, "bob", PASSWORD, ip="10.0.2.2").status_code == 302


def test_viewing_the_login_page_does_not_count(client, db):
    for _ in range(15):
        assert client.get(LOGIN, REMOTE_ADDR="10.0.0.1").status_code == 200

    assert _login(client, "someone").status_code == 200


def test_the_token_endpoint_is_limited_per_ip_with_the_api_error_shape(api, user):
    answers = [_token(api, f"guess{n}").status_code for n in range(10)]

    blocked = _token(api, "alice", PASSWORD)

    assert answers == [400] * 10
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 1 <= int(blocked["Retry-After"]) <= 60  # what is left of the minute


def test_the_token_endpoint_is_limited_per_username(api, user):
    for n in range(10):
        _token(api, "alice", ip=f"10.0.3.{n}")

    blocked = _token(api, "alice", PASSWORD, ip="10.0.4.1")

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"


def test_page_and_api_logins_share_one_count(client, api, user):
    for n in range(10):
        _login(client, "alice", ip=f"10.0.5.{n}")

    assert _token(api, "alice", PASSWORD, ip="10.0.6.1").status_code == 429


def test_the_31st_registration_from_one_ip_through_the_api_is_refused(api, db):
    answers = [
        api.post(REGISTER, {"username": f"user{n}", "password": "x"}, format="json", REMOTE_ADDR="10.0.7.1").status_code
        for n in range(30)
    ]

    blocked = api.post(
        REGISTER, {"username": "wei", "password": "plum-blossom-42"}, format="json", REMOTE_ADDR="10.0.7.1"
    )

    assert answers == [400] * 30
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 1 <= int(blocked["Retry-After"]) <= 60  # what is left of the minute
    assert not User.objects.filter(username="wei").exists()


def test_the_31st_sign_up_from_one_ip_on_the_page_gets_the_429_page(client, api, db):
    for n in range(15):
        api.post(REGISTER, {"username": f"user{n}", "password": "x"}, format="json", REMOTE_ADDR="10.0.8.1")
    for n in range(15):
        client.post(reverse("accounts:signup"), {"username": f"page{n}"}, REMOTE_ADDR="10.0.8.1")

    blocked = client.post(
        reverse("accounts:signup"),
        {"username": "wei", "password1": "plum-blossom-42", "password2": "plum-blossom-42"},
        REMOTE_ADDR="10.0.8.1",
    )

    assert blocked.status_code == 429
    assert not User.objects.filter(username="wei").exists()
    # the sign-up page itself still opens
    assert client.get(reverse("accounts:signup"), REMOTE_ADDR="10.0.8.1").status_code == 200


def test_the_log_in_limit_s_retry_after_is_exactly_what_is_left_of_its_minute(client, user):
    from django_ratelimit import core

    clock = core.time  # the limiter's pinned clock (tests/conftest.py), which this test moves
    for n in range(10):
        _login(client, f"guess{n}")
    wait = int(_login(client, "alice", PASSWORD)["Retry-After"])

    clock.now += wait - 1
    assert _login(client, "alice", PASSWORD).status_code == 429
    clock.now += 1
    assert _login(client, "alice", PASSWORD).status_code == 302
