"""The sandboxes' http transport POSTs only to an http(s) SITE_URL (urlopen would also read file: URLs)."""

import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured

from giftshop import sandbox_transport


@pytest.mark.parametrize("site_url", ["file:///etc", "ftp://127.0.0.1", "127.0.0.1:8000"])
def test_a_site_url_that_is_not_http_is_refused_before_anything_is_opened(settings, monkeypatch, site_url):
    settings.SITE_URL = site_url
    opened = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **kw: opened.append(a))

    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        sandbox_transport._post_http("/webhooks/x/", b"{}", {"Content-Type": "application/json"})
    assert opened == []


def test_an_https_site_url_is_posted_to(settings, monkeypatch):
    settings.SITE_URL = "https://shop.example.com"
    seen = []

    class Response:
        status = 204

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        seen.append((request.full_url, request.get_method(), request.data, timeout))
        return Response()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)

    assert sandbox_transport._post_http("/webhooks/x/", b"{}", {"Content-Type": "application/json"}) == 204
    assert seen == [("https://shop.example.com/webhooks/x/", "POST", b"{}", 10)]
