"""Group commit: the consent rows of concurrent requests share one transaction, so one fsync.

Every consent POST must be durable before its 201. Committing each row on its own
makes the write path as fast as the disk's fsync (SQLite, synchronous=FULL) or
one WAL flush and two round trips per request (PostgreSQL). Here each worker
process has one committer thread: a request hands its row over and waits; the
thread takes every row waiting at that moment, inserts them in one transaction,
commits, and only then wakes their requests. Nothing is answered before its row
is committed; under load many rows ride on one commit, and with a single request
in flight the batch is just that row.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)


class CommitTimeout(RuntimeError):
    """The committer did not confirm a row in time (the database is stuck or gone)."""


class _Pending:
    __slots__ = ("row", "done", "error")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommitter:
    """Write rows with `write_batch`, many concurrent requests per call; `commit` returns once durable.

    `write_batch(rows)` must insert and commit its rows in one transaction, or raise and
    commit none (ThreadInsert.insert_many does).
    """

    def __init__(self, write_batch: Callable[[list[dict[str, Any]]], None], max_batch: int = 256,
                 timeout: float = 30.0) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._timeout = timeout
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None

    def commit(self, row: dict[str, Any]) -> None:
        """Write one row and return after its transaction committed; re-raises the database's error."""
        pending = _Pending(row)
        self._ensure_thread()
        self._queue.put(pending)
        if not pending.done.wait(self._timeout):
            raise CommitTimeout("the consent row was not committed in time")
        if pending.error is not None:
            raise pending.error

    def _ensure_thread(self) -> None:
        # One thread per process, started lazily: gunicorn forks workers, and a thread
        # started in the master would not exist in them.
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid != pid:
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, args=(self._queue,), name="consent-group-commit",
                                 daemon=True).start()
                self._pid = pid

    def _run(self, inbox: "queue.SimpleQueue[_Pending]") -> None:
        while True:
            batch = [inbox.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(inbox.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

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
        for pending in batch:
            pending.done.set()
