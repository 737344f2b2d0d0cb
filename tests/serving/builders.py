"""Builders for serving tests: consent bodies, raw HTTP from a chosen loopback source, database reads."""
from __future__ import annotations

import http.client
import json
import secrets
import socket
from typing import Any

import sqlalchemy as sa

# Linux routes all of 127.0.0.0/8 to the loopback interface, so a test can be a
# "client" at an address that appears nowhere else (not in bind lines, not in URLs).
CLIENT_SOURCE = "127.0.0.77"


def consent_body(**over: Any) -> dict[str, Any]:
    """A valid consent POST body with a fresh random visitor id."""
    body = {
        "visitor_id": secrets.token_urlsafe(16),
        "policy_version": 1,
        "choices": {"analytics": True, "ads": False},
        "action": "custom",
        "language": "sv",
        "page_url": "https://shop.example/kassa?order=123",
    }
    body.update(over)
    return body


def post_from(port: int, path: str, body: dict[str, Any], headers: dict[str, str] | None = None,
              source: str = CLIENT_SOURCE) -> tuple[int, dict[str, Any]]:
    """POST JSON from a chosen loopback source address; returns (status, decoded JSON)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request("POST", path, body=json.dumps(body),
                           headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def send_raw(port: int, payload: bytes, source: str = CLIENT_SOURCE) -> bytes:
    """Send raw bytes (for example a malformed request line) and return what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def stored_receipts(database_url: str) -> dict[str, str | None]:
    """Every stored receipt id with its truncated address, read with a fresh engine."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT receipt_id, ip_truncated FROM consents")).all()
    finally:
        engine.dispose()
    return {receipt: network for receipt, network in rows}
