"""Builders shared by the export tests."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from consent_server.exports.records import COLUMNS

PURPOSES = ["necessary", "analytics", "marketing"]


def build_row(**overrides: Any) -> tuple:
    """A consent row in the export query's column order, with sensible defaults."""
    values: dict[str, Any] = {
        "id": 1,
        "receipt_id": "r" * 24,
        "visitor_id": "v-123",
        "recorded_at": datetime(2026, 11, 1, 12, 30, 5, 123000, tzinfo=timezone.utc),
        "policy_version": 1,
        "action": "custom",
        "choices": {"necessary": True, "analytics": True, "marketing": False},
        "language": "sv",
        "page_path": "/kassa",
        "ip_truncated": "192.0.2.0/24",
        "browser_family": "Firefox",
        "browser_major": "133",
        "os_family": "Linux",
        "device_type": "desktop",
        "country": "SE",
        "gpc": False,
        "client_ts": None,
        "user_agent": None,
    }
    unknown = set(overrides) - set(values)
    assert not unknown, unknown
    values.update(overrides)
    return tuple(values[name] for name in COLUMNS)


@pytest.fixture
def make_row():
    """The record-row builder, as a fixture."""
    return build_row


def build_readable(**overrides: Any) -> list:
    """A readable (CSV/XLSX) row in ``records.header(PURPOSES)`` order, as the database formats it."""
    from consent_server.exports.records import header

    values: dict[str, Any] = {
        "id": 1, "receipt_id": "r" * 24, "visitor_id": "v-123", "recorded_at_utc": "2026-11-01T12:30:05.123000Z",
        "policy_version": 1, "action": "custom", "purpose:necessary": "granted", "purpose:analytics": "granted",
        "purpose:marketing": "denied", "language": "sv", "page_path": "/kassa", "ip_truncated": "192.0.2.0/24",
        "browser": "Firefox", "browser_major": "133", "os": "Linux", "device_type": "desktop", "country": "SE",
        "gpc": "false", "client_ts": "", "user_agent": "",
    }
    unknown = set(overrides) - set(values)
    assert not unknown, unknown
    values.update(overrides)
    return [values[name] for name in header(PURPOSES)]


@pytest.fixture
def readable():
    """The readable-row builder: readable(page_path="...")."""
    return build_readable


@pytest.fixture
def purposes() -> list[str]:
    """The purpose columns the pure writer tests use."""
    return list(PURPOSES)


@pytest.fixture
def add_records(app):
    """Insert consent rows straight into the log (Core insert), with chosen times and values."""
    from sqlalchemy import insert

    from consent_server.extensions import db
    from consent_server.models import Consent

    counter = iter(range(10**9))

    def add(site, count: int = 1, **overrides: Any) -> None:
        rows = []
        for _ in range(count):
            n = next(counter)
            values = dict(zip(COLUMNS, build_row(**overrides)))
            values.pop("id")
            values["receipt_id"] = overrides.get("receipt_id") or f"rcpt{n:020d}"
            values["visitor_id"] = overrides.get("visitor_id") or f"visitor-{n:012d}"
            values["site_id"] = site.id
            rows.append(values)
        db.session.execute(insert(Consent), rows)
        db.session.commit()

    return add


def auth(token: str) -> dict[str, str]:
    """The Authorization header of an API key."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def bearer():
    return auth
