"""No full client address reaches gunicorn's access or error log; a spoofed X-Forwarded-For is ignored."""
from __future__ import annotations

from pathlib import Path

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.servers import LiveServer, ensure_keys, make_live_server

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


# A path whose decoded %0A starts a second access-log line that reads as a request from a full address.
FORGED = "203.0.113.5"
FORGING_PATH = (f"/c/x%0A{FORGED}%20[05/Dec/2026:10:00:00%20+0000]%20%22GET%20/wp-admin/%20HTTP/1.1%22"
                "%20200%200%200ms%20%22-%22%0D.js")


@pytest.mark.slow
def test_control_characters_in_logged_fields_are_escaped(app, database_url, instance):
    server, access, errors = start_server(database_url, instance, trusted_proxies=0)
    request = (f"GET {FORGING_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               # gunicorn refuses C0 controls in a header, not C1 (obs-text): NEL ends a line for splitlines.
               "User-Agent: bot\x85/1.0\r\n\r\n").encode("latin-1")
    assert send_raw(server.port, request).startswith(b"HTTP/1.1 404")
    server.stop()

    lines = access.read_text(encoding="utf-8").splitlines()  # splits on \x85 and \u2028 too
    assert all(line.startswith("127.0.0.0/24 ") for line in lines)  # the readiness checks' and ours
    [line] = [line for line in lines if "/c/x" in line]
    assert f"/c/x\\n{FORGED} [05/Dec/2026" in line and '\\r.js HTTP/1.1"' in line
    assert line.endswith('"bot\\x85/1.0"')
    assert FORGED not in errors.read_text()


@pytest.mark.slow
def test_visitor_ids_never_reach_the_access_log(app, database_url, instance):
    # An erasure removes a visitor from the database; it cannot reach into a log file.
    server, access, _ = start_server(database_url, instance, trusted_proxies=0)
    body = consent_body()
    assert post_from(server.port, CONSENTS, body, {"Origin": server.url})[0] == 201
    visitor = f"/api/v1/sites/demo/visitors/{body['visitor_id']}"
    request = f"GET {visitor}/consent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert send_raw(server.port, request.encode()).startswith(b"HTTP/1.1 200")
    server.stop()
    text = access.read_text()
    assert body["visitor_id"] not in text
    assert '"GET /api/v1/sites/demo/visitors/-/consent HTTP/1.1" 200' in text


@pytest.mark.slow
def test_the_apps_own_errors_reach_the_error_log(database_url, instance):
    broken = f"sqlite:///{instance}/no-such-folder/consent.db"  # every query fails
    errors = instance / "error.log"
    ensure_keys(database_url, instance)  # the key files gunicorn needs to start, made on a working database
    server = make_live_server(broken, instance, "--error-logfile", str(errors), keys=False,
                              CONSENT_SEAL_INTERVAL="0").start()
    body = consent_body()
    status, answer = post_from(server.port, CONSENTS, body)
    server.stop()
    assert (status, answer["code"]) == (500, "internal_error")
    text = errors.read_text()
    assert "[ERROR] unhandled " in text  # not only on the worker's stderr
    assert body["visitor_id"] not in text
