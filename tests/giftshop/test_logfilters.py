import logging
from datetime import timedelta

from giftshop.logfilters import MaskCardTokens, mask_tokens

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


def test_tokens_in_card_and_claim_paths_are_masked():
    assert mask_tokens(f"GET /g/{TOKEN}/ HTTP/1.1") == "GET /g/<token>/ HTTP/1.1"
    assert mask_tokens(f"POST /api/v1/claims/{TOKEN}/decline/") == "POST /api/v1/claims/<token>/decline/"
    assert mask_tokens("GET /gifts/12/ HTTP/1.1") == "GET /gifts/12/ HTTP/1.1"


def test_the_filter_rewrites_a_record_with_arguments():
    record = logging.LogRecord("django.security.csrf", logging.WARNING, __file__, 1,
                               "Forbidden (%s): %s", ("CSRF token missing.", f"/g/{TOKEN}/"), None)

    assert MaskCardTokens().filter(record) is True

    assert TOKEN not in record.getMessage()
    assert record.getMessage() == "Forbidden (CSRF token missing.): /g/<token>/"


def test_django_request_logs_go_through_the_filter(client, caplog):
    handler_filters = logging.getLogger().handlers[0].filters
    assert any(isinstance(f, MaskCardTokens) for f in handler_filters)


def test_gunicorn_access_lines_mask_the_referer_too():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from giftshop.logfilters import MaskingGunicornLogger

    logger = MaskingGunicornLogger(Config())
    request = SimpleNamespace(method="GET", path="/static/css/site.css", query="", version=(1, 1),
                              headers=[("REFERER", f"https://shop.example/g/{TOKEN}/")], uri="/static/css/site.css")
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": f"https://shop.example/g/{TOKEN}/", "REQUEST_METHOD": "GET",
               "RAW_URI": "/static/css/site.css", "SERVER_PROTOCOL": "HTTP/1.1"}

    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))

    assert all(TOKEN not in str(value) for value in atoms.values())
    assert atoms["f"] == "https://shop.example/g/<token>/"
