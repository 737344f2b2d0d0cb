"""Erased and purged values leave the database's storage: SQLite's files, PostgreSQL's tuples and index entries.

The served DELETE is in tests/serving/test_erasure_on_disk.py (a real gunicorn under load).
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from consent_server.cli.purge import purge_command
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.types import utcnow
from tests.builders import visitor_id
from tests.servers import PG_URL

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own storage")
postgresql_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's own storage")


def _visitor_records(log, *, expired: bool = False) -> tuple[str, str]:
    """Two sealed records of one visitor on one unique page (older than retention if `expired`): (visitor, page)."""
    visitor, page = visitor_id(), f"/kassa-{secrets.token_hex(8)}"
    receipts = log.post(2, visitor_id=visitor, page_url=f"https://shop.example{page}")
    if expired:
        db.session.execute(sa.update(Consent).where(Consent.receipt_id.in_(receipts))
                           .values(recorded_at=utcnow() - timedelta(days=3700)))
        db.session.commit()
    log.seal()
    return visitor, page


def _sqlite_files_holding(values: list[str]) -> dict[str, list[str]]:
    main = Path(db.engine.url.database)
    found = {}
    for path in (main, Path(f"{main}-wal"), Path(f"{main}-shm")):
        content = path.read_bytes() if path.exists() else b""
        hits = [value for value in values if value.encode("utf-8") in content]
        if hits:
            found[path.name] = hits
    return found


@sqlite_only
def test_purge_leaves_no_purged_values_in_the_sqlite_files(app, site, signed, log, runner):
    visitor, page = _visitor_records(log, expired=True)
    log.post(1)
    log.seal()
    assert _sqlite_files_holding([visitor, page])  # the check sees them
    db.session.close()
    result = runner.invoke(purge_command, [])
    assert result.exit_code == 0, result.output
    assert "removed 1 batches, 2 records" in result.output
    assert _sqlite_files_holding([visitor, page]) == {}


def _pg_holding(value: str) -> dict[str, int]:
    """Tuples of the log's tables and entries of their indexes whose bytes contain `value` (pageinspect)."""
    tables = ("consents", "consent_leaves", "erasures")
    found = {}
    with db.engine.connect() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        connection.commit()
        needle = {"v": value.encode("utf-8")}
        for table in tables:
            found[table] = connection.execute(sa.text(
                "SELECT count(*) FROM generate_series(0, pg_relation_size(CAST(:t AS regclass)) / 8192 - 1) AS page, "
                "heap_page_items(get_raw_page(CAST(:t AS text), page::int)) AS item "
                "WHERE position(:v IN coalesce(item.t_data, ''::bytea)) > 0"), {"t": table, **needle}).scalar()
            for index in connection.execute(sa.text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table}).scalars():
                # Page 0 of a B-tree is its meta page.
                found[index] = connection.execute(sa.text(
                    "SELECT count(*) FROM generate_series(1, pg_relation_size(CAST(:i AS regclass)) / 8192 - 1) AS page, "
                    "bt_page_items(get_raw_page(CAST(:i AS text), page::int)) AS item "
                    "WHERE position(:v IN decode(replace(item.data, ' ', ''), 'hex')) > 0"),
                    {"i": index, **needle}).scalar()
        connection.rollback()
    return {name: count for name, count in found.items() if count}


@postgresql_only
def test_purge_vacuums_away_the_tuples_an_erasure_left(app, client, site, signed, log, runner, owner_key):
    visitor, page = _visitor_records(log)
    erased = client.delete(f"/api/v1/sites/shop/visitors/{visitor}", headers={"Authorization": f"Bearer {owner_key}"})
    assert erased.status_code == 200, erased.get_json()
    db.session.close()
    assert _pg_holding(visitor) and _pg_holding(page)  # dead tuples and index entries until VACUUM
    result = runner.invoke(purge_command, [])  # nothing is past retention: the VACUUM runs anyway
    assert result.exit_code == 0, result.output
    assert "removed 0 batches" in result.output
    assert (_pg_holding(visitor), _pg_holding(page)) == ({}, {})


@postgresql_only
def test_purge_vacuums_away_the_purged_tuples(app, site, signed, log, runner):
    visitor, page = _visitor_records(log, expired=True)
    log.post(1)
    log.seal()
    db.session.close()
    result = runner.invoke(purge_command, [])
    assert result.exit_code == 0, result.output
    assert "removed 1 batches, 2 records" in result.output
    assert (_pg_holding(visitor), _pg_holding(page)) == ({}, {})
