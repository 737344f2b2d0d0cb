"""storage.init_app: SQLite's settings and the cache's commit stamps belong to the apps that asked."""
from __future__ import annotations

import os
import sqlite3

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.conftest import PG_URL, test_config
from consent_server import create_app
from consent_server.domain.consents import ROW_COLUMNS, _CURRENT_STATE
from consent_server.extensions import db
from consent_server.models import Consent, Site
from consent_server.storage.sqlite_pragmas import set_pragmas
from consent_server.storage.state_cache import stamps_path
from consent_server.storage.thread_connections import ProcessInsert, ThreadRead

# What the app sets: journal_mode WAL, synchronous FULL (2), foreign keys, secure_delete, a 30 s busy wait.
SETTINGS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "secure_delete": 1, "busy_timeout": 30000}


def _settings(dbapi_connection) -> dict:
    cursor = dbapi_connection.cursor()
    found = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in SETTINGS}
    cursor.close()
    return found


def _every_kind_of_connection(engine) -> dict:
    """The DBAPI connection behind each way the app reaches the database."""
    pooled = engine.raw_connection()
    session_connection = db.session.connection().connection.dbapi_connection
    return {
        "pooled": pooled.dbapi_connection,
        "session": session_connection,
        "thread read": ThreadRead(engine, _CURRENT_STATE).connections.get(),
        "process insert": ProcessInsert(engine, Consent.__table__, ROW_COLUMNS).connections.get(),
    }


def test_every_connection_of_an_sqlite_app_has_the_settings(sqlite_database_url, instance):
    def built_without_them() -> sqlite3.Connection:
        # As some SQLite builds come: secure_delete off (Debian's is on), the rest at SQLite's defaults.
        connection = sqlite3.connect(sqlite_database_url.removeprefix("sqlite:///"), check_same_thread=False)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    app = create_app(test_config(sqlite_database_url, instance,
                                 SQLALCHEMY_ENGINE_OPTIONS={"creator": built_without_them}))
    with app.app_context():
        try:
            for kind, connection in _every_kind_of_connection(db.engine).items():
                assert _settings(connection) == SETTINGS, kind
        finally:
            db.session.remove()
            db.engine.dispose()


def test_an_engine_no_app_asked_for_is_left_alone(app, sqlite_database_url):
    """Another engine in the process (a tool's, another library's) gets neither the settings nor the stamps."""
    other = sa.create_engine(sqlite_database_url)
    try:
        assert not event.contains(other, "connect", set_pragmas)
        with other.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() != 30000  # sqlite3's own 5 s
        # A site committed through a plain session on it stamps nothing beside its file.
        with Session(other) as session:
            session.add(Site(key="not-an-app-site", name="Elsewhere"))
            session.commit()
        assert not os.path.exists(stamps_path(other))
    finally:
        other.dispose()


def test_two_apps_in_one_process_keep_their_own_listeners(app, sqlite_database_url, instance):
    """The suite's app (PostgreSQL with CONSENT_TEST_DATABASE_URL) and an SQLite app: settings only where SQLite."""
    sqlite_app = create_app(test_config(sqlite_database_url, instance))
    with sqlite_app.app_context():
        try:
            assert event.contains(db.engine, "connect", set_pragmas)
            sqlite_engine = db.engine
        finally:
            db.session.remove()
    try:
        assert (db.engine.dialect.name == "sqlite") == event.contains(db.engine, "connect", set_pragmas)
        assert db.engine is not sqlite_engine
        if PG_URL:
            assert not event.contains(db.engine, "connect", set_pragmas)
        with db.engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(Site)) == 0
    finally:
        sqlite_engine.dispose()


def test_init_app_again_attaches_nothing_twice(sqlite_database_url, instance):
    from consent_server import storage

    app = create_app(test_config(sqlite_database_url, instance))
    storage.init_app(app)
    with app.app_context():
        try:
            calls = []
            event.listen(db.engine, "connect", lambda *_: calls.append(1))
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert calls == [1]
        finally:
            db.session.remove()
            db.engine.dispose()
