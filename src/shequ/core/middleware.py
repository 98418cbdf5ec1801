"""Request-scoped context for the audit log (client IP); the actor is always passed explicitly.

`client_ip` is the one place that decides the client's address: every rate limit and the audit log use it.
"""

import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from . import audit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"SHEQU_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The networks in settings.SHEQU_TRUSTED_PROXIES; ImproperlyConfigured if one does not parse."""
    configured: str | Sequence[str] = getattr(settings, "SHEQU_TRUSTED_PROXIES", ())
    if isinstance(configured, str):
        configured = configured.split(",")
    return _networks(tuple(e.strip() for e in configured if e.strip()))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the right-most untrusted hop.

    X-Forwarded-For is believed only from a peer in settings.SHEQU_TRUSTED_PROXIES (addresses or CIDR
    ranges), and only as far as it was written by trusted proxies: walking it from the right, the first
    address that is not a trusted proxy is the client. Anything further left was written by the client and
    could be forged to dodge rate limits or blame someone else in the audit log.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not networks or not forwarded or not _is_trusted(peer, networks):
        return peer[:64]
    address = peer
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if not hop:
            continue
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: nothing from here leftwards was written by a proxy we trust
        address = hop
        if not _is_trusted(hop, networks):
            break
    return address[:64]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        trusted_proxies()  # a malformed SHEQU_TRUSTED_PROXIES stops start-up, not the first request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_request_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.reset_request_ip(token)
