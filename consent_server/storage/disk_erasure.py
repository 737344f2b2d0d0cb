"""Erased means gone from disk: what runs after an erasure or a purge has committed.

SQLite runs with ``secure_delete`` (``storage/sqlite_pragmas.py``): SQLite zeroes the
bytes of a deleted or rewritten row in its page, and zeroes freed pages. In WAL mode,
though, a commit writes whole new page versions to ``<database>-wal`` and leaves the
old versions there: the erased visitor id and page path stay in the WAL until a
checkpoint has copied every page into the database file and the WAL is truncated.
A checkpoint that restarts the WAL without truncating it would leave old frames past
the point where new writes overwrite it, so ``truncate_wal`` truncates it to 0 bytes.

A TRUNCATE checkpoint must wait until no reader still reads an old snapshot out of
the WAL, and while it waits it holds SQLite's write lock. The server's readers are
short (the state read's kept connections run one statement in autocommit, exports read
a page per transaction), so the wait is milliseconds; but the wait is bounded per
attempt so that a long reader (an ad-hoc ``sqlite3`` shell, a backup) never stalls the
consent inserts for long: each attempt waits at most ATTEMPT_MS, holding the
committers' file lock (``thread_connections.writer_lock``) so no consent insert
begins meanwhile, and attempts repeat for up to WAIT seconds.

PostgreSQL keeps an updated or deleted row as a dead tuple until VACUUM; the
erased visitor id also stays in index entries until VACUUM cleans the indexes.
``vacuum_log_tables`` is run by ``consent-server purge`` (docs/proofs.md says when
what runs).
"""
from __future__ import annotations

import logging
import time

from sqlalchemy.engine import Engine

from ..models import Consent
from ..models.seals import ConsentLeaf, Erasure, SealBatch
from .thread_connections import writer_lock, writer_lock_path

log = logging.getLogger(__name__)

ATTEMPT_MS = 200
WAIT = 30.0
PAUSE = 0.02  # between attempts: lets the consent inserts that queued up commit
LOG_TABLES = tuple(model.__tablename__ for model in (Consent, ConsentLeaf, Erasure, SealBatch))


def truncate_wal(engine: Engine, *, wait: float = WAIT) -> bool:
    """SQLite: copy every WAL frame into the database file and truncate the WAL to 0 bytes; False if readers kept it.

    True at once on other databases.
    """
    if engine.dialect.name != "sqlite":
        return True
    deadline = time.monotonic() + wait
    lock = writer_lock_path(engine)
    with engine.connect() as connection:
        usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {ATTEMPT_MS}")
        try:
            while True:
                with writer_lock(lock):
                    busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                if not busy:
                    return True
                if time.monotonic() >= deadline:
                    log.warning("the WAL could not be truncated within %.0f s (a reader kept an old snapshot): "
                                "removed values stay in %s-wal until the next erasure or purge", wait,
                                engine.url.database)
                    return False
                time.sleep(PAUSE)
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")


def vacuum_log_tables(engine: Engine) -> None:
    """PostgreSQL: VACUUM the consent log's tables, indexes included, so erased and purged rows' tuples go.

    Does nothing on other databases.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # INDEX_CLEANUP ON: with few dead tuples VACUUM may skip the indexes, and the
        # (site_id, visitor_id) index entries hold the erased visitor ids.
        connection.exec_driver_sql(f"VACUUM (INDEX_CLEANUP ON) {', '.join(LOG_TABLES)}")
