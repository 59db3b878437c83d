"""Webhook destinations: address rules, and a POST pinned to checked IPs.

A Manager chooses an endpoint's URL and the delivery log shows the start of
each response, so a URL aimed at the shop's own host or its cloud provider's
metadata service would let them read internal services. These rules reject
hosts that are or resolve to loopback, link-local, unspecified, multicast
or reserved addresses, and the name localhost. Private LAN ranges (10/8,
172.16/12, 192.168/16, fc00::/7) stay allowed, because a receiver on the
shop's own network is a normal setup.

A delivery resolves the host once, checks every address, and connects only
to those addresses, so a DNS answer that changes after the check is never
used.
"""

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# "This network" (RFC 1122): Linux sends 0.0.0.0 to the local host.
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


class BlockedAddressError(ValueError):
    """A webhook URL's host is, or resolves to, an address deliveries avoid."""


def blocked_kind(address: IPAddress, *, allow_loopback: bool) -> str:
    """Return why deliveries avoid `address`, such as "loopback", or ""."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        # ::ffff:127.0.0.1 reaches 127.0.0.1, and Python 3.11 does not
        # classify the mapped form by the IPv4 address it carries.
        address = address.ipv4_mapped
    if address.is_loopback:
        return "" if allow_loopback else "loopback"
    if address.is_unspecified or address in THIS_NETWORK:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    return ""


def check_host(host: str) -> None:
    """Raise BlockedAddressError if `host` is a blocked IP address or name.

    Checks the host as written, without DNS: an IP address, or the name
    localhost and its subdomains (which RFC 6761 reserves for loopback).
    Loopback is allowed when settings.WEBHOOK_ALLOW_LOOPBACK is true.
    """
    allow_loopback = settings.WEBHOOK_ALLOW_LOOPBACK
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        if not allow_loopback:
            raise BlockedAddressError(_message(host, "loopback", host))
        return
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return
    kind = blocked_kind(address, allow_loopback=allow_loopback)
    if kind:
        raise BlockedAddressError(_message(host, kind, str(address)))


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses of `host` for TCP, in getaddrinfo order.

    Raises OSError (socket.gaierror) when the name cannot be resolved.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def resolve_checked(host: str, port: int) -> list[str]:
    """Resolve `host` and return its addresses, all of them allowed.

    Raises BlockedAddressError when the host or any address it resolves to
    is blocked, because a name that also points inward is not a receiver.
    Raises OSError when the name cannot be resolved.
    """
    check_host(host)
    addresses = resolve(host, port)
    for text in addresses:
        # getaddrinfo appends the zone to a link-local IPv6 address.
        address = ipaddress.ip_address(text.split("%", 1)[0])
        kind = blocked_kind(address, allow_loopback=settings.WEBHOOK_ALLOW_LOOPBACK)
        if kind:
            raise BlockedAddressError(_message(host, kind, text))
    return addresses


def _message(host: str, kind: str, address: str) -> str:
    target = host if host == address else f"{host} resolves to {address}, which"
    article = "an" if kind[0] in "aeiou" else "a"
    return (
        f"{target} is {article} {kind} address, so webhooks are not sent there; "
        "use the receiver's public or LAN address."
    )


class PinnedAdapter(HTTPAdapter):
    """An adapter that checks TLS against `hostname` while the URL has an IP.

    The request URL names the checked IP address, so urllib3 connects there
    without resolving anything. The certificate is still checked against,
    and SNI still sends, the name the endpoint's URL gave.
    """

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)


def post_pinned(url: str, addresses: Sequence[str], **kwargs) -> requests.Response:
    """POST to `url`, connecting only to `addresses` (checked IPs), in order.

    The next address is tried only when connecting to one failed, as
    urllib3 itself does with the addresses it resolves. Sends the Host
    header of `url`. Takes requests.post's keyword arguments; the response
    must be closed by the caller.
    """
    parts = urlsplit(url)
    headers = {**kwargs.pop("headers", {}), "Host": parts.netloc.rpartition("@")[2]}
    with requests.Session() as session:
        session.mount(f"{parts.scheme}://", PinnedAdapter(parts.hostname or ""))
        for index, address in enumerate(addresses):
            try:
                return session.post(
                    _with_host(parts, address), headers=headers, **kwargs
                )
            except requests.ConnectionError as error:
                if index == len(addresses) - 1 or not _connect_failed(error):
                    raise
    raise requests.ConnectionError(f"{parts.hostname} has no address to connect to.")


def _with_host(parts, address: str) -> str:
    userinfo, at, _ = parts.netloc.rpartition("@")
    host = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}{port}"))


def _connect_failed(error: requests.ConnectionError) -> bool:
    # Only a failed connection is safe to try elsewhere, because a request
    # that reached the receiver must not be sent twice in one attempt.
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)
