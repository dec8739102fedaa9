"""Which webhook URLs may be called, and the call itself.

A merchant's URL must be https and every address its host resolves to must be a public one: not
loopback, private, link-local (cloud metadata at 169.254.169.254), multicast, reserved or
unspecified. Otherwise anyone who can register an endpoint could make the shop's worker call
into its own network (SSRF). The check runs when the URL is registered and again at every
delivery, and the delivery connects to the very address that was checked (the Host header and
TLS name stay the URL's), so a DNS answer that changes in between (DNS rebinding) gains nothing.

WEBHOOK_ALLOW_PRIVATE=1 lifts both rules (http, and private addresses): on by default in the
embedded mode only, so a merchant can try a receiver on their own machine.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeUrl(Exception):
    """The URL may not be called; the message says why, for the merchant."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the vetted IP address to connect to


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_target(url: str) -> Target:
    """Vet `url` now (resolving its host) and say where to connect; raises UnsafeUrl."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl(_("This is not a valid URL.")) from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeUrl(_("The URL must start with https://."))
    if not parts.hostname:
        raise UnsafeUrl(_("The URL has no host."))
    if parts.username or parts.password:
        raise UnsafeUrl(_("The URL may not hold a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeUrl(_("The URL's host name does not resolve.")) from None
    addresses = list(dict.fromkeys(info[4][0] for info in answers))
    if not addresses:
        raise UnsafeUrl(_("The URL's host name does not resolve."))
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise UnsafeUrl(_("The URL points to a private or loopback address."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext):
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # the certificate of the URL's host


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST to the vetted address; returns the HTTP status. Redirects are not followed (a 3xx is a
    failed attempt, as Standard Webhooks asks). Raises OSError when nothing answers in time."""
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout, ssl.create_default_context())
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # what the receiver says is not kept; read a little so it can finish
        return response.status
    finally:
        connection.close()
