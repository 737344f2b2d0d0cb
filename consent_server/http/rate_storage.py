"""A `limits` storage in an SQLite file (`sqlite:////path`), so every worker process on a host shares one count.

limits' own `memory://` storage counts in each process: behind gunicorn with W workers a
network got up to W times CONSENT_RATELIMIT. This storage keeps the fixed-window counters
in one small SQLite file next to the instance (CONSENT_INSTANCE_DIR/ratelimit.db by
default) that every worker on the host opens. Each hit is one UPSERT statement, which SQLite
runs atomically under its write lock, so counting is exact across processes and threads.

The counters are not consent data: the file runs in WAL mode with synchronous=OFF, so a hit
never waits for the disk (a power cut may forget the last counts, which only forgives a
network a few requests). Threads of a process take turns on the process's one connection
(a hit holds it for a few microseconds), so only the other processes' writers can make a hit
wait, on SQLite's busy handler. Expired counters are swept at most once a minute per process.

The class registers itself under the scheme "sqlite" by subclassing `limits.storage.Storage`
(limits' documented way to add a storage); importing this module is enough.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

SCHEME = "sqlite"
SWEEP_SECONDS = 60.0
BUSY_TIMEOUT_MS = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

# A window that has run out starts again at `amount`; otherwise the count grows. In the
# DO UPDATE clause the bare column names are the stored row's values (SQLite evaluates every
# SET expression against the row as it was), `excluded` is the row we tried to insert.
INCR = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN excluded.count ELSE count + excluded.count END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING count
"""


def storage_path(uri: str) -> Path:
    """The file an SQLAlchemy-style SQLite URL names: `sqlite:////absolute/path` or `sqlite:///relative/path`."""
    parts = urlsplit(uri)
    if parts.scheme != SCHEME or parts.netloc or len(parts.path) < 2:
        raise ValueError(f"expected {SCHEME}:///path/to/file.db, got {uri!r}")
    return Path(unquote(parts.path[1:])).resolve()


class SQLiteStorage(Storage):
    """Fixed-window counters shared by every process that opens the same SQLite file."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = storage_path(uri or "")
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        # Opened on first use, and again in a forked child: a connection must not cross a fork.
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _sweep(self, connection: sqlite3.Connection, now: float) -> None:
        # Counters of networks that never come back would otherwise stay for good.
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter of `key` (a new window of `expiry` seconds once the last ran out)."""
        now = time.time()
        with self._lock:
            connection = self._connect()
            self._sweep(connection, now)
            row = connection.execute(INCR, {"key": key, "amount": amount, "expires_at": now + expiry,
                                            "now": now}).fetchone()
        return int(row[0])

    def _live(self, key: str) -> tuple[int, float] | None:
        now = time.time()
        with self._lock:
            row = self._connect().execute(
                "SELECT count, expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, now)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        """The count of `key` in its current window (0 when none is running)."""
        live = self._live(key)
        return live[0] if live else 0

    def get_expiry(self, key: str) -> float:
        """When the window of `key` ends (epoch seconds; now when none is running)."""
        live = self._live(key)
        return live[1] if live else time.time()

    def check(self) -> bool:
        """Whether the counter file can be read."""
        try:
            with self._lock:
                self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; the number forgotten."""
        with self._lock:
            return self._connect().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        """Forget the counter of `key`."""
        with self._lock:
            self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))
