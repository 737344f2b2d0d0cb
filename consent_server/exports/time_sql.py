"""A time's leaf form (``ledger.leaf.timestamp``) computed by the database: the one SQL copy of it.

The exports format in Python, except the two that must reach 100,000 rows/s on a million
records: the CSV/XLSX rows (``query.readable_columns``) and the proof export's sealed record
lines (``proof_sql``) are formatted by the database, times included. Measured
(bench/RESULTS.md, "Proof export (JSONL) built by the database", 2026-11-25): the proof export
went from 55,532 (SQLite) and 42,307 (PostgreSQL) rows/s with the lines built in Python to
114,531 and 135,095 with the database building them; the CSV export was already database-
formatted at 104,374 and 108,534 rows/s.

Both use these two functions. :func:`leaf_time` is byte for byte ``timestamp()`` wherever
:func:`leaf_time_covered` holds (tests/exports/test_time_sql.py compares them on both
databases, over microseconds 0 and 999999, years 1, 999, 1000 and 9999 and non-UTC offsets);
where it does not, the proof export builds the line in Python.
"""
from __future__ import annotations


def leaf_time(column: str, dialect: str) -> str:
    """SQL text of ``column``'s time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC); NULL stays NULL."""
    if dialect == "sqlite":
        # SQLAlchemy keeps "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC, always with microseconds) on SQLite.
        return f"(substr({column}, 1, 10) || 'T' || substr({column}, 12) || 'Z')"
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def leaf_time_covered(column: str, dialect: str) -> str:
    """SQL condition: :func:`leaf_time` of ``column`` is exactly ``ledger.leaf.timestamp`` of its value."""
    if dialect == "sqlite":
        return f"(length({column}) = 26 AND substr({column}, 11, 1) = ' ')"
    # to_char's YYYY widens past four digits and years before 1 AD are BC: keep to 1000-9999.
    return f"({column} >= TIMESTAMPTZ '1000-01-01 00:00:00+00' AND {column} < TIMESTAMPTZ '10000-01-01 00:00:00+00')"
