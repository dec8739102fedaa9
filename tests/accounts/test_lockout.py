"""Log-in lockout with a cool-off (django-axes, accounts/lockout.py): the AXES_FAILURE_LIMIT-th (5th)
wrong password for one username from one address locks that pair out for AXES_COOLOFF_TIME, even
with the right password, on the log-in page, the token API and the admin. Counted in the default
cache: the database cache here, Redis in CI's stage 2 (services mode)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"  # the factories' password
LOGIN, TOKEN, ADMIN = "/accounts/login/", "/api/v1/auth/token/", "/admin/login/"


def _page(client, path, username, password="wrong", ip="10.9.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(api, username, password="wrong", ip="10.9.0.1"):
    return api.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_log_in_page_with_the_cool_off_as_retry_after(client, user):
    answers = [_page(client, LOGIN, "alice").status_code for _ in range(5)]
    locked = _page(client, LOGIN, "alice", PASSWORD)

    assert answers == [200] * 4 + [429]  # the form again with its error, then the lockout
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds())) == "900"
    assert b"15 minutes" in locked.content and b'href="/accounts/password/reset/"' in locked.content
    assert "_auth_user_id" not in client.session


def test_the_lock_is_for_that_username_from_that_address_only(client, user):
    for _ in range(5):
        _page(client, LOGIN, "ALICE")  # counted case-insensitively, as usernames are unique

    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 429
    assert _page(client, LOGIN, "alice", PASSWORD, ip="10.9.0.2").status_code == 302  # the real alice, at home


def test_the_token_api_locks_too_with_the_api_error_shape(api, client, user):
    assert [_token(api, "alice").status_code for _ in range(5)] == [400] * 4 + [429]

    locked = _token(api, "alice", PASSWORD)

    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled" and locked["Retry-After"] == "900"
    assert "token" not in locked.json()
    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 429  # the page and the API count together


def test_the_admin_log_in_locks_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        _page(client, ADMIN, "root")

    assert _page(client, ADMIN, "root", PASSWORD).status_code == 429


def test_a_right_password_before_the_limit_clears_the_count(client, user):
    for _ in range(4):
        _page(client, LOGIN, "alice")
    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _page(client, LOGIN, "alice")

    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, user, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    for _ in range(5):
        _page(client, LOGIN, "alice")
    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 429

    time.sleep(2.5)  # the cache entry's own expiry: no clock of ours reaches Redis

    assert _page(client, LOGIN, "alice", PASSWORD).status_code == 302
