"""The row shapes the export writers read (pure).

Record rows: the streaming query selects exactly :data:`COLUMNS`, in this
order, as plain tuples (no ORM objects); the JSON writers index them by the
``I_*`` positions below. Readable rows (CSV, XLSX) follow :func:`header`.
Keeping the shapes here lets the writers be tested without a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any


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
    """Column titles of the readable formats (CSV, XLSX): one column per purpose, ``purpose:<name>``.

    ``query.readable_select`` produces rows in exactly this order, already as
    text (``granted``/``denied``/``""`` per purpose, RFC 3339 times, ``""``
    for NULL) except ``id`` and ``policy_version``, which stay integers: the
    database does that formatting in C, which is what makes 100,000 rows/s
    possible; Python only neutralises formulas and writes.
    """
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
