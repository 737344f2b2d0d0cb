"""The proof export: JSON Lines with everything ``consent-server verify`` needs, streamed in constant memory.

``iter_jsonl_lines(site, from_, to)`` yields, one line each (ending in "\\n"):
the header (site, range, public keys, purge checkpoint), every policy version
with its content and hash, then for each sealed batch its leaves in leaf
order (a ``record`` line per consent record in range, an ``erasure`` line per
erasure event, a hash-only ``leaf`` line per record outside the range) and its
signed ``tree_head``; then unsealed records in range (``index`` null), then an
``end`` line with counts. With a range, the export covers the contiguous run
of batches that overlap it, so every root and every link of that run is
checked. Shapes: ``consent_server.ledger.lines`` and docs/CONTRACTS.md ("Proofs").

Reads are pages of a few thousand rows by leaf index (an index range scan on
``(site_id, leaf_index)``), the same on SQLite and PostgreSQL, so memory stays
flat and no read transaction is held open for the whole export. The sealed
record lines are built by the database (``exports.proof_sql``; any line it
cannot build byte for byte is built here), read in a prefetch thread (two
connections taking alternate pages on PostgreSQL) while the previous page is
written; on a million records that took the export from ~55,000 (SQLite) and
~42,000 (PostgreSQL) rows/s to over 100,000 (bench/RESULTS.md).
"""
from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Generator, Iterator
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import String, Text, cast, func, select, text, type_coerce
from sqlalchemy.engine import Engine

from ..exports.prefetch import prefetched
from ..exports.proof_sql import record_body_sql
from ..extensions import db
from ..ledger import lines
from ..ledger.leaf import timestamp
from ..ledger.row import FIELD, RECORD_FIELDS
from ..models import Consent, PolicyVersion, Site
from ..models.seals import ConsentLeaf, Erasure, SealBatch
from .sealing import latest_checkpoint
from .signing import published_keys

PAGE = 5000
READERS = 2
RUN = 1000  # lines joined into one string at most (memory)
_C = Consent.__table__.c
_L = ConsentLeaf.__table__.c
_E = Erasure.__table__.c
_B = SealBatch.__table__.c


def _raw(name: str) -> Any:
    """A record column as the line builder takes it: JSON as text (spliced unparsed), times as the driver gives them."""
    kind = FIELD[name].kind
    if kind == "timestamp":
        return type_coerce(_C[name], String).label(name)
    return cast(_C[name], Text).label(name) if kind == "json" else _C[name]


_RECORD_COLUMNS = tuple(_raw(name) for name in RECORD_FIELDS)
_TIMES = tuple(i for i, name in enumerate(RECORD_FIELDS) if FIELD[name].kind == "timestamp")
_RECORDED = RECORD_FIELDS.index("recorded_at")


def _ts(value: Any) -> str | None:
    """Leaf-form time of a raw timestamp column value (SQLite text in UTC, or a driver datetime)."""
    if value is None:
        return None
    if type(value) is str:
        parsed = datetime.fromisoformat(value)
        return timestamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc))
    return timestamp(value if value.tzinfo else value.replace(tzinfo=timezone.utc))


def _record_row(row: Any) -> list[Any]:
    record = list(row)
    for i in _TIMES:
        record[i] = _ts(record[i])
    return record


def _batch_range(site_id: int, from_: datetime | None, to: datetime | None) -> tuple[int, int] | None:
    """First and last batch number of the export (the contiguous run overlapping the range)."""
    query = select(func.min(_B.batch), func.max(_B.batch)).where(_B.site_id == site_id)
    if from_ is not None:
        query = query.where((_B.last_recorded_at >= from_) | _B.last_recorded_at.is_(None))
    if to is not None:
        query = query.where((_B.first_recorded_at < to) | _B.first_recorded_at.is_(None))
    low, high = db.session.execute(query).one()
    return None if low is None else (low, high)


def _batches(site_id: int, low: int, high: int) -> Iterator[Any]:
    start = low
    while start <= high:
        page = db.session.execute(
            select(_B.batch, _B.first_index, _B.size, _B.head, _B.signature)
            .where(_B.site_id == site_id, _B.batch >= start, _B.batch <= high).order_by(_B.batch).limit(1000)
        ).all()
        if not page:
            return
        yield from page
        start = page[-1].batch + 1


def _record_page(site_id: int, lo: int, hi: int) -> list[Any]:
    """Leaf and record columns of the sealed records with index in ``[lo, hi)`` (the lines built in Python)."""
    return db.session.execute(
        select(_L.leaf_index, _L.leaf_hash, _L.salt, _L.personal_digest, *_RECORD_COLUMNS)
        .join(Consent.__table__, _C.id == _L.consent_id)
        .where(_L.site_id == site_id, _L.leaf_index >= lo, _L.leaf_index < hi)
    ).all()


def _sql_pages(engine: Engine, site_id: int, lo: int, hi: int, step: int) -> Generator[list[Any], None, None]:
    """Pages of ``(index, leaf hash, recorded_at, body)`` built by the database (``exports.proof_sql``).

    Every ``step``-th page from ``lo``. It runs in a prefetch thread on a connection of its own, each
    page a short read of its own, so the database builds the next pages while this one is written.
    """
    statement = text(record_body_sql(engine.dialect.name))
    with engine.connect() as conn:
        while lo < hi:
            rows = conn.execute(statement, {"site": site_id, "lo": lo, "hi": min(lo + PAGE, hi)}).cursor.fetchall()
            conn.rollback()
            yield rows
            lo += PAGE * step


def _leaf_page(site_id: int, lo: int, hi: int, sql_rows: list[Any] | None) -> tuple[bool, list[Any]]:
    """The leaves with index in ``[lo, hi)`` in leaf order: ``(plain, items)``.

    ``plain``: every leaf is a record whose line the database built, and ``items`` are those rows
    as they came; otherwise ``items`` are ``(index, kind, row)``.

    Kinds: "e" erasure (row of erasure columns), "r" record (row of leaf and record columns, line built
    in Python), "s" record whose line the database built (``sql_rows``: index, leaf hash, leaf-form
    recorded_at, body); ``sql_rows`` None builds every line in Python.
    """
    odd: list[int] = []
    if sql_rows is not None:
        odd = [row[0] for row in sql_rows if row[3] is None]
        page = [(row[0], "s", row) for row in sql_rows if row[3] is not None]
        if odd:  # a value the SQL form does not cover (see record_body_sql): built in Python instead
            wanted = set(odd)
            page += [(row[0], "r", row) for row in _record_page(site_id, lo, hi) if row[0] in wanted]
    else:
        page = [(row[0], "r", row) for row in _record_page(site_id, lo, hi)]
    erasures = db.session.execute(
        select(_E.leaf_index, _E.leaf_hash, _E.visitor_hmac, _E.erased_at, _E.records)
        .where(_E.site_id == site_id, _E.leaf_index >= lo, _E.leaf_index < hi)
    ).all()
    if sql_rows is not None and not odd and not erasures:
        return True, sql_rows
    page += [(row[0], "e", row) for row in erasures]
    page.sort(key=_index)
    return False, page


def _index(item: Any) -> int:
    return item[0]


def _in_range(recorded_at: str, from_: str | None, to: str | None) -> bool:
    # Leaf-form times are fixed-width UTC text: they compare as strings.
    return (from_ is None or recorded_at >= from_) and (to is None or recorded_at < to)


def _unsealed(site_id: int, from_: datetime | None, to: datetime | None) -> Iterator[Any]:
    last_id = 0
    while True:
        query = (
            select(_C.id, *_RECORD_COLUMNS).outerjoin(ConsentLeaf.__table__, _L.consent_id == _C.id)
            .where(_C.site_id == site_id, _L.consent_id.is_(None), _C.id > last_id).order_by(_C.id).limit(PAGE)
        )
        if from_ is not None:
            query = query.where(_C.recorded_at >= from_)
        if to is not None:
            query = query.where(_C.recorded_at < to)
        page = db.session.execute(query).all()
        if not page:
            return
        yield from page
        last_id = page[-1].id


def _header(site: Site, from_: datetime | None, to: datetime | None) -> str:
    checkpoint = latest_checkpoint(site.id)
    return lines.header_line(
        site=site.key, generated_at=timestamp(datetime.now(timezone.utc)), from_=timestamp(from_), to=timestamp(to),
        keys=published_keys(),
        checkpoint=None if checkpoint is None else {"statement": json.loads(checkpoint.statement),
                                                    "signature": checkpoint.signature},
    )


def iter_jsonl_lines(
    site: Site, from_: datetime | None = None, to: datetime | None = None, *, sql_lines: bool = True
) -> Iterator[str]:
    """Yield the proof export of ``site`` (records recorded in ``[from_, to)``; None = open) as JSON Lines.

    ``sql_lines``: the database builds the sealed record lines (``exports.proof_sql``); False builds
    every line in Python (the same bytes: the tests compare the two).
    """
    yield _header(site, from_, to) + "\n"
    policies = db.session.execute(
        select(PolicyVersion.version, PolicyVersion.content_hash, PolicyVersion.content)
        .where(PolicyVersion.site_id == site.id).order_by(PolicyVersion.version)
    ).all()
    for version, content_hash, content in policies:
        yield lines.policy_line(version, content_hash, content) + "\n"
    counts = {"records": 0, "erasures": 0, "batches": 0}
    span = _batch_range(site.id, from_, to)
    if span is not None:
        yield from _sealed(site.id, span, from_, to, counts, sql_lines)
    for row in _unsealed(site.id, from_, to):
        counts["records"] += 1
        yield lines.record_line_row(_record_row(row[1:]), index=None, batch=None, salt=None, personal_digest=None,
                                    leaf_hash=None) + "\n"
    for erasure in db.session.scalars(
        select(Erasure).where(Erasure.site_id == site.id, Erasure.batch_id.is_(None)).order_by(Erasure.id)
    ):
        counts["erasures"] += 1
        yield lines.erasure_line(index=None, batch=None, visitor_hmac=erasure.visitor_hmac,
                                 erased_at=timestamp(erasure.erased_at), records=erasure.records, leaf_hash=None) + "\n"
    yield lines.end_line(**counts) + "\n"


def _leaves(site_id: int, lo: int, hi: int, sql_lines: bool) -> Iterator[tuple[bool, list[Any]]]:
    """Every sealed leaf with index in ``[lo, hi)``, in leaf order, in pages (see :func:`_leaf_page`)."""
    # PostgreSQL: two readers on two connections take alternate pages, so two server processes build
    # lines. SQLite: one (its engine runs without the GIL, but a second reader thread only fights for it).
    count = (1 if db.engine.dialect.name == "sqlite" else READERS) if sql_lines else 0
    readers = [prefetched(_sql_pages(db.engine, site_id, lo + n * PAGE, hi, count), depth=1) for n in range(count)]
    try:
        page = 0
        while lo < hi:
            sql_rows = next(readers[page % count]) if readers else None
            yield _leaf_page(site_id, lo, min(lo + PAGE, hi), sql_rows)
            lo += PAGE
            page += 1
    finally:
        for reader in readers:
            reader.close()


def _sealed(site_id: int, span: tuple[int, int], from_, to, counts: dict[str, int], sql_lines: bool) -> Iterator[str]:
    low, high = span
    from_, to = timestamp(from_), timestamp(to)
    lo, hi = db.session.execute(
        select(func.min(_B.first_index), func.max(_B.first_index + _B.size))
        .where(_B.site_id == site_id, _B.batch >= low, _B.batch <= high)
    ).one()
    leaves = _leaves(site_id, lo, hi, sql_lines)
    try:
        yield from _sealed_lines(site_id, low, high, leaves, from_, to, counts)
    finally:
        leaves.close()


def _sealed_lines(site_id: int, low: int, high: int, pages, from_, to, counts: dict[str, int]) -> Iterator[str]:
    plain, page, pos = True, [], 0
    for batch, first_index, size, head, signature in _batches(site_id, low, high):
        end = first_index + size
        # Leaves missing from the database simply do not appear: verify names the gap.
        while True:
            if pos == len(page):
                plain, page = next(pages, (True, None))
                pos = 0
                if page is None:
                    page = []
                    break
                continue
            cut = bisect_left(page, end, pos, min(pos + RUN, len(page)), key=_index)
            if cut == pos:
                break
            yield _run(plain, page[pos:cut], batch, from_, to, counts)
            pos = cut
        counts["batches"] += 1
        yield lines.head_line(json.loads(head), signature) + "\n"


def _run(plain: bool, items: list[Any], batch: int, from_, to, counts: dict[str, int]) -> str:
    """The lines of consecutive leaves of one batch."""
    if plain and from_ is None and to is None:  # the whole log, lines from the database: the common case
        counts["records"] += len(items)
        head, mid = '{"type":"record","index":', f',"batch":{batch},'
        return "".join([f"{head}{row[0]}{mid}{row[3]}\n" for row in items])
    if plain:
        items = [(row[0], "s", row) for row in items]
    return "".join([_leaf_line(kind, row, batch, from_, to, counts) for _, kind, row in items])


def _leaf_line(kind: str, row: Any, batch: int, from_, to, counts: dict[str, int]) -> str:
    if kind == "s":  # index, leaf hash, recorded_at (leaf form), the rest of the line from the database
        if not _in_range(row[2], from_, to):
            return lines.leaf_line(row[0], row[1]) + "\n"
        counts["records"] += 1
        return f'{{"type":"record","index":{row[0]},"batch":{batch},{row[3]}\n'
    if kind == "e":
        counts["erasures"] += 1
        return lines.erasure_line(index=row[0], batch=batch, visitor_hmac=row[2], erased_at=timestamp(row[3]),
                                  records=row[4], leaf_hash=row[1]) + "\n"
    record = _record_row(row[4:])
    if not _in_range(record[_RECORDED], from_, to):
        return lines.leaf_line(row[0], row[1]) + "\n"
    counts["records"] += 1
    return lines.record_line_row(record, index=row[0], batch=batch, salt=row[2], personal_digest=row[3],
                                 leaf_hash=row[1]) + "\n"
