"""Lookups a worker keeps per app (sites, policy versions), never a miss, dropped when a commit may change them.

Every consent POST, state read and snippet request looks up its site, and a POST its policy
version's purposes. Each app (so each database) keeps its own LookupCache in
`app.extensions` (`extensions.per_app`), so two apps in one process never share answers.
Two rules keep an answer right:

- A miss (`load` gives None: no such site, no such version *yet*) is never kept: the next
  request asks the database again, and sees a version or site created meanwhile.
- With `stamps` (the database's change stamps, state_cache.py), a kept answer is served only
  while the global stamp is the one taken before it was loaded. Any commit that writes a
  site, its origins or a policy version moves that stamp, on SQLite before the commit is
  answered (a file every process on the host maps), on PostgreSQL as soon as the database's
  notice reaches the worker (state_notify.py, triggers of migrations 0006 and 0008). While
  notices are not heard, nothing is served from memory. Without stamps, answers are kept for
  good: for rows that never change (published policy versions).
"""
from __future__ import annotations

import time
from typing import Callable, Generic, Hashable, TypeVar

from sqlalchemy.engine import Engine

from .state_cache import MAX_AGE, Stamps
from .state_notify import cache_stamps

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_ENTRIES = 4096


class LookupCache(Generic[K, V]):
    """`cache(key)`: `load(key)` through this worker's kept answers; a None is returned, never kept."""

    def __init__(self, load: Callable[[K], V | None], stamps: Stamps | None = None,
                 max_entries: int = MAX_ENTRIES) -> None:
        self._load = load
        self.stamps = stamps
        self._max_entries = max_entries
        # key -> (global stamp when loaded, time after which it is loaded again, value)
        self._entries: dict[K, tuple[int, float, V]] = {}

    def __call__(self, key: K) -> V | None:
        stamps = self.stamps
        if stamps is None:
            taken, expires = 0, float("inf")  # immutable rows: kept for good
        elif not stamps.live:  # changes are not being heard (PostgreSQL listener down)
            return self._load(key)
        else:
            taken, expires = stamps.read(0), time.monotonic() + MAX_AGE  # hand edits on SQLite
        entry = self._entries.get(key)
        if entry is not None and entry[0] == taken and time.monotonic() <= entry[1]:
            return entry[2]
        value = self._load(key)
        if value is not None:
            self._keep(key, (taken, expires, value))
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def _keep(self, key: K, entry: tuple[int, float, V]) -> None:
        entries = self._entries
        if key not in entries and len(entries) >= self._max_entries:
            try:  # the oldest kept answer goes (dicts keep insertion order)
                del entries[next(iter(entries))]
            except (StopIteration, KeyError, RuntimeError):
                pass  # another thread emptied or changed it meanwhile: nothing to evict
        entries[key] = entry


def kept_until_changed(load: Callable[[K], V | None], engine: Engine) -> Callable[[K], V | None]:
    """`load` through a LookupCache checked against `engine`'s change stamps; `load` itself where the
    database has none (an SQLite memory database): then nothing is kept."""
    stamps = cache_stamps(engine)
    return load if stamps is None else LookupCache(load, stamps)
