"""Structured logs: every line is JSON with the request's id (also sent back as X-Request-ID), card
tokens masked, and no handler of Django's own that would print a line unmasked."""

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.test import override_settings

from giftshop.requestid import HEADER

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


@pytest.fixture
def json_lines():
    """The configured console handler (its formatter and filters), writing to a buffer."""
    config = {**settings.LOGGING, "handlers": {"console": {**settings.LOGGING["handlers"]["console"],
                                                           "formatter": "json", "stream": io.StringIO()}}}
    logging.config.dictConfig(config)
    stream = logging.getLogger().handlers[0].stream
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_a_request_logs_json_lines_with_its_id_and_masks_the_token(client, json_lines):
    response = client.get(f"/g/{TOKEN}/", HTTP_X_REQUEST_ID="trace-42")

    assert response.status_code == 404
    assert response[HEADER] == "trace-42"
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines == [{"time": lines[0]["time"], "level": "WARNING", "logger": "django.request",
                      "message": "Not Found: /g/<token>/", "request_id": "trace-42", "status_code": 404}]


@pytest.mark.django_db
def test_a_missing_or_malformed_id_is_replaced_by_a_new_one(client):
    first = client.get("/healthz")[HEADER]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="no spaces\nor newlines")[HEADER]
    too_long = client.get("/healthz", HTTP_X_REQUEST_ID="a" * 65)[HEADER]

    assert len({first, second, too_long}) == 3
    assert all(len(value) == 32 and value.isalnum() for value in (first, second, too_long))


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_a_csrf_failure_on_a_card_page_is_logged_once_and_masked(json_lines):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"/g/{TOKEN}/", {})

    assert response.status_code == 403
    lines = [line for line in json_lines() if line["logger"] == "django.security.csrf"]
    assert [line["message"] for line in lines] == ["Forbidden (CSRF cookie not set.): /g/<token>/"]


def test_outside_a_request_the_id_is_a_dash(json_lines):
    logging.getLogger("giftshop.test").warning("from the worker")

    assert json_lines()[-1]["request_id"] == "-"


def test_every_handler_of_every_logger_masks_tokens():
    """Django's default DEBUG console handler and mail_admins would print paths unmasked. Read in a
    new process, as configured (pytest adds handlers of its own to this one)."""
    program = textwrap.dedent("""
        import logging, django
        django.setup()
        from giftshop.logfilters import MaskCardTokens
        loggers = [logging.getLogger()] + [logging.getLogger(n) for n in logging.root.manager.loggerDict]
        handlers = {h for lg in loggers for h in getattr(lg, "handlers", []) if not isinstance(h, logging.NullHandler)}
        print(len(handlers), all(any(isinstance(f, MaskCardTokens) for f in h.filters) for h in handlers))
    """)
    for module in ("giftshop.settings.local", "giftshop.settings.test"):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "DJANGO_DEBUG": "1"}
        done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
        assert done.stdout.split() == ["1", "True"], (module, done.stdout, done.stderr)
