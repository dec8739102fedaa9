"""How the sandboxes (payment provider, carrier) reach our webhook endpoints.

`http` POSTs to SITE_URL like the real service would (the embedded and services modes);
`inprocess` sends the same bytes through Django's test client, the whole middleware stack
included (tests, where no server listens). SANDBOX_WEBHOOK_TRANSPORT picks one.
"""

import urllib.error
import urllib.request

from django.conf import settings


def _post_http(path, body, headers):
    request = urllib.request.Request(settings.SITE_URL + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own SITE_URL
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
