"""Gunicorn's logger without full client addresses.

ClientNetMiddleware keeps full addresses out of everything the application
sees, but gunicorn itself names the socket peer in two places the application
never reaches: the error-log warning for a request it could not parse
("Invalid request from ip=192.0.2.7: ...") and the peer-address (`h`) atom of the access
log line it writes for such a request. This logger truncates both to the
configured network (IPv4 /24, IPv6 /48 by default).
"""
from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

from .client_info import truncate_ip
from .client_net import NET_KEY
from .config import load_config

# gunicorn writes "ip={peer}: {error}"; an IPv6 peer contains colons but never ": ".
_IP_FIELD = re.compile(r"(?<=ip=)(\S+?)(?=: |$)")


class TruncateAddresses(logging.Filter):
    """Rewrite `ip=<address>` in a log record to `ip=<network>`."""

    def __init__(self, v4_prefix: int, v6_prefix: int) -> None:
        super().__init__()
        self.v4_prefix = v4_prefix
        self.v6_prefix = v6_prefix

    def network(self, address: str) -> str:
        """The truncated network of an address, or "-" when it is none."""
        return (truncate_ip(address, self.v4_prefix, self.v6_prefix) if address else None) or "-"

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg = _IP_FIELD.sub(lambda match: self.network(match.group(1)), message)
            record.args = ()
        return True


class PrivateLogger(Logger):
    """gunicorn.glogging.Logger that never writes a full client address."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        settings = load_config()
        self.address_filter = TruncateAddresses(settings["CONSENT_IPV4_PREFIX"], settings["CONSENT_IPV6_PREFIX"])
        self.error_log.addFilter(self.address_filter)

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Requests the app served carry the network already; requests gunicorn rejected do not.
        atoms["h"] = environ.get(NET_KEY) or self.address_filter.network(str(atoms.get("h") or ""))
        return atoms
