"""A well-signed carrier push the database cannot keep (found by fuzzing the endpoint with the
sandbox's secret): a 400 invalid_signature that queues nothing, not a 500 (PostgreSQL refuses a
NUL character in the outbox's jsonb; a body nested too deeply is a RecursionError)."""

import json

import pytest
from django.test import Client

from giftshop.models import OutboxMessage
from tests.logistics.carriers.pushes import (
    AFTERSHIP_SECRET,
    KUAIDI100_SALT,
    SANDBOX_SECRET,
    aftership_body,
    aftership_headers,
    kuaidi100_body,
    kuaidi100_param,
    sandbox_body,
    sandbox_headers,
)

pytestmark = pytest.mark.django_db
NOW = "2024-05-01T10:00:00+08:00"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.SANDBOX_CARRIER_SECRET = SANDBOX_SECRET
    settings.AFTERSHIP_WEBHOOK_SECRET = AFTERSHIP_SECRET
    settings.KUAIDI100_SALT = KUAIDI100_SALT


def _push(carrier, number="", description="picked up", deep=False):
    if carrier == "sandbox":
        body = b"[" * 50_000 + b"]" * 50_000 if deep else sandbox_body(number, [(0, "INFO", NOW)])
        if not deep:
            body = body.replace(b'"info"', json.dumps(description).encode())
        return body, "application/json", sandbox_headers(body)
    if carrier == "aftership":
        body = b"[" * 50_000 + b"]" * 50_000 if deep else aftership_body(
            number, [(NOW, "InTransit", "InTransit_001", description)])
        return body, "application/json", aftership_headers(body)
    param = "[" * 50_000 + "]" * 50_000 if deep else kuaidi100_param(
        number, [("2024-05-01 10:00:00", description)], state=0)
    return kuaidi100_body(param), "application/x-www-form-urlencoded", {}


@pytest.mark.parametrize("carrier", ["sandbox", "aftership", "kuaidi100"])
@pytest.mark.parametrize("where", ["tracking number", "description", "nested too deeply"])
def test_a_signed_push_the_database_cannot_keep_is_refused(carrier, where):
    body, content_type, headers = {
        "tracking number": lambda: _push(carrier, number="DLV\x001"),
        "description": lambda: _push(carrier, number="DLV1", description="left\x00 the depot"),
        "nested too deeply": lambda: _push(carrier, deep=True),
    }[where]()

    response = Client().post(f"/api/v1/logistics/webhooks/{carrier}/", body, content_type=content_type,
                             headers=headers)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_signature"
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("carrier", ["sandbox", "aftership", "kuaidi100"])
def test_a_signed_push_without_those_is_still_queued(carrier):
    body, content_type, headers = _push(carrier, number="DLV1", description="left the depot")

    response = Client().post(f"/api/v1/logistics/webhooks/{carrier}/", body, content_type=content_type,
                             headers=headers)

    assert response.status_code == 200, response.content
    assert OutboxMessage.objects.count() == 1

