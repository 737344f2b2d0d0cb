"""The database's leaf form of a time (exports/time_sql.py) is byte for byte ledger.leaf.timestamp, where it is used."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from consent_server.exports.query import Filters, iter_batches
from consent_server.exports.records import header
from consent_server.exports.time_sql import leaf_time, leaf_time_covered
from consent_server.extensions import db
from consent_server.ledger.leaf import timestamp

UTC = timezone.utc
AWKWARD = [
    datetime(2026, 11, 1, 12, 30, 5, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 12, 30, 5, 999999, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, 0, 0, tzinfo=UTC),
    datetime(1, 1, 1, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1000, 1, 1, 0, 0, 0, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    # Non-UTC offsets, crossing a day, a year and the 1000 boundary once in UTC.
    datetime(2026, 3, 29, 1, 30, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2025, 12, 31, 20, 0, 0, 500000, tzinfo=timezone(timedelta(hours=-8))),
    datetime(1000, 1, 1, 0, 30, 0, 0, tzinfo=timezone(timedelta(hours=1))),
]


def _formatted(site) -> list[tuple[str, str | None, bool, str | None]]:
    """(receipt id, recorded_at and client_ts in leaf form by the database, covered) per record, oldest first."""
    dialect = db.engine.dialect.name
    rows = db.session.execute(sa.text(
        f"SELECT receipt_id, {leaf_time('consents.recorded_at', dialect)}, "
        f"CASE WHEN {leaf_time_covered('consents.recorded_at', dialect)} THEN 1 ELSE 0 END, "
        f"{leaf_time('consents.client_ts', dialect)} FROM consents WHERE site_id = :site ORDER BY id"
    ), {"site": site.id}).all()
    db.session.rollback()
    return [(r[0], r[1], bool(r[2]), r[3]) for r in rows]


@pytest.mark.parametrize("value", AWKWARD, ids=lambda v: v.isoformat())
def test_sql_leaf_time_is_the_python_one(app, site, add_records, value):
    add_records(site, recorded_at=value, client_ts=value)
    [(_, recorded, covered, client)] = _formatted(site)
    expected = timestamp(value)
    if 1000 <= value.astimezone(UTC).year:
        assert covered, (value, recorded)  # the fast path takes every time from year 1000 on
    if covered:
        assert recorded == expected and client == expected


def test_null_stays_null(app, site, add_records):
    add_records(site, client_ts=None)
    [(_, _, covered, client)] = _formatted(site)
    assert covered and client is None


def test_csv_times_are_the_python_ones(app, site, add_records):
    covered = [v for v in AWKWARD if v.astimezone(UTC).year >= 1000]
    for value in covered:
        add_records(site, recorded_at=value, client_ts=value)
    add_records(site, client_ts=None)
    columns = header([])
    rows = [row for batch in iter_batches(db.engine, site.id, Filters(), readable=[]) for row in batch]
    times = [(row[columns.index("recorded_at_utc")], row[columns.index("client_ts")]) for row in rows]
    assert times[:-1] == [(timestamp(v), timestamp(v)) for v in covered]
    assert times[-1][1] == ""
