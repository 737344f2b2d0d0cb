"""Current-state reads answered from a worker's memory, checked against change stamps.

A visitor's state is read again and again (a plugin asks on every page view), and each read
of the database costs thread hand-overs (SQLite releases the GIL three times per read) or a
round trip (PostgreSQL) (bench/RESULTS.md). Each worker process therefore keeps the states it
read, and serves one again only while nothing that could change it was committed since.

On SQLite that is decided by stamps in a small file next to the database, mapped into every
process that opens it (workers, CLI commands): one slot per bucket of (site, visitor), plus
one global slot. After a commit, and before its request is answered:

- the consent committer gives the buckets of the rows it wrote a new stamp;
- any session commit that wrote consents, policy versions, sites or their origins (erasure,
  retention purge, policy publish, a new site or origin, ...) gives the global slot one.

The global slot also guards the per-app lookups of sites (lookup_cache.py): a site or its
origins changed in any process moves it, so every worker forgets what it kept.

A read takes both stamps before it asks the database and files its answer under them; a
later read reuses that answer only if both stamps are unchanged. A commit that lands after
the stamps were taken changes one of them, so no answer older than a completed commit is
ever served. Writes made outside this code (SQL by hand) are covered only by MAX_AGE.

On PostgreSQL the nodes share no file: each worker keeps its stamps in memory and the
database's own notices move them (state_notify.ListenedStamps, same interface), a moment
after the commit on workers other than the committing one.
"""
from __future__ import annotations

import itertools
import mmap
import os
import threading
import time
import weakref
import zlib
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, object_session

from ..models import Consent, PolicyVersion, Site, SiteOrigin
from .thread_connections import beside_sqlite_file, count_forks

# Buckets of (site, visitor). A commit makes the kept answers of its visitors' buckets stale,
# and of every other visitor in them: after 30,000 decisions about other visitors (one bench
# round) a kept answer is still valid with odds exp(-30000/65536) = 63 %; with 4,096 buckets, 0.07 %.
# 512 KiB of stamps per database (a file on SQLite, an array per worker on PostgreSQL).
SLOTS = 65536
_STAMP_BYTES = 8
# Changes made behind the server's back (SQL by hand) show after this many seconds at the latest.
MAX_AGE = 30.0
# About 830 bytes each: at most ~17 MB per worker. More visitors than this within MAX_AGE only cost misses.
MAX_ENTRIES = 20_000
# The tables a current state is read from, and those the per-app site lookups are (lookup_cache.py).
WATCHED = (Consent, PolicyVersion, Site, SiteOrigin)
WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)
_CHANGED = "consent.state_changed"


def bucket(site_id: int, visitor_id: str) -> int:
    """The stamp slot of a (site, visitor): stable across processes, unlike hash()."""
    return 1 + zlib.crc32(f"{site_id}\x00{visitor_id}".encode("utf-8")) % SLOTS


class Stamps:
    """Stamp slots a StateCache checks: slot 0 is global, 1..SLOTS are (site, visitor) buckets.

    `_slots` is any sequence of SLOTS + 1 unsigned 64-bit integers: a view of the shared file
    (StateStamps, SQLite) or an array in the process (state_notify.ListenedStamps, PostgreSQL).
    Storing one is a single C-level assignment, atomic under the GIL.
    """

    _slots: Any
    # False while changes may go unstamped: answers must not be kept or reused then.
    live = True

    def __init__(self) -> None:
        count_forks(_reseed_after_fork)  # stamps written by a forked child never repeat its parent's

    def read(self, slot: int) -> int:
        return self._slots[slot]

    def touch(self, slots: Iterable[int]) -> None:
        """Give each slot a stamp no process has written before."""
        stamp = next_stamp()
        for slot in slots:
            self._slots[slot] = stamp

    def touch_all(self) -> None:
        self.touch((0,))


def stamps_path(engine: Engine) -> str | None:
    """The stamp file of an SQLite database file; None for other databases (no cache)."""
    return beside_sqlite_file(engine, "-state-stamps")


class StateStamps(Stamps):
    """The stamps of an SQLite database file, in a file beside it that every process on the host maps.

    Always live: every commit on the host stamps the file before it is answered.
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        size = (SLOTS + 1) * _STAMP_BYTES
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < size:
                os.ftruncate(descriptor, size)
            mapped = mmap.mmap(descriptor, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(descriptor)  # the mapping stays valid without the descriptor
        # Native byte order: the file is shared by the processes of one host, never moved.
        self._slots = memoryview(mapped).cast("Q")


def _new_sequence() -> Iterator[int]:
    # A random start per process, then counting: stamps never repeat within a process, two
    # processes collide with odds of about 2^-64, and a commit costs no system call for it.
    # itertools.count, not a generator: next() on it is one C call, safe from any thread.
    return itertools.count(int.from_bytes(os.urandom(_STAMP_BYTES), "little"))


_sequence = _new_sequence()


def next_stamp() -> int:
    """The next stamp of this process (64 bits)."""
    return next(_sequence) & 0xFFFF_FFFF_FFFF_FFFF


def _reseed_after_fork() -> None:
    global _sequence
    _sequence = _new_sequence()  # a forked child must not repeat its parent's stamps

_registry: dict[str, StateStamps] = {}
_registry_lock = threading.Lock()
# Stamps kept in memory for an engine (PostgreSQL), made by the `make` given to stamps_for.
_in_memory: weakref.WeakKeyDictionary[Engine, Stamps] = weakref.WeakKeyDictionary()


def stamps_for(engine: Engine, make: Callable[[Engine], Stamps] | None = None) -> Stamps | None:
    """The stamps a state cache on this engine checks: the shared file of an SQLite database (one
    per file and process); else the ones kept for the engine, made once by `make` if given; else
    None (nothing to stamp)."""
    path = stamps_path(engine)
    if path is None:
        found = _in_memory.get(engine)
        if found is None and make is not None:
            with _registry_lock:  # one per engine, even when two threads ask first at once
                found = _in_memory.get(engine)
                if found is None:
                    found = _in_memory[engine] = make(engine)
        return found
    found = _registry.get(path)
    if found is None:
        with _registry_lock:
            found = _registry.setdefault(path, StateStamps(path))
    return found


class StateCache:
    """`read(site_id, visitor_id)` through a worker's remembered answers, valid while their stamps are unchanged."""

    def __init__(self, stamps: Stamps, read: Callable[[int, str], Any], max_entries: int = MAX_ENTRIES) -> None:
        self.stamps = stamps
        self._read = read
        self._max_entries = max_entries
        self._entries: dict[tuple[int, str], tuple[int, int, float, Any]] = {}

    def __call__(self, site_id: int, visitor_id: str) -> Any:
        """The kept answer while it is valid, else `read`'s (then kept under the stamps taken before it)."""
        if not self.stamps.live:  # changes are not being heard (PostgreSQL listener down)
            return self._read(site_id, visitor_id)
        taken = self.stamps_of(site_id, visitor_id)
        hit, row = self.get(site_id, visitor_id, taken)
        if not hit:
            row = self._read(site_id, visitor_id)
            self.put(site_id, visitor_id, taken, row)
        return row

    def stamps_of(self, site_id: int, visitor_id: str) -> tuple[int, int]:
        """Take these before reading the database; file the answer under them with `put`."""
        stamps = self.stamps
        return stamps.read(0), stamps.read(bucket(site_id, visitor_id))

    def get(self, site_id: int, visitor_id: str, current: tuple[int, int]) -> tuple[bool, Any]:
        """(True, row or None) when a still-valid answer is kept; (False, None) otherwise."""
        entry = self._entries.get((site_id, visitor_id))
        if entry is None or (entry[0], entry[1]) != current or time.monotonic() > entry[2]:
            return False, None
        return True, entry[3]

    def put(self, site_id: int, visitor_id: str, taken: tuple[int, int], row: Any) -> None:
        entries = self._entries
        if len(entries) >= self._max_entries:
            # The oldest filed answer goes (dicts keep insertion order).
            try:
                del entries[next(iter(entries))]
            except (StopIteration, KeyError, RuntimeError):
                pass  # another thread emptied or changed it meanwhile: nothing to evict
        entries[(site_id, visitor_id)] = (taken[0], taken[1], time.monotonic() + MAX_AGE, row)


def touch_rows(stamps: Stamps | None, rows: Iterable[dict[str, Any]]) -> None:
    """After committing consent rows (stamps from stamps_for, or None): their visitors' states may have changed."""
    if stamps is not None:
        stamps.touch({bucket(row["site_id"], row["visitor_id"]) for row in rows})


# The engines of apps that asked (storage.init_app): the session and mapper events below are
# registered once per session class and model, and act only for sessions bound to one of these.
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()


def watch(engine: Engine, sessions: Any) -> None:
    """Stamp commits of `sessions` (a scoped session or sessionmaker) on `engine` that change what the caches hold."""
    _watched.add(engine)
    count_forks(_reseed_after_fork)
    for name, listener in (("do_orm_execute", _note_statement), ("after_commit", _stamp_commit),
                           ("after_rollback", _forget_rolled_back)):
        if not event.contains(sessions, name, listener):
            event.listen(sessions, name, listener)
    for model in WATCHED:
        for name in ("after_insert", "after_update", "after_delete"):
            if not event.contains(model, name, _note_row):
                event.listen(model, name, _note_row)


def _note_statement(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE/INSERT statements through the session (erasure, retention purge).
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            mark_changed(state.session)


def mark_changed(session: Session) -> None:
    """Make the session's next commit move the global stamp: every worker's kept states and site lookups go stale.

    ORM writes of the watched tables call it by themselves; call it for any other change of
    what those caches hold (SQL text through the session). Forgotten on rollback.
    """
    session.info[_CHANGED] = True


def _note_row(_mapper: Any, _connection: Any, target: Any) -> None:
    # A watched object inserted, updated or deleted by a flush (a new policy version, a site's origin).
    session = object_session(target)
    if session is not None:
        mark_changed(session)


def _stamp_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine not in _watched:
        return
    stamps = stamps_for(engine)
    if stamps is not None:
        stamps.touch_all()


def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)
