"""No full client address reaches gunicorn's access or error log; a spoofed X-Forwarded-For is ignored."""
from __future__ import annotations

from pathlib import Path

import pytest

from consent_server.extensions import db
from consent_server.sites import create_site
from tests.conftest import LiveServer, make_live_server

from .builders import CLIENT_SOURCE, consent_body, post_from, send_raw, stored_receipts

CLIENT = "198.51.100.77"  # the visitor, as the proxy reports it
CLIENT_NET = "198.51.100.0/24"
SPOOFED = "203.0.113.9"  # what a visitor writes into X-Forwarded-For itself
CONSENTS = "/api/v1/sites/demo/consents"


def start_server(database_url: str, instance: Path, trusted_proxies: int) -> tuple[LiveServer, Path, Path]:
    """gunicorn as deployed, with the access and error logs in files of their own."""
    access, errors = instance / "access.log", instance / "error.log"
    server = make_live_server(database_url, instance, "--error-logfile", str(errors),
                              CONSENT_TRUSTED_PROXIES=str(trusted_proxies), CONSENT_ACCESS_LOG=str(access))
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    return server.start(), access, errors


def exercise(server: LiveServer, forwarded_for: str) -> str:
    """A recorded consent, a 422 and a malformed request line, all from CLIENT_SOURCE; the 201's receipt."""
    # A query string may carry anything, an address included: the access log prints the path only.
    headers = {"X-Forwarded-For": forwarded_for, "Origin": server.url}  # a browser on the site's pages
    status, answer = post_from(server.port, f"{CONSENTS}?ref={CLIENT}", consent_body(), headers)
    assert status == 201
    bad, _ = post_from(server.port, CONSENTS, consent_body(visitor_id="short"), headers)
    assert bad == 422
    # gunicorn itself logs rejected requests ("Invalid request from ip=...") to the error log.
    assert send_raw(server.port, b"NOT A REQUEST LINE\r\n\r\n").startswith(b"HTTP/1.1 400")
    server.stop()  # flushes and closes both logs
    return answer["receipt_id"]


def posts_logged_from(access_text: str) -> list[str]:
    """The client field of each access-log line of a consent POST."""
    return [line.split(" ", 1)[0] for line in access_text.splitlines() if f"POST {CONSENTS} " in line]


@pytest.mark.slow
def test_behind_one_proxy_logs_hold_only_the_forwarded_network(app, database_url, instance):
    server, access, errors = start_server(database_url, instance, trusted_proxies=1)
    receipt = exercise(server, f"{SPOOFED}, {CLIENT}")

    assert stored_receipts(database_url)[receipt] == CLIENT_NET
    access_text, error_text = access.read_text(), errors.read_text()
    assert posts_logged_from(access_text) == [CLIENT_NET, CLIENT_NET]  # the 201 and the 422
    for text in (access_text, error_text):
        assert CLIENT not in text
        assert SPOOFED not in text
        assert CLIENT_SOURCE not in text


@pytest.mark.slow
def test_without_trusted_proxies_a_spoofed_forwarded_for_is_ignored(app, database_url, instance):
    server, access, errors = start_server(database_url, instance, trusted_proxies=0)
    receipt = exercise(server, CLIENT)

    assert stored_receipts(database_url)[receipt] == "127.0.0.0/24"
    access_text, error_text = access.read_text(), errors.read_text()
    assert posts_logged_from(access_text) == ["127.0.0.0/24", "127.0.0.0/24"]
    for text in (access_text, error_text):
        assert CLIENT not in text
        assert CLIENT_SOURCE not in text
