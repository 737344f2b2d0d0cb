"""ThreadRead: a prebuilt SELECT on a per-thread autocommit connection gives what SQLAlchemy's execute gives."""
from __future__ import annotations

import threading
from datetime import timezone

import pytest
from sqlalchemy import bindparam, select, text

from consent_server.consents import new_receipt_id
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.thread_reads import ThreadRead
from tests.test_group_commit import row

CONSENTS = Consent.__table__
LATEST = (select(CONSENTS.c.choices, CONSENTS.c.action, CONSENTS.c.receipt_id, CONSENTS.c.recorded_at,
                 CONSENTS.c.gpc, CONSENTS.c.client_ts)
          .where(CONSENTS.c.site_id == bindparam("site_id"), CONSENTS.c.visitor_id == bindparam("visitor_id"))
          .order_by(CONSENTS.c.id.desc()).limit(1))


@pytest.fixture
def stored(app, site) -> dict:
    """One committed consent row with unicode choices, as the API writes it."""
    values = row(site.id) | {"choices": {"necessary": True, "analytics": False, "åäö ✓": True}, "gpc": True}
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
    assert len(reader._open) == 1
    other = threading.Thread(target=reader.first, kwargs=params)
    other.start()
    other.join()
    assert len(reader._open) == 2
    db.session.remove()  # as the app fixture does: the session's connection goes back before dispose
    db.engine.dispose()
    assert reader._open == []
    # Still usable after dispose (a new connection for this thread), and it sees new rows.
    newer = row(site.id) | {"visitor_id": stored["visitor_id"], "receipt_id": new_receipt_id()}
    with db.engine.begin() as connection:
        connection.execute(CONSENTS.insert(), newer)
    assert reader.first(**params)["receipt_id"] == newer["receipt_id"]
    assert len(reader._open) == 1


def test_a_dropped_connection_is_replaced_on_the_next_read(app, site, stored):
    reader = ThreadRead(db.engine, LATEST)
    params = {"site_id": site.id, "visitor_id": stored["visitor_id"]}
    assert reader.first(**params) is not None
    (connection,) = reader._open
    if db.engine.dialect.name == "postgresql":
        # The server ends the backend, as a PostgreSQL restart or an idle timeout would.
        backend = connection.info.backend_pid
        with db.engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar() is True
    else:
        connection.close()
    assert reader.first(**params)["receipt_id"] == stored["receipt_id"]
    assert reader._open and reader._open[0] is not connection


def test_an_error_that_is_not_a_disconnect_reaches_the_caller(app, site):
    broken = select(CONSENTS.c.id).where(CONSENTS.c.site_id == bindparam("site_id")).where(
        text("no_such_column = 1"))
    reader = ThreadRead(db.engine, broken)
    with pytest.raises(db.engine.dialect.loaded_dbapi.Error):
        reader.first(site_id=site.id)
    assert reader._open == []  # the failed connection is not kept
