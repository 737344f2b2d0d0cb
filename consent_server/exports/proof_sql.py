"""The proof export's record lines built by the database itself (SQLite and PostgreSQL).

The export writes a million record lines; formatting them in Python was most of
its cost. :func:`record_body_sql` selects, per sealed record in leaf order, the
part of its line after ``"batch":N,`` as text, byte for byte what
``ledger.lines.record_line_row`` gives (tests/proofs/test_proof_sql.py compares
the two on both databases), or NULL when a value is outside what the SQL form
covers (a time that is not in SQLAlchemy's SQLite form or outside years
1000-9999, a non-boolean ``gpc``...): the producer then builds that line in
Python as before.

Strings are JSON-quoted by the database: SQLite's ``json_quote`` and
PostgreSQL's ``to_json(text)`` escape exactly what ``json.dumps(...,
ensure_ascii=False)`` escapes (``"``, ``\\``, and U+0000-U+001F, with the
short forms \\b \\t \\n \\f \\r and lowercase ``\\u00xx`` otherwise). ``choices``
is spliced as the database's JSON text, as the Python path does.
"""
from __future__ import annotations

from functools import cache

from ..ledger.leaf import PERSONAL_FIELDS

# The line's fields after "batch", in order (ledger.lines.RECORD_FIELDS, then the seal data).
_PUBLIC = ("receipt_id", "recorded_at", "policy_version", "choices", "action", "language", "gpc", "client_ts")


def _sqlite_ts(column: str) -> tuple[str, str]:
    """(valid condition, JSON text) of a SQLite timestamp column, as ``proof_export._ts``'s fast path."""
    ok = f"(length({column}) = 26 AND substr({column}, 11, 1) = ' ')"
    return ok, f"""'"' || substr({column}, 1, 10) || 'T' || substr({column}, 12) || 'Z"'"""


def _pg_ts(column: str) -> tuple[str, str]:
    ok = f"({column} >= TIMESTAMPTZ '1000-01-01 00:00:00+00' AND {column} < TIMESTAMPTZ '10000-01-01 00:00:00+00')"
    text = f"""'"' || to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'"""
    return ok, text


@cache
def record_body_sql(dialect: str) -> str:
    """SQL (params :site, :lo, :hi) of rows ``(leaf_index, leaf_hash, recorded_at leaf form, body or NULL)``."""
    sqlite = dialect == "sqlite"
    ts = _sqlite_ts if sqlite else _pg_ts

    def quote(column: str) -> str:
        return f"json_quote({column})" if sqlite else f"coalesce(to_json({column})::text, 'null')"

    recorded_ok, recorded = ts("c.recorded_at")
    client_ok, client = ts("c.client_ts")
    if sqlite:
        checks = [recorded_ok, f"(c.client_ts IS NULL OR {client_ok})", "typeof(c.gpc) = 'integer'",
                  "c.gpc IN (0, 1)", "typeof(c.policy_version) = 'integer'", "typeof(c.choices) = 'text'"]
        gpc = "CASE c.gpc WHEN 1 THEN 'true' ELSE 'false' END"
        version = "c.policy_version"
    else:
        checks = [recorded_ok, f"(c.client_ts IS NULL OR {client_ok})", "c.gpc IS NOT NULL", "c.choices IS NOT NULL",
                  "c.policy_version IS NOT NULL"]
        gpc = "CASE WHEN c.gpc THEN 'true' ELSE 'false' END"
        version = "c.policy_version::text"
    values = {
        "receipt_id": quote("c.receipt_id"), "recorded_at": recorded, "policy_version": version,
        "choices": "c.choices" if sqlite else "c.choices::text", "action": quote("c.action"),
        "language": quote("c.language"), "gpc": gpc,
        "client_ts": f"CASE WHEN c.client_ts IS NULL THEN 'null' ELSE {client} END",
        **{name: quote(f"c.{name}") for name in PERSONAL_FIELDS},
        "salt": quote("l.salt"), "personal_digest": quote("l.personal_digest"), "leaf_hash": quote("l.leaf_hash"),
    }
    # One formatting call per line (printf on SQLite, format on PostgreSQL).
    template = ",".join(f'"{name}":%s' for name in values) + "}"
    body = f"{'printf' if sqlite else 'format'}('{template}', {', '.join(values.values())})"
    recorded_leaf = "substr(c.recorded_at, 1, 10) || 'T' || substr(c.recorded_at, 12) || 'Z'" if sqlite else \
        """to_char(c.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    return (
        f"SELECT l.leaf_index, l.leaf_hash, {recorded_leaf}, CASE WHEN {' AND '.join(checks)} THEN {body} END "
        "FROM consent_leaves l JOIN consents c ON c.id = l.consent_id "
        "WHERE l.site_id = :site AND l.leaf_index >= :lo AND l.leaf_index < :hi ORDER BY l.leaf_index"
    )
