"""SQLite's connection settings, on every connection an app's SQLite engine opens (attached by storage.init_app)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def attach(engine: Engine) -> None:
    """Apply the settings to every connection `engine` opens from now on, if it is SQLite (once per engine)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", set_pragmas):
        event.listen(engine, "connect", set_pragmas)


def set_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    """WAL and full sync on SQLite: readers never block the writer, and a 201 is on disk."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=FULL: a commit is fsynced before we answer, so a 201 survives kill -9
    # and power loss (NORMAL in WAL mode survives a process kill but not power loss).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # secure_delete: a deleted or rewritten row's bytes are zeroed in its page and freed pages
    # are zeroed, so an erased value is not left in the database file (some SQLite builds,
    # Debian's among them, turn it on by default; others do not). The WAL is emptied after an
    # erasure or a purge (disk_erasure.truncate_wal).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
