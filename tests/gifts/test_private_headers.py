"""No cache keeps a card, a claim or an address (issue 11): the card page and the claims API send
`Cache-Control: no-store, private` and `Referrer-Policy: no-referrer` (the token is in the path); every
answer to a signed-in user is no-store, private unless its view decides otherwise; public pages stay
cacheable. The card's own forms still post: with no-referrer the browser sends `Origin: null`, which
the CSRF check accepts only with `Sec-Fetch-Site: same-origin`."""

import pytest
from django.test import Client

from tests.conftest import api_client_for
from tests.factories import AddressFactory, UserFactory
from tests.gifts.conftest import claim_url

pytestmark = pytest.mark.django_db


def _private(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_the_card_page_and_the_claims_api_are_never_cached_nor_referred(api, open_gift):
    _, token = open_gift()

    for response in (Client().get(f"/g/{token}/"), api.get(claim_url(token)), api.get(claim_url("x" * 43))):
        assert _private(response), (response.status_code, response.get("Cache-Control"))
        assert response["Referrer-Policy"] == "no-referrer"


def test_answers_holding_an_address_are_never_cached(client):
    user = UserFactory()
    address = AddressFactory(user=user)
    api = api_client_for(user)
    client.force_login(user)

    for response in (api.get("/api/v1/me/addresses/"), api.get(f"/api/v1/me/addresses/{address.id}/"),
                     api.get("/api/v1/me/wallet/"), client.get("/me/addresses/"), client.get("/me/")):
        assert response.status_code == 200
        assert _private(response), (response.request["PATH_INFO"], response.get("Cache-Control"))


def test_public_pages_stay_cacheable(variant):
    product = variant.product
    for path in ("/", f"/s/{product.store.slug}/p/{product.id}/", f"/s/{product.store.slug}/", "/api/v1/products/"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert not _private(response), path


def _csrf_post(token, **headers):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/g/{token}/")
    csrf = browser.cookies["csrftoken"].value
    return browser.post(f"/g/{token}/", {"csrfmiddlewaretoken": csrf, "action": "accept"}, headers=headers)


def test_the_card_s_own_forms_post_with_origin_null_when_the_browser_says_same_origin(open_gift):
    _, token = open_gift()

    ours = _csrf_post(token, origin="null", sec_fetch_site="same-origin")
    forged = _csrf_post(token, origin="null", sec_fetch_site="cross-site")
    unsaid = _csrf_post(token, origin="null")
    elsewhere = _csrf_post(token, origin="https://evil.example", sec_fetch_site="same-origin")

    assert ours.status_code == 302  # past the CSRF check: an anonymous accept goes to log in
    assert (forged.status_code, unsaid.status_code, elsewhere.status_code) == (403, 403, 403)
