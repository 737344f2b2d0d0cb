"""The row shape every export writer reads, and the flat cells of the readable formats (pure).

The streaming query selects exactly :data:`COLUMNS` from the consent log, in
this order, as plain tuples (no ORM objects): writers index them by the
``I_*`` positions below. Keeping the shape here lets the writers be tested
without a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from .formula import neutralise

Row = Sequence[Any]

COLUMNS: tuple[str, ...] = (
    "id",
    "receipt_id",
    "visitor_id",
    "recorded_at",
    "policy_version",
    "action",
    "choices",
    "language",
    "page_path",
    "ip_truncated",
    "browser_family",
    "browser_major",
    "os_family",
    "device_type",
    "country",
    "gpc",
    "client_ts",
    "user_agent",
)
(
    I_ID,
    I_RECEIPT,
    I_VISITOR,
    I_RECORDED,
    I_VERSION,
    I_ACTION,
    I_CHOICES,
    I_LANGUAGE,
    I_PAGE,
    I_IP,
    I_BROWSER,
    I_BROWSER_MAJOR,
    I_OS,
    I_DEVICE,
    I_COUNTRY,
    I_GPC,
    I_CLIENT_TS,
    I_USER_AGENT,
) = range(len(COLUMNS))

# The columns after the purposes in CSV/XLSX, in order.
_TAIL = (I_LANGUAGE, I_PAGE, I_IP, I_BROWSER, I_BROWSER_MAJOR, I_OS, I_DEVICE, I_COUNTRY)
GRANTED = "granted"
DENIED = "denied"


def timestamp(value: datetime | None) -> str:
    """RFC 3339 UTC text with a ``Z`` (``""`` for no value); ``value`` must be timezone-aware UTC."""
    if value is None:
        return ""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def purpose_columns(purpose_lists: Iterable[Sequence[str]]) -> list[str]:
    """Union of the purposes of several policy versions, first-seen order (banner order)."""
    seen: dict[str, None] = {}
    for purposes in purpose_lists:
        for purpose in purposes:
            seen.setdefault(purpose, None)
    return list(seen)


def header(purposes: Sequence[str]) -> list[str]:
    """Column titles of the readable formats: one column per purpose, ``purpose:<name>``."""
    return [
        "id",
        "receipt_id",
        "visitor_id",
        "recorded_at_utc",
        "policy_version",
        "action",
        *(f"purpose:{purpose}" for purpose in purposes),
        "language",
        "page_path",
        "ip_truncated",
        "browser",
        "browser_major",
        "os",
        "device_type",
        "country",
        "gpc",
        "client_ts",
        "user_agent",
    ]


def decision(choices: dict[str, bool] | None, purpose: str) -> str:
    """``granted``, ``denied`` or ``""`` when the record's version had no such purpose."""
    if not choices or purpose not in choices:
        return ""
    return GRANTED if choices[purpose] else DENIED


def text(value: Any) -> str:
    """A text cell: ``""`` for NULL, formula-neutralised otherwise."""
    if value is None:
        return ""
    return neutralise(value if isinstance(value, str) else str(value))


def flat_cells(row: Row, purposes: Sequence[str]) -> list[Any]:
    """One readable row: ``id`` and ``policy_version`` stay ints, every other value is neutralised text."""
    choices = row[I_CHOICES]
    return [
        row[I_ID],
        text(row[I_RECEIPT]),
        text(row[I_VISITOR]),
        timestamp(row[I_RECORDED]),
        row[I_VERSION],
        text(row[I_ACTION]),
        *[decision(choices, purpose) for purpose in purposes],
        *[text(row[i]) for i in _TAIL],
        "true" if row[I_GPC] else "false",
        timestamp(row[I_CLIENT_TS]),
        text(row[I_USER_AGENT]),
    ]
