import logging

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
