"""Read the next batch while the current one is being written (pure, no Flask).

An export is a loop of "fetch a page" and "format it". The fetch is mostly
work outside the Python interpreter (the PostgreSQL server computing the next
rows in its own process, or SQLite's engine, which runs with the GIL
released), so running the fetching generator in a worker thread, at most
``depth`` batches ahead, overlaps the two on a multi-core machine while
memory stays bounded by ``depth`` batches.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(batches: Generator[T, None, None], depth: int = 2) -> Iterator[T]:
    """Yield what ``batches`` yields, produced by a worker thread up to ``depth`` items ahead.

    Closing this iterator early (a client that goes away) stops the worker and
    closes ``batches`` in the worker's thread, which releases its connection.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in batches:
                if not put(item):
                    break
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(_Failure(error))
        finally:
            batches.close()
            put(_DONE)

    worker = threading.Thread(target=work, name="export-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join()
