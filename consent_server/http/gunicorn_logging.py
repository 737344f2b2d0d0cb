"""Gunicorn's logger without full client addresses, and with one line per record.

ClientNetMiddleware keeps full addresses out of everything the application
sees, but gunicorn itself names the socket peer in two places the application
never reaches: the error-log warning for a request it could not parse
("Invalid request from ip=192.0.2.7: ...") and the peer-address (`h`) atom of the access
log line it writes for such a request. This logger truncates both to the
configured network (IPv4 /24, IPv6 /48 by default).

Every field a log line prints may come from a visitor: the path (gunicorn decodes %0A
into a newline), headers, an exception's message quoting a body. Written as is, a newline
in a path starts a second, forged access-log line. This logger escapes control characters
(log_text.escape_controls) in the access log's fields and in the error log's messages and
exception messages, and sends the application's own records (`consent_server.*`) to the
error log through the same handlers, so they are escaped too. A visitor id in a path
(`/visitors/{id}/...`) is written as `-`: an erasure cannot reach into log files.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

from ..config import load_config
from ..domain.client_info import truncate_ip
from .client_net import NET_KEY
from .log_text import escape_controls, format_exception, loggable_path

# gunicorn writes "ip={peer}: {error}"; an IPv6 peer contains colons but never ": ".
_IP_FIELD = re.compile(r"(?<=ip=)(\S+?)(?=: |$)")
# The atoms an access-log format prints, e.g. "%(U)s", "%({user-agent}i)s".
_ATOM = re.compile(r"%\(([^)]*)\)")
APP_LOGGER = "consent_server"
# The atoms that hold the request path: the path alone (U) and the request line (r).
PATH_ATOMS = frozenset({"U", "r"})


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


class EscapeControls(logging.Filter):
    """Escape control characters in a record's message and in its exception's messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        escaped = escape_controls(message)
        if escaped != message:
            record.msg, record.args = escaped, ()
        if record.exc_info and record.exc_info[1] is not None and record.exc_text is None:
            # Formatters write exc_text when it is set, instead of formatting the exception again.
            record.exc_text = format_exception(record.exc_info[1])
        return True


class PrivateLogger(Logger):
    """gunicorn.glogging.Logger that never writes a full client address nor a raw control character."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        settings = load_config()
        if hasattr(self, "address_filter"):  # a reload: a second filter would truncate "ip=192.0.2.0/24" to "-"
            self.error_log.removeFilter(self.address_filter)
        self.address_filter = TruncateAddresses(settings["CONSENT_IPV4_PREFIX"], settings["CONSENT_IPV6_PREFIX"])
        self.error_log.addFilter(self.address_filter)
        # Escaping only what the format prints: the atoms hold every header and environ entry.
        self.logged_atoms = {name.lower() if name.startswith("{") else name
                             for name in _ATOM.findall(cfg.access_log_format)}
        self.route_app_records()

    def route_app_records(self) -> None:
        """Escape on the error log's handlers, and give the application's records the same handlers."""
        app_log = logging.getLogger(APP_LOGGER)
        for handler in getattr(self, "app_handlers", ()):  # a reload made new ones
            app_log.removeHandler(handler)
        self.app_handlers = list(self.error_log.handlers)
        for handler in self.app_handlers:
            # A handler kept over a reload has its filter already: twice would double every backslash again.
            if not any(isinstance(found, EscapeControls) for found in handler.filters):
                handler.addFilter(EscapeControls())
            app_log.addHandler(handler)

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Requests the app served carry the network already; requests gunicorn rejected do not.
        atoms["h"] = environ.get(NET_KEY) or self.address_filter.network(str(atoms.get("h") or ""))
        for name in PATH_ATOMS & self.logged_atoms:
            atoms[name] = loggable_path(str(atoms.get(name) or ""))
        for name in self.logged_atoms:
            value = atoms.get(name)
            if isinstance(value, str):
                atoms[name] = escape_controls(value)
        return atoms
