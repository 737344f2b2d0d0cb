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

from ..ledger.row import EXPORT_ORDER, FIELD


Row = Sequence[Any]

# The record's stored fields in the exports' order (ledger.row.EXPORT_ORDER), after the id.
COLUMNS: tuple[str, ...] = ("id", *EXPORT_ORDER)
I_ID = 0
I_RECEIPT = COLUMNS.index("receipt_id")
I_VISITOR = COLUMNS.index("visitor_id")
I_RECORDED = COLUMNS.index("recorded_at")
I_VERSION = COLUMNS.index("policy_version")
I_ACTION = COLUMNS.index("action")
I_CHOICES = COLUMNS.index("choices")
I_LANGUAGE = COLUMNS.index("language")
I_PAGE = COLUMNS.index("page_path")
I_IP = COLUMNS.index("ip_truncated")
I_BROWSER = COLUMNS.index("browser_family")
I_OS = COLUMNS.index("os_family")
I_DEVICE = COLUMNS.index("device_type")
I_COUNTRY = COLUMNS.index("country")
I_GPC = COLUMNS.index("gpc")
I_CLIENT_TS = COLUMNS.index("client_ts")

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
    titles: list[str] = ["id"]
    for name in EXPORT_ORDER:
        if name == "choices":
            titles += [f"purpose:{purpose}" for purpose in purposes]
        else:
            titles.append(FIELD[name].title or name)
    return titles
