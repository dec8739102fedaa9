"""/healthz reports the database, the cache and the broker; /readyz whether migrations are applied."""

import time

import pytest
from kombu import Connection

from giftshop import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_dead_broker_is_reported_quickly_and_the_rest_still_answers(client, monkeypatch):
    """Nothing listens on port 1: the check must give up within about BROKER_CHECK_SECONDS."""

    def dead_broker():
        with Connection("redis://127.0.0.1:1/0", connect_timeout=health.BROKER_CHECK_SECONDS) as conn:
            conn.ensure_connection(max_retries=0, timeout=health.BROKER_CHECK_SECONDS)

    monkeypatch.setitem(health.CHECKS, "broker", dead_broker)
    started = time.monotonic()

    response = client.get("/healthz")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "ok", "broker": "down"}


def test_readyz_is_ready_when_every_migration_is_applied(client):
    response = client.get("/readyz")

    assert response.status_code == 200 and response.json() == {"status": "ready"}
