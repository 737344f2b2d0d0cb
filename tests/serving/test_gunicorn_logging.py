"""The gunicorn logger truncates the peer address gunicorn names in its own error lines."""
from __future__ import annotations

import logging

import pytest

from consent_server.gunicorn_logging import TruncateAddresses


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, args, None)


@pytest.mark.parametrize(("peer", "network"), [
    ("192.0.2.77", "192.0.2.0/24"),
    ("2001:db8:aa:bb::1", "2001:db8:aa::/48"),
    ("::ffff:192.0.2.77", "192.0.2.0/24"),
    ("", ""),  # a unix-socket peer has no address
])
def test_invalid_request_warning_names_only_the_network(peer, network):
    line = record("Invalid request from ip={ip}: {error}".format(ip=peer, error="Invalid HTTP request line: 'x'"))
    assert TruncateAddresses(24, 48).filter(line)
    assert line.getMessage() == f"Invalid request from ip={network}: Invalid HTTP request line: 'x'"


def test_lines_without_an_address_field_are_untouched():
    line = record("Booting worker with pid: %s", 42)
    TruncateAddresses(24, 48).filter(line)
    assert line.getMessage() == "Booting worker with pid: 42"
