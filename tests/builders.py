"""Payload builders shared by the tests."""
from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from flask import Flask
from flask.testing import FlaskClient

from consent_server.domain.consents import new_receipt_id
from consent_server.models.types import utcnow

SITE_ORIGIN = "https://shop.example"  # the origin of the `site` fixture's shop


def visitor_id() -> str:
    """A fresh random visitor id, as the snippet makes them."""
    return secrets.token_urlsafe(16)


def consent_body(**overrides: Any) -> dict[str, Any]:
    """A valid consent POST body; override any field."""
    body: dict[str, Any] = {
        "visitor_id": visitor_id(),
        "policy_version": 1,
        "choices": {"analytics": True, "ads": False},
        "action": "custom",
        "language": "sv",
    }
    body.update(overrides)
    return body


CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)


def eventually(check: Callable[[], Any], seconds: float) -> Any:
    """`check()` again and again until it gives a true value or `seconds` pass; its last value."""
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return result


def browser_client(app: Flask, origin: str) -> FlaskClient:
    """A test client that sends `Origin: <origin>` with every request (unless one names another), as a browser would."""
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = origin
    return client


def recorder_headers(token: str) -> dict[str, str]:
    """The headers of a server-side integration: no Origin, a recorder key."""
    return {"Authorization": f"Bearer {token}"}


def consent_row(site_id: int, receipt_id: str | None = None) -> dict:
    """The column values of one consent row, as the API writes it (a fresh receipt id unless given)."""
    return {
        "site_id": site_id, "visitor_id": "v" * 20, "receipt_id": receipt_id or new_receipt_id(),
        "policy_version": 1, "choices": {"necessary": True}, "action": "reject_all", "language": "sv",
        "page_path": None, "ip_truncated": None, "browser_family": None, "browser_major": None,
        "os_family": None, "device_type": None, "country": None, "gpc": False, "recorded_at": utcnow(),
        "client_ts": None, "user_agent": None,
    }


def write_country_db(path) -> None:
    """A small real MaxMind country database: 81.2.69.0/24 is GB, 2a02:aa8::/32 is SE."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-Country", ipv4_compatible=True)
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB", "names": {"en": "United Kingdom"}}})
    writer.insert_network(IPSet(["2a02:aa8::/32"]), {"country": {"iso_code": "SE", "names": {"en": "Sweden"}}})
    writer.to_db_file(str(path))
