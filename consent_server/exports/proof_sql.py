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

from ..ledger.row import FIELD, RECORD_FIELDS
from .time_sql import leaf_time, leaf_time_covered


@cache
def record_body_sql(dialect: str) -> str:
    """SQL (params :site, :lo, :hi) of rows ``(leaf_index, leaf_hash, recorded_at leaf form, body or NULL)``."""
    sqlite = dialect == "sqlite"

    def quote(column: str) -> str:
        return f"json_quote({column})" if sqlite else f"coalesce(to_json({column})::text, 'null')"

    checks: list[str] = []

    def value(name: str) -> str:
        """The JSON text of one record field, per its kind; adds the checks that the form covers its value."""
        field, column = FIELD[name], f"c.{name}"
        if field.kind == "text":
            return quote(column)
        if field.kind == "timestamp":
            covered, text = leaf_time_covered(column, dialect), f"""'"' || {leaf_time(column, dialect)} || '"'"""
            if not field.nullable:
                checks.append(covered)
                return text
            checks.append(f"({column} IS NULL OR {covered})")
            return f"CASE WHEN {column} IS NULL THEN 'null' ELSE {text} END"
        if sqlite:
            checks.append({"int": f"typeof({column}) = 'integer'", "json": f"typeof({column}) = 'text'",
                           "bool": f"typeof({column}) = 'integer' AND {column} IN (0, 1)"}[field.kind])
            return f"CASE {column} WHEN 1 THEN 'true' ELSE 'false' END" if field.kind == "bool" else column
        checks.append(f"{column} IS NOT NULL")
        return f"CASE WHEN {column} THEN 'true' ELSE 'false' END" if field.kind == "bool" else f"{column}::text"

    values = {name: value(name) for name in RECORD_FIELDS}
    values.update({"salt": quote("l.salt"), "personal_digest": quote("l.personal_digest"),
                   "leaf_hash": quote("l.leaf_hash")})
    # One formatting call per line (printf on SQLite, format on PostgreSQL).
    template = ",".join(f'"{name}":%s' for name in values) + "}"
    body = f"{'printf' if sqlite else 'format'}('{template}', {', '.join(values.values())})"
    return (
        f"SELECT l.leaf_index, l.leaf_hash, {leaf_time('c.recorded_at', dialect)}, "
        f"CASE WHEN {' AND '.join(checks)} THEN {body} END "
        "FROM consent_leaves l JOIN consents c ON c.id = l.consent_id "
        "WHERE l.site_id = :site AND l.leaf_index >= :lo AND l.leaf_index < :hi ORDER BY l.leaf_index"
    )
