"""Payload builders shared by the tests."""
from __future__ import annotations

import secrets
import time
from typing import Any, Callable

from flask import Flask
from flask.testing import FlaskClient


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
