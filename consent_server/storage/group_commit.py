"""Group commit: the consent rows of concurrent requests share one transaction, so one fsync.

Every consent POST must be durable before its 201. Committing each row on its own
makes the write path as fast as the disk's fsync (SQLite, synchronous=FULL) or
one WAL flush and two round trips per request (PostgreSQL). Here the requests of a
worker process take turns as the writer: a request that finds no write under way
writes its own row together with every row that queued up meanwhile, in one
transaction; requests that arrive while it writes queue up and wait. When the
write has committed, its rows' requests are woken and the first request still
queued becomes the next writer. Nothing is answered before its row is committed;
under load many rows ride on one commit, and with a single request in flight the
batch is just that row.

The writer is a request thread, not a committer thread of its own: handing every
batch to another thread and back cost a wake-up and a GIL hand-over per batch, a
tenth of a consent POST (bench/RESULTS.md).
"""
from __future__ import annotations

import collections
import logging
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)


class CommitTimeout(RuntimeError):
    """The row was not confirmed in time (the database is stuck or gone)."""


class _Pending:
    __slots__ = ("row", "done", "error", "leads")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        # Set when the row's fate is known, or when this request becomes the writer.
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.leads = False


class GroupCommitter:
    """Write rows with `write_batch`, many concurrent requests per call; `commit` returns once durable.

    `write_batch(rows)` must insert and commit its rows in one transaction, or raise and
    commit none (ProcessInsert.insert_many does). It is never called twice at once.
    """

    def __init__(self, write_batch: Callable[[list[dict[str, Any]]], None], max_batch: int = 256,
                 timeout: float = 30.0) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._timeout = timeout
        self._lock = threading.Lock()
        self._queued: collections.deque[_Pending] = collections.deque()
        self._writing = False

    def commit(self, row: dict[str, Any]) -> None:
        """Write one row and return after its transaction committed; re-raises the database's error.

        A request that waits behind other writes longer than `timeout` gets CommitTimeout
        (its row is then either never written, or still being written).
        """
        pending = _Pending(row)
        with self._lock:
            if self._writing:
                self._queued.append(pending)
            else:
                self._writing = pending.leads = True
        if not pending.leads:
            self._wait(pending)
        if pending.leads:
            self._lead(pending)
        if pending.error is not None:
            raise pending.error

    def _wait(self, pending: _Pending) -> None:
        """Wait until the row is written or this request is made the writer; CommitTimeout otherwise."""
        if pending.done.wait(self._timeout):
            return
        with self._lock:
            if pending.leads:  # made the writer just as the wait ran out
                return
            if pending in self._queued:
                self._queued.remove(pending)  # taken by no writer: nothing of it is written
        raise CommitTimeout("the consent row was not committed in time")

    def _lead(self, pending: _Pending) -> None:
        """Write this row and the rows queued so far, wake their requests, hand over the turn."""
        batch = [pending]
        try:
            with self._lock:
                while self._queued and len(batch) < self._max_batch:
                    batch.append(self._queued.popleft())
            self._write(batch)
        except BaseException:  # interrupted (database errors are caught in _write): no row passes as committed
            for waiting in batch:
                waiting.error = waiting.error or CommitTimeout("the commit was interrupted")
            raise
        finally:
            for waiting in batch[1:]:
                waiting.done.set()
            with self._lock:
                if self._queued:
                    successor = self._queued.popleft()
                    successor.leads = True
                    successor.done.set()
                else:
                    self._writing = False

    def _write(self, batch: list[_Pending]) -> None:
        try:
            self._write_batch([pending.row for pending in batch])
        except Exception as error:  # the database refused: find whose row it was
            if len(batch) > 1:
                # One bad row must not fail its neighbours: retry each on its own.
                for pending in batch:
                    self._write([pending])
                return
            log.warning("consent row not committed: %s", type(error).__name__)
            batch[0].error = error
