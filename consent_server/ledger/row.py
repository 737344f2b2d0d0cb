"""The consent record's fields, defined once (pure).

Every place that handles a consent record reads its fields from :data:`FIELDS`:
the insert (``domain.consents.ROW_COLUMNS``), the leaf encoding (``leaf``), the
proof export's lines (``lines``), the sealer, the receipt, and the auditor and
visitor exports (``exports.records``). The table (``models/consents.py``) keeps
its SQLAlchemy columns; tests/models/test_consent_row.py fails if they drift.

:data:`FIELDS` is in leaf order: the fields the leaf holds in clear (after tag,
site, index), then the personal fields in the order of their sealed commitment
(docs/CONTRACTS.md, "Proofs"). The exports show the stored fields in another
order, :data:`EXPORT_ORDER`, which is part of their formats (CSV columns, JSON
keys).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "int", "bool", "timestamp", "json"]


@dataclass(frozen=True)
class Field:
    """One field of a consent record."""

    name: str
    kind: Kind
    # In the leaf only through the salted digest; erased with the visitor.
    personal: bool = False
    nullable: bool = False
    # A column of the consents table (policy_hash comes from the policy version instead).
    stored: bool = True
    # A value the browser can influence (or that may start with "-"): neutralised in spreadsheets.
    neutralise: bool = False
    # The CSV/XLSX column title, where it is not the name.
    title: str | None = None


FIELDS: tuple[Field, ...] = (
    Field("receipt_id", "text", neutralise=True),
    Field("recorded_at", "timestamp", title="recorded_at_utc"),
    Field("policy_version", "int"),
    Field("policy_hash", "text", stored=False),
    Field("choices", "json"),
    Field("action", "text"),
    Field("language", "text"),
    Field("gpc", "bool"),
    Field("client_ts", "timestamp", nullable=True),
    Field("visitor_id", "text", personal=True, neutralise=True),
    Field("page_path", "text", personal=True, nullable=True, neutralise=True),
    Field("ip_truncated", "text", personal=True, nullable=True),
    Field("browser_family", "text", personal=True, nullable=True, neutralise=True, title="browser"),
    Field("browser_major", "text", personal=True, nullable=True, neutralise=True),
    Field("os_family", "text", personal=True, nullable=True, neutralise=True, title="os"),
    Field("device_type", "text", personal=True, nullable=True, neutralise=True),
    Field("country", "text", personal=True, nullable=True),
    Field("user_agent", "text", personal=True, nullable=True, neutralise=True),
)
FIELD: dict[str, Field] = {f.name: f for f in FIELDS}

# The leaf's fields in clear, in leaf order (after tag, site, index).
PUBLIC_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if not f.personal)
# The personal fields, in the order of their sealed commitment.
PERSONAL_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.personal)
# The stored fields in leaf order: a proof export's record line, the sealer's and the receipt's record.
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.stored)
# The columns an insert gives (all but the id): the site, then the record.
INSERT_COLUMNS: tuple[str, ...] = ("site_id", *RECORD_FIELDS)
# The stored fields in the exports' order (CSV and XLSX columns, the visitor export's JSON keys).
EXPORT_ORDER: tuple[str, ...] = (
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
