"""The consent row is defined once (ledger/row.py): the table, the leaf order and the exports agree with it."""
from __future__ import annotations

import sqlalchemy as sa

from consent_server.domain.consents import ROW_COLUMNS
from consent_server.ledger import row
from consent_server.models import Consent
from consent_server.models.types import UTCDateTime

KIND_TYPES = {"text": sa.String, "int": sa.Integer, "bool": sa.Boolean, "timestamp": UTCDateTime, "json": sa.JSON}


def test_the_table_has_exactly_the_stored_fields():
    columns = {c.name: c for c in Consent.__table__.columns}
    assert set(columns) - {"id"} == set(row.INSERT_COLUMNS) == set(ROW_COLUMNS)
    assert "policy_hash" not in columns
    for field in row.FIELDS:
        if not field.stored:
            continue
        column = columns[field.name]
        assert isinstance(column.type, KIND_TYPES[field.kind]), (field.name, column.type)
        assert column.nullable == field.nullable, field.name


def test_the_leaf_order_is_the_published_one():
    # docs/CONTRACTS.md ("Proofs"): reordering row.FIELDS would change every leaf hash.
    assert row.PUBLIC_FIELDS == ("receipt_id", "recorded_at", "policy_version", "policy_hash", "choices", "action",
                                 "language", "gpc", "client_ts")
    assert row.PERSONAL_FIELDS == ("visitor_id", "page_path", "ip_truncated", "browser_family", "browser_major",
                                   "os_family", "device_type", "country", "user_agent")


def test_the_export_order_holds_every_stored_field_once():
    assert sorted(row.EXPORT_ORDER) == sorted(row.RECORD_FIELDS)
    assert len(set(row.EXPORT_ORDER)) == len(row.EXPORT_ORDER)
