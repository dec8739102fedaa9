"""How the sandboxes (payment provider, carrier) reach our webhook endpoints.

`http` POSTs to SITE_URL like the real service would (the embedded and services modes);
`inprocess` sends the same bytes through Django's test client, the whole middleware stack
included (tests, where no server listens). SANDBOX_WEBHOOK_TRANSPORT picks one.
"""

import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _post_http(path, body, headers):
    url = settings.SITE_URL + path
    if not url.startswith(("http://", "https://")):  # urlopen would as well read file: and ftp: URLs
        raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// address, not {settings.SITE_URL!r}.")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310  our own SITE_URL, http(s) checked above
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310: our own SITE_URL, http(s) checked above
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _post_inprocess(path, body, headers):
    from django.test import Client

    response = Client(raise_request_exception=False).generic(
        "POST",
        path,
        body,
        content_type=headers["Content-Type"],
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    return response.status_code


TRANSPORTS = {"http": _post_http, "inprocess": _post_inprocess}


def post_to_us(path: str, body: bytes, headers: dict) -> int:
    """POST `body` to our own `path`; returns the HTTP status (0 when nothing answered)."""
    return TRANSPORTS[settings.SANDBOX_WEBHOOK_TRANSPORT](path, body, headers)
