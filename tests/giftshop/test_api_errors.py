"""Every error under /api/ has one JSON shape: {"code", "detail", "fields"?} (shared/API.md)."""

import os
import subprocess
import sys

from django.conf import settings


def _assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}
    return body


def test_an_unknown_api_url_is_a_json_404(client, db):
    for path in ("/api/nope/", "/api/v1/nothing-here/", "/api/v2/stores/"):
        _assert_error_shape(client.get(path), 404, "not_found")


def test_malformed_json_is_a_400_parse_error(api, db):
    response = api.post("/api/v1/auth/token/", data='{"username": "alice", ', content_type="application/json")

    _assert_error_shape(response, 400, "parse_error")


def test_a_wrong_method_is_a_405_with_its_code(api, db):
    response = api.delete("/api/v1/stores/")

    _assert_error_shape(response, 405, "method_not_allowed")


def test_an_unsupported_body_type_is_a_415(api, db):
    response = api.post("/api/v1/auth/token/", data="username=alice", content_type="text/plain")

    _assert_error_shape(response, 415, "unsupported_media_type")


def test_anonymous_on_an_authenticated_endpoint_is_a_401_with_www_authenticate(api, db):
    response = api.get("/api/v1/me/")

    _assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401_too(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get("/api/v1/me/")

    _assert_error_shape(response, 401, "not_authenticated")


def test_validation_errors_name_their_fields(api, db):
    response = api.post("/api/v1/auth/register/", data={"username": "", "password": ""}, format="json")

    body = _assert_error_shape(response, 400, "invalid")
    assert "username" in body["fields"] and "password" in body["fields"]


def test_the_schema_is_served(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content
    assert b"/api/v1/stores/" in response.content


def test_the_schema_validates_without_warnings(tmp_path):
    # Every view must describe itself: a warning here means the document does not match the code.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "giftshop.settings.test"}
    out = tmp_path / "x.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-4000:]
    assert out.read_text().startswith("openapi: 3")
