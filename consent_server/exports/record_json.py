"""A consent record as a plain JSON object (pure): the shape of the visitor's own exports.

The auditor export's ``format=jsonl`` is the proofs producer
(``consent_server.proofs.proof_export.iter_jsonl_lines``), which adds the seals and
signatures that ``verify`` needs.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ledger.row import EXPORT_ORDER, FIELD
from .records import COLUMNS, Row, timestamp


def _json_time(value: Any) -> str | None:
    return timestamp(value) or None


_AS_JSON: dict[str, Callable[[Any], Any]] = {"timestamp": _json_time, "bool": bool}
# (key, position in the row, conversion or None), in EXPORT_ORDER: the object's key order.
_KEYS = tuple((name, COLUMNS.index(name), _AS_JSON.get(FIELD[name].kind)) for name in EXPORT_ORDER)


def record_dict(row: Row) -> dict[str, Any]:
    """The record as a JSON object (the API's field names, timestamps as RFC 3339 UTC, no value as null)."""
    return {name: row[i] if convert is None else convert(row[i]) for name, i, convert in _KEYS}
