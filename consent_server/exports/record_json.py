"""A consent record as a plain JSON object (pure): the shape of the visitor's own exports.

The auditor export's ``format=jsonl`` is the proofs producer
(``consent_server.proofs.proof_export.iter_jsonl_lines``), which adds the seals and
signatures that ``verify`` needs.
"""
from __future__ import annotations

from typing import Any

from .records import (
    I_ACTION,
    I_BROWSER,
    I_BROWSER_MAJOR,
    I_CHOICES,
    I_CLIENT_TS,
    I_COUNTRY,
    I_DEVICE,
    I_GPC,
    I_IP,
    I_LANGUAGE,
    I_OS,
    I_PAGE,
    I_RECEIPT,
    I_RECORDED,
    I_USER_AGENT,
    I_VERSION,
    I_VISITOR,
    Row,
    timestamp,
)

def record_dict(row: Row) -> dict[str, Any]:
    """The record as a JSON object (the API's field names, timestamps as RFC 3339 UTC)."""
    return {
        "receipt_id": row[I_RECEIPT],
        "visitor_id": row[I_VISITOR],
        "recorded_at": timestamp(row[I_RECORDED]),
        "policy_version": row[I_VERSION],
        "action": row[I_ACTION],
        "choices": row[I_CHOICES],
        "language": row[I_LANGUAGE],
        "page_path": row[I_PAGE],
        "ip_truncated": row[I_IP],
        "browser_family": row[I_BROWSER],
        "browser_major": row[I_BROWSER_MAJOR],
        "os_family": row[I_OS],
        "device_type": row[I_DEVICE],
        "country": row[I_COUNTRY],
        "gpc": bool(row[I_GPC]),
        "client_ts": timestamp(row[I_CLIENT_TS]) or None,
        "user_agent": row[I_USER_AGENT],
    }
