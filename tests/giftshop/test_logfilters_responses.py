"""giftshop.logfilters: the card token known to a view is masked too, and a card view's error
answer is logged once, with its token masked."""

import logging

from django.http import HttpResponse
from django.test import RequestFactory

from giftshop.logfilters import log_response_token_masked, mask_tokens

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


def test_the_given_token_is_masked_even_where_the_pattern_stops():
    # A malformed token may hold a quote, which ends the pattern's match.
    odd = "abc\"def"

    assert mask_tokens(f"/g/{odd}/") == "/g/<token>\"def/"
    assert mask_tokens(f"/g/{odd}/", odd) == "/g/<token>/"
    assert mask_tokens(f"/api/v1/claims/{TOKEN}/thanks/", TOKEN) == "/api/v1/claims/<token>/thanks/"
    assert mask_tokens("/g//", "") == "/g//"


def test_an_error_answer_is_logged_with_the_token_masked_and_marked_logged(caplog):
    request = RequestFactory().get(f"/g/{TOKEN}/")
    response = HttpResponse(status=404)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        log_response_token_masked(request, response, TOKEN)

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.WARNING, "Not Found: /g/<token>/")]
    assert caplog.records[0].status_code == 404
    assert response._has_been_logged is True


def test_a_server_error_is_logged_as_an_error(caplog):
    request = RequestFactory().post(f"/api/v1/claims/{TOKEN}/")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        log_response_token_masked(request, HttpResponse(status=500), TOKEN)

    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.ERROR, "Internal Server Error: /api/v1/claims/<token>/")
    ]


def test_a_success_is_not_logged(caplog):
    request = RequestFactory().get(f"/g/{TOKEN}/")
    response = HttpResponse(status=200)

    with caplog.at_level(logging.DEBUG, logger="django.request"):
        log_response_token_masked(request, response, TOKEN)

    assert caplog.records == []
    assert not getattr(response, "_has_been_logged", False)
