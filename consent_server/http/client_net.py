"""WSGI middleware: find the client address once, keep only its truncated network in the environ.

It replaces REMOTE_ADDR by the truncated network before anything else sees the
request, so no log line, error report or view can ever print the full address.
The full address lives only in memory for one request, for the country lookup.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ..domain.client_info import client_address, truncate_ip

FULL_ADDRESS_KEY = "consent.client_addr"  # in memory only; never logged or stored
NET_KEY = "consent.client_net"


class ClientNetMiddleware:
    """Derive the client's address from the socket and trusted proxies, then truncate it."""

    def __init__(self, app: Callable, trusted_proxies: int, v4_prefix: int, v6_prefix: int) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies
        self.v4_prefix = v4_prefix
        self.v6_prefix = v6_prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        address = client_address(
            environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_proxies
        )
        network = truncate_ip(address, self.v4_prefix, self.v6_prefix) if address else None
        environ[FULL_ADDRESS_KEY] = address
        environ[NET_KEY] = network or "-"
        # The network address itself ("192.0.2.0"), so even a log format with the peer-address atom prints no full IP.
        environ["REMOTE_ADDR"] = network.split("/", 1)[0] if network else "0.0.0.0"
        # Forwarding headers name full client addresses: drop them once read.
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        environ.pop("HTTP_X_REAL_IP", None)
        environ.pop("HTTP_FORWARDED", None)
        return self.app(environ, start_response)


def limit_key(environ: Mapping[str, Any]) -> str:
    """The key a request's rate limits count under: its truncated network, never the full address."""
    return environ.get(NET_KEY) or "unknown"
