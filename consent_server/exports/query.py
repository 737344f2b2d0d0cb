"""Streaming reads of a site's consent log: Core selects of plain tuples, in id order, in batches.

Memory stays flat whatever the size of the log:

* PostgreSQL: one server-side cursor (``stream_results`` + ``yield_per``) on
  a connection of its own, read a partition at a time.
* SQLite: pages by id (keyset), each page a short read of its own, so no
  read transaction spans the export: the id bounds of the selection come from
  the ``(site_id, recorded_at)`` index, then each page is a range scan on the
  rowid, ``id > last``; one visitor's records page on their own index.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, literal, literal_column, select
from sqlalchemy.engine import Connection, Engine, Row

from ..ledger.row import EXPORT_ORDER, FIELD
from ..models import Consent
from .formula import PREFIX, TRIGGERS
from .records import COLUMNS, DENIED, GRANTED
from .time_sql import leaf_time

BATCH = 5000
_table = Consent.__table__


@dataclass(frozen=True)
class Filters:
    """What part of the log to export; ``to`` is exclusive; ``decision`` needs ``purpose``."""

    start: datetime | None = None
    end: datetime | None = None
    purpose: str | None = None
    decision: str | None = None  # "granted" | "denied" | None (either)
    action: str | None = None
    visitor_id: str | None = None


def _where(stmt: Select, site_id: int, filters: Filters, *, site_index: bool = True) -> Select:
    """Add the filters; ``site_index=False`` hides site_id from SQLite's planner so it walks the rowid."""
    site_col = _table.c.site_id if site_index else _table.c.site_id + 0
    stmt = stmt.where(site_col == site_id)
    if filters.start is not None:
        stmt = stmt.where(_table.c.recorded_at >= filters.start)
    if filters.end is not None:
        stmt = stmt.where(_table.c.recorded_at < filters.end)
    if filters.action is not None:
        stmt = stmt.where(_table.c.action == filters.action)
    if filters.visitor_id is not None:
        stmt = stmt.where(_table.c.visitor_id == filters.visitor_id)
    if filters.purpose is not None:
        decided = _table.c.choices[filters.purpose].as_boolean()
        if filters.decision is None:
            stmt = stmt.where(decided.is_not(None))
        else:
            stmt = stmt.where(decided.is_(filters.decision == "granted"))
    return stmt


def _utc_text(name: str, dialect: str) -> ColumnElement:
    """A timestamp column in leaf form (``time_sql``), formatted by the database; NULL → ''."""
    return func.coalesce(literal_column(leaf_time(f"{_table.name}.{name}", dialect)), "")


def _decision(purpose: str, dialect: str) -> ColumnElement:
    """``granted`` / ``denied`` / ``''`` for one purpose of the record's choices.

    A simple CASE, so the JSON value is extracted once per cell (SQLite's
    json_extract gives 1/0 for true/false; PostgreSQL's ->> gives 'true'/'false').
    """
    if dialect == "sqlite":
        value, whens = func.json_extract(_table.c.choices, f'$."{purpose}"'), {1: GRANTED, 0: DENIED}
    else:
        value, whens = _table.c.choices[purpose].as_string(), {"true": GRANTED, "false": DENIED}
    return case(whens, value=value, else_=literal(""))


# The trigger characters as a GLOB class ("-" last, so it is literal).
_GLOB = "[" + "".join(sorted(TRIGGERS - {"-"})) + "-]*"


def neutralised(column: ColumnElement, dialect: str) -> ColumnElement:
    """``formula.neutralise`` done by the database: same trigger characters, same prefix; NULL → ''.

    SQLite tests the first character with GLOB (an IN list costs it twice as much).
    """
    if dialect == "sqlite":
        dangerous = column.op("GLOB")(literal(_GLOB))
    else:
        dangerous = func.substr(column, 1, 1).in_(sorted(TRIGGERS))
    return func.coalesce(case((dangerous, literal(PREFIX) + column), else_=column), "")


def readable_columns(purposes: Sequence[str], dialect: str) -> list[ColumnElement]:
    """The CSV/XLSX row (``records.header`` order), formatted and neutralised by the database itself.

    Every value a browser can influence (visitor id, page path, user agent and
    what was parsed from it) and the receipt id (it may start with "-") is
    neutralised (``neutralise`` in ``ledger.row``); the others are written by the server from closed sets
    (action, language, truncated network, country, times, decisions).
    """
    def readable(name: str) -> list[ColumnElement]:
        field, column = FIELD[name], _table.c[name]
        if field.kind == "json":  # the choices: one column per purpose
            return [_decision(purpose, dialect) for purpose in purposes]
        if field.kind == "timestamp":
            return [_utc_text(name, dialect)]
        if field.kind == "bool":
            return [case((column.is_(True), literal("true")), else_=literal("false"))]
        if field.neutralise:
            return [neutralised(column, dialect)]
        return [func.coalesce(column, "") if field.nullable else column]

    return [_table.c.id, *(column for name in EXPORT_ORDER for column in readable(name))]


def record_select(
    site_id: int, filters: Filters, *, site_index: bool = True, columns: Sequence[ColumnElement] | None = None
) -> Select:
    """The export's Core select (``records.COLUMNS`` unless ``columns``; id first), filtered, in id order."""
    selected = columns if columns is not None else [_table.c[name] for name in COLUMNS]
    return _where(select(*selected), site_id, filters, site_index=site_index).order_by(_table.c.id)


def iter_batches(
    engine: Engine, site_id: int, filters: Filters, *, batch: int = BATCH, readable: Sequence[str] | None = None
) -> Iterator[list[Row]]:
    """Yield the selected records as lists of at most ``batch`` tuples, oldest first.

    With ``readable`` (the purpose columns), rows are the CSV/XLSX rows of
    ``records.header``; otherwise the record rows of ``records.COLUMNS``.
    """
    columns = None if readable is None else readable_columns(readable, engine.dialect.name)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            yield from _paged(conn, site_id, filters, batch, columns)
        else:
            yield from _streamed(conn, site_id, filters, batch, columns)


def _streamed(conn: Connection, site_id: int, filters: Filters, batch: int, columns) -> Iterator[list[Row]]:
    """One server-side cursor, ``batch`` rows per fetch."""
    streaming = conn.execution_options(stream_results=True, yield_per=batch)
    # Closing the result closes the server-side cursor, also when the client goes away mid-stream.
    with streaming.execute(record_select(site_id, filters, columns=columns)) as result:
        yield from result.partitions(batch)


def _paged(conn: Connection, site_id: int, filters: Filters, batch: int, columns) -> Iterator[list[Row]]:
    """Keyset pages on the id; each page is its own short read."""
    if filters.visitor_id is not None:
        # One visitor: the (site_id, visitor_id, id) index already yields ids in order.
        low, high, site_index = 0, None, True
    else:
        # Bounds from the (site_id, recorded_at) index alone; the other filters apply per page,
        # which walks the rowid (site_id is hidden from the planner so it cannot pick a sort).
        by_time = Filters(start=filters.start, end=filters.end)
        bounds = _where(select(func.min(_table.c.id), func.max(_table.c.id)), site_id, by_time)
        low, high = conn.execute(bounds).one()
        conn.rollback()
        if low is None:
            return
        site_index = False
    base = record_select(site_id, filters, site_index=site_index, columns=columns).limit(batch)
    if high is not None:
        base = base.where(_table.c.id <= high)
    last = low - 1
    while True:
        with conn.execute(base.where(_table.c.id > last)) as result:
            # Readable rows (text and integers) need no result processing: straight from the
            # DBAPI cursor, without SQLAlchemy's Row objects.
            rows = result.cursor.fetchall() if columns is not None else result.all()
        conn.rollback()  # end the read transaction between pages: writers are never held up
        if not rows:
            return
        yield rows
        last = rows[-1][0]
        if len(rows) < batch:
            return
