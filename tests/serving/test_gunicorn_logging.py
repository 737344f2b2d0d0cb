"""The gunicorn logger truncates the peer address gunicorn names in its own error lines, and escapes controls."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

import pytest
from gunicorn.config import Config

from consent_server.http.gunicorn_logging import APP_LOGGER, PrivateLogger, TruncateAddresses


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


FORGED = "[2026-12-05 10:00:00 +0000] [1] [ERROR] forged"


@pytest.fixture
def deployed(tmp_path) -> Iterator[tuple[PrivateLogger, Path]]:
    """gunicorn's logger as deployed (PrivateLogger), writing its error log to a file."""
    path = tmp_path / "error.log"
    config = Config()
    config.set("errorlog", str(path))
    logger = PrivateLogger(config)
    yield logger, path
    # gunicorn's loggers are process-wide: leave them as they were.
    logger.error_log.removeFilter(logger.address_filter)
    for handler in logger.app_handlers:
        logging.getLogger(APP_LOGGER).removeHandler(handler)
        logger.error_log.removeHandler(handler)
        handler.close()


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()  # also splits on \x85, \u2028 ...


def test_an_exception_message_cannot_forge_an_error_log_line(deployed):
    _, error_log = deployed
    try:
        try:
            raise KeyError(f"x\u2028{FORGED}")
        except KeyError as cause:
            raise ValueError(f"netloc 'a\n{FORGED}' contains invalid characters") from cause
    except ValueError:
        logging.getLogger(f"{APP_LOGGER}.errors").exception("unhandled %s", "ValueError")
    lines = lines_of(error_log)
    assert lines[0].endswith("[ERROR] unhandled ValueError")  # the application's records reach the error log
    assert not any(line.startswith(FORGED) for line in lines)
    assert f"ValueError: netloc 'a\\n{FORGED}' contains invalid characters" in lines
    assert "Traceback (most recent call last):" in lines  # the frames keep their lines
    assert any(line.startswith("KeyError: ") and "\\u2028" in line for line in lines)


def test_gunicorn_messages_are_escaped_after_the_address_is_truncated(deployed):
    logger, error_log = deployed
    logger.error_log.warning("Invalid request from ip=192.0.2.77: bad\r\n%s", FORGED)
    [line] = lines_of(error_log)
    assert line.endswith(f"Invalid request from ip=192.0.2.0/24: bad\\r\\n{FORGED}")


def test_a_reload_keeps_one_address_filter_and_one_escape(deployed):
    logger, error_log = deployed
    old_handlers = logger.app_handlers
    logger.setup(logger.cfg)  # what gunicorn does on SIGHUP
    for handler in old_handlers:
        handler.close()
    logger.error_log.warning("Invalid request from ip=192.0.2.77: bad\n")
    assert lines_of(error_log)[-1].endswith("Invalid request from ip=192.0.2.0/24: bad\\n")
    assert logging.getLogger(APP_LOGGER).handlers == logger.app_handlers


def test_a_handler_that_outlives_a_reload_escapes_once(deployed):
    logger, error_log = deployed
    logger.route_app_records()  # as a reload that kept its handlers (an operator's logging config)
    logging.getLogger(f"{APP_LOGGER}.errors").warning("a\nb")
    assert lines_of(error_log)[-1].endswith("[WARNING] a\\nb")
