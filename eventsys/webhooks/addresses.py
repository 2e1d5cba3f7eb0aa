"""Where a webhook may go: never to the private side of our own network.

An endpoint's URL is typed by an organiser, and our worker posts to it from inside
the network: without a check anyone with an account could make it call the
database, the metadata service of the cloud (169.254.169.254) or an admin page on
localhost. So a URL must be http(s), without credentials, and its host must resolve
only to public addresses: not private, loopback, link-local, shared, multicast,
reserved or unspecified ones, in IPv4 or IPv6, nor an IPv4 address dressed as IPv6
(::ffff:10.0.0.1, 6to4, Teredo, NAT64).

It is checked when the endpoint is saved and again at every delivery; and the
delivery then connects to the very address that was checked (`pinned_client`), not
to whatever a second lookup returns: a name that resolves to a public address for
the check and to 127.0.0.1 a moment later (DNS rebinding) gains nothing. The Host
header and the TLS server name (SNI, and the certificate's check) stay the URL's.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES turns the address check off (tests, an intranet).
"""

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx
from flask import current_app
from flask_babel import gettext as _

#: the longest URL an endpoint may have
URL_MAX = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: NAT64's well-known prefix: the last 32 bits are an IPv4 address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(ValueError):
    """The URL may not be called; the message says why, for its owner."""


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, and the address to connect to for it."""

    url: str
    host: str
    port: int
    address: str


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """Whether the address is reachable on the internet, and only there."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not address.is_multicast


def _private_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES"))


def check_url(url: str) -> tuple[str, int]:
    """The host and port of a well-formed http(s) URL; AddressRefused otherwise."""
    if len(url) > URL_MAX:
        raise AddressRefused(_("Keep the address under %(limit)s characters.", limit=URL_MAX))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_("This is not a web address.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("Give a web address starting with https:// (or http://)."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_("Leave the user name and password out of the address."))
    if any(character.isspace() for character in url):
        raise AddressRefused(_("This is not a web address."))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str) -> Target:
    """Check the URL and look its host up; AddressRefused when it may not be called."""
    host, port = check_url(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(_("The host %(host)s cannot be found.", host=host)) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise AddressRefused(_("The host %(host)s cannot be found.", host=host))
    if not _private_allowed():
        for address in addresses:
            # An IPv6 address may carry its interface ("fe80::1%eth0"): that part is no address.
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise AddressRefused(_("%(host)s is a private, local or reserved address: webhooks go only "
                                       "to public addresses.", host=host))
    return Target(url=url, host=host, port=port, address=addresses[0])


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the checked address, whatever host name the connection pool asks for."""

    def __init__(self, address: str):
        self.address = address

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return super().connect_tcp(self.address, port, timeout, local_address, socket_options)


class _PinnedTransport(httpx.BaseTransport):
    """httpx's transport over an httpcore pool whose connections all go to one address."""

    def __init__(self, address: str):
        self._pool = httpcore.ConnectionPool(ssl_context=ssl.create_default_context(),
                                             network_backend=_PinnedBackend(address), max_connections=1)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._pool.handle_request(httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions,
        ))
        return httpx.Response(status_code=answer.status, headers=answer.headers,
                              stream=_Stream(answer.stream),
                              extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream):
        self._stream = stream

    def __iter__(self):
        yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


def pinned_client(target: Target, timeout: float) -> httpx.Client:
    """An httpx client that reaches target.url at target.address; it follows no redirect."""
    return httpx.Client(transport=_PinnedTransport(target.address), timeout=timeout, follow_redirects=False,
                        trust_env=False)
