"""ThreadRead and ProcessInsert: prebuilt statements on kept connections behave as SQLAlchemy's execute."""
from __future__ import annotations

import os
import threading
from datetime import timezone

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from consent_server.domain.consents import ROW_COLUMNS, ClientFacts, new_receipt_id, record_consent
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.models.types import utcnow
from consent_server.storage.thread_connections import ProcessInsert, ThreadRead
from tests.builders import consent_row

CONSENTS = Consent.__table__
LATEST = (select(CONSENTS.c.choices, CONSENTS.c.action, CONSENTS.c.receipt_id, CONSENTS.c.recorded_at,
                 CONSENTS.c.gpc, CONSENTS.c.client_ts)
          .where(CONSENTS.c.site_id == bindparam("site_id"), CONSENTS.c.visitor_id == bindparam("visitor_id"))
          .order_by(CONSENTS.c.id.desc()).limit(1))


@pytest.fixture
def stored(app, site) -> dict:
    """One committed consent row with unicode choices, as the API writes it."""
    values = consent_row(site.id) | {"choices": {"necessary": True, "analytics": False, "åäö ✓": True}, "gpc": True}
    with db.engine.begin() as connection:
        connection.execute(CONSENTS.insert(), values)
    return values


def test_first_gives_the_values_sqlalchemy_gives(app, site, stored):
    reader = ThreadRead(db.engine, LATEST)
    params = {"site_id": site.id, "visitor_id": stored["visitor_id"]}
    with db.engine.connect() as connection:
        expected = connection.execute(LATEST, params).one()._asdict()
    got = reader.first(**params)
    assert got == expected
    assert got["choices"] == {"necessary": True, "analytics": False, "åäö ✓": True}
    assert got["recorded_at"].tzinfo == timezone.utc and got["recorded_at"] == stored["recorded_at"]
    assert got["gpc"] is True and got["client_ts"] is None
    assert reader.first(site_id=site.id, visitor_id="n" * 20) is None
    assert reader.first(site_id=site.id + 1, visitor_id=stored["visitor_id"]) is None


def test_each_thread_keeps_one_connection_and_dispose_closes_them(app, site, stored):
    reader = ThreadRead(db.engine, LATEST)
    params = {"site_id": site.id, "visitor_id": stored["visitor_id"]}
    for _ in range(3):
        assert reader.first(**params)["receipt_id"] == stored["receipt_id"]
    assert len(reader.connections.open) == 1
    other = threading.Thread(target=reader.first, kwargs=params)
    other.start()
    other.join()
    assert len(reader.connections.open) == 2
    db.session.remove()  # as the app fixture does: the session's connection goes back before dispose
    db.engine.dispose()
    assert reader.connections.open == []
    # Still usable after dispose (a new connection for this thread), and it sees new rows.
    newer = consent_row(site.id) | {"visitor_id": stored["visitor_id"], "receipt_id": new_receipt_id()}
    with db.engine.begin() as connection:
        connection.execute(CONSENTS.insert(), newer)
    assert reader.first(**params)["receipt_id"] == newer["receipt_id"]
    assert len(reader.connections.open) == 1


def test_a_forked_child_makes_its_own_connection(app, site, stored):
    """gunicorn forks workers: a connection made before the fork belongs to the parent."""
    reader = ThreadRead(db.engine, LATEST)
    params = {"site_id": site.id, "visitor_id": stored["visitor_id"]}
    assert reader.first(**params)
    parents = reader.connections.get()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports and leaves without running any cleanup of the parent's
        fresh = reader.connections.get() is not parents
        found = reader.first(**params)["receipt_id"] == stored["receipt_id"]
        os.write(write_end, b"ok" if fresh and found else b"no")
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    assert os.read(read_end, 2) == b"ok"
    os.close(read_end)
    assert reader.connections.get() is parents  # the parent keeps its own


def test_a_dropped_connection_is_replaced_on_the_next_read(app, site, stored):
    reader = ThreadRead(db.engine, LATEST)
    params = {"site_id": site.id, "visitor_id": stored["visitor_id"]}
    assert reader.first(**params) is not None
    (connection,) = reader.connections.open
    if db.engine.dialect.name == "postgresql":
        # The server ends the backend, as a PostgreSQL restart or an idle timeout would.
        backend = connection.info.backend_pid
        with db.engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar() is True
    else:
        connection.close()
    assert reader.first(**params)["receipt_id"] == stored["receipt_id"]
    assert reader.connections.open and reader.connections.open[0] is not connection


def test_an_error_that_is_not_a_disconnect_reaches_the_caller(app, site):
    broken = select(CONSENTS.c.id).where(CONSENTS.c.site_id == bindparam("site_id")).where(
        text("no_such_column = 1"))
    reader = ThreadRead(db.engine, broken)
    with pytest.raises(DBAPIError) as raised:  # SQLAlchemy's exception, as from execute
        reader.first(site_id=site.id)
    assert isinstance(raised.value.orig, db.engine.dialect.loaded_dbapi.Error)
    assert reader.connections.open == []  # the failed connection is not kept


def test_insert_many_stores_what_a_core_insert_stores(app, site):
    inserter = ProcessInsert(db.engine, CONSENTS, ROW_COLUMNS)
    values = consent_row(site.id) | {"choices": {"necessary": True, "åäö ✓": False}, "gpc": True, "client_ts": utcnow(),
                             "page_path": "/köp", "ip_truncated": "2001:db8::/48", "user_agent": "UA \u2028"}
    reference = values | {"receipt_id": new_receipt_id()}
    inserter.insert_many([values])
    with db.engine.begin() as connection:
        connection.execute(CONSENTS.insert(), reference)
    with db.engine.connect() as connection:
        stored = {r.receipt_id: r._asdict() for r in connection.execute(select(CONSENTS))}
    ours, theirs = stored[values["receipt_id"]], stored[reference["receipt_id"]]
    for stored_row in (ours, theirs):
        stored_row.pop("id"), stored_row.pop("receipt_id")
    assert ours == theirs
    assert ours["choices"] == {"necessary": True, "åäö ✓": False} and ours["recorded_at"] == values["recorded_at"]
    if db.engine.dialect.name == "sqlite":  # the same text on disk as SQLAlchemy writes
        with db.engine.connect() as connection:
            raw = connection.exec_driver_sql("SELECT recorded_at, choices, gpc FROM consents ORDER BY id").all()
        assert raw[0] == raw[1]


def test_a_batch_is_one_statement_that_stores_every_row_as_given(app, site):
    inserter = ProcessInsert(db.engine, CONSENTS, ROW_COLUMNS)
    batch = [consent_row(site.id) | {"visitor_id": f"batch-visitor-{n:06d}", "choices": {"necessary": True, "ads": n % 2 == 0},
                             "gpc": n % 3 == 0, "page_path": f"/p/{n}", "client_ts": None if n % 2 else utcnow()}
             for n in range(7)]
    inserter.insert_many(batch)
    assert inserter.statement(7).count("VALUES") == 1
    with db.engine.connect() as connection:
        stored = {r.receipt_id: r._asdict() for r in connection.execute(select(CONSENTS))}
    assert len(stored) == 7
    for given in batch:
        kept = stored[given["receipt_id"]]
        assert {name: kept[name] for name in ROW_COLUMNS} == {
            name: given[name] for name in ROW_COLUMNS}, given["visitor_id"]


def test_a_failed_batch_commits_none_of_its_rows(app, site):
    inserter = ProcessInsert(db.engine, CONSENTS, ROW_COLUMNS)
    taken = consent_row(site.id)
    inserter.insert_many([taken])
    personal = {"visitor_id": "visitor-in-no-log", "page_path": "/path-in-no-log", "ip_truncated": "198.51.100.0/24"}
    batch = [consent_row(site.id) | personal | {"receipt_id": taken["receipt_id"]}, consent_row(site.id), consent_row(site.id)]
    with pytest.raises(IntegrityError) as refused:
        inserter.insert_many(batch)
    # The message (logged with a traceback) names the statement, not its values. (PostgreSQL's
    # own detail still names the duplicate key, a random receipt id.)
    assert not any(value in str(refused.value) for value in personal.values())
    fine = consent_row(site.id)
    inserter.insert_many([fine])  # the connection is usable again
    with db.engine.connect() as connection:
        receipts = set(connection.scalars(select(CONSENTS.c.receipt_id)))
    assert receipts == {taken["receipt_id"], fine["receipt_id"]}


def test_the_committer_inserts_exactly_the_row_record_consent_builds(app, site):
    captured: list[dict] = []
    record_consent(write=captured.append, site_id=site.id, visitor_id="v" * 20, policy_version=1,
                   choices={"analytics": True}, action="custom", language="sv", page_path="/", client_ts=None,
                   client=ClientFacts(ip_truncated=None, country=None, user_agent=None, raw_user_agent=None, gpc=False))
    assert tuple(captured[0]) == ROW_COLUMNS
    with db.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(CONSENTS)) == 0


def test_a_defaulted_column_left_out_is_refused_at_start(app):
    with pytest.raises(ValueError):
        ProcessInsert(db.engine, CONSENTS, [c for c in ROW_COLUMNS if c != "recorded_at"])
