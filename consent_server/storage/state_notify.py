"""Change stamps of a PostgreSQL database, kept in each worker and moved by the database's notices.

On PostgreSQL the app nodes share nothing but the database, so a worker cannot see another
node's commit in a file as it does on SQLite (state_cache.StateStamps). Instead triggers
(migration 0006_state_notify) send a notice on the channel `consent_state` in every
transaction that writes consents or policy versions, whoever writes them: the server, a CLI
command, SQL typed by hand. PostgreSQL delivers it when that transaction commits, to every
connection listening; each worker listens on one connection of its own, in a thread, and
gives the named visitors' buckets (or every bucket, for '*') a new stamp.

A notice reaches the other nodes within about a millisecond of the commit, but not at the
same instant: for that long, another node may still answer the state it had kept. The
committing worker itself stamps its rows before it answers (state_cache.touch_rows). While
the listening connection is down, the stamps are not `live` and the state cache is bypassed;
after it is back, every kept answer is dropped, since notices sent meanwhile were lost.
"""
from __future__ import annotations

import array
import logging
import threading
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .state_cache import SLOTS, Stamps, bucket, stamps_for
from .thread_connections import fork_count

log = logging.getLogger(__name__)

CHANNEL = "consent_state"
EVERYTHING = "*"


class ListenedStamps(Stamps):
    """The stamps StateCache checks, held in this process and moved by `consent_state` notices.

    The listening thread starts on the first
    `live` check in a process (so in each gunicorn worker, after the fork) and stops when
    the engine is disposed.
    """

    def __init__(self, engine: Engine, poll: float = 1.0, retry_after: float = 1.0) -> None:
        super().__init__()
        # Weak: the engine keeps these stamps (through its dispose hook and the registry), not the reverse.
        self._engine = weakref.ref(engine)
        self._poll = poll
        self._retry_after = retry_after
        self._slots = array.array("Q", bytes(8 * (SLOTS + 1)))
        self._live = False
        self._started: int | None = None  # the fork count of the process whose thread listens
        self._stopped = False
        self._start_lock = threading.Lock()
        event.listen(engine, "engine_disposed", self._stop)

    @property
    def live(self) -> bool:
        """Whether notices are being heard now (starts listening on first use in a process)."""
        if self._started != fork_count():
            self._start()
        return self._live

    def heard(self, payload: str) -> None:
        """Apply one notice: lines of '<site id> <visitor id>', or '*' for every visitor."""
        slots = set()
        for line in payload.split("\n"):
            site_id, _, visitor_id = line.partition(" ")
            if line == EVERYTHING or not site_id.isdigit():
                self.touch_all()
                return
            slots.add(bucket(int(site_id), visitor_id))
        self.touch(slots)

    def _start(self) -> None:
        with self._start_lock:
            generation = fork_count()
            if self._started == generation or self._stopped:
                return
            self._started = generation
            self._live = False  # a forked child has no listener until its own thread hears
            threading.Thread(target=self._listen, args=(generation,), name="consent-state-listener",
                             daemon=True).start()

    def _stop(self, _engine: Engine | None = None) -> None:
        self._stopped = True
        self._live = False

    def _listen(self, generation: int) -> None:
        while not self._stopped and self._started == generation:
            connection: Any = None
            try:
                connection = self._connect()
                connection.execute(f"LISTEN {CHANNEL}")
                # Commits before LISTEN took effect were never heard: nothing kept before is trusted.
                self.touch_all()
                self._live = True
                while not self._stopped and self._started == generation:
                    for notice in connection.notifies(timeout=self._poll):
                        self.heard(notice.payload)
            except Exception as error:  # the database went away or refused: bypass the cache, retry
                if not self._stopped:
                    log.warning("state notices not heard (%s); reading states from the database",
                                type(error).__name__)
            finally:
                self._live = False
                self.touch_all()
                if connection is not None:
                    try:
                        connection.close()
                    except Exception:  # already broken: nothing to release
                        pass
            if not self._stopped:
                time.sleep(self._retry_after)

    def _connect(self) -> Any:
        engine = self._engine()
        if engine is None:  # the app is gone
            self._stop()
            raise RuntimeError("the engine was dropped")
        pooled = engine.raw_connection()
        pooled.detach()  # the listener's own for its life, never returned to the pool
        connection = pooled.dbapi_connection
        connection.autocommit = True
        return connection


def cache_stamps(engine: Engine) -> Stamps | None:
    """The stamps a state cache on `engine` checks: the SQLite stamp file, or (made and kept
    on first call) ListenedStamps on PostgreSQL; None for other databases (no cache)."""
    return stamps_for(engine, make=ListenedStamps if engine.dialect.name == "postgresql" else None)
