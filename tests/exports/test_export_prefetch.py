"""Prefetching batches in a worker thread (pure)."""
import threading

import pytest

from consent_server.exports.prefetch import prefetched


def numbers(n, log):
    try:
        for i in range(n):
            log.append(("made", i))
            yield i
    finally:
        log.append(("closed", threading.current_thread().name))


def test_same_items_in_order():
    log = []
    assert list(prefetched(numbers(50, log))) == list(range(50))
    assert log[-1] == ("closed", "export-prefetch")


def test_bounded_lookahead_and_early_close_stops_the_worker():
    log = []
    stream = prefetched(numbers(1000, log), depth=2)
    assert next(stream) == 0
    stream.close()
    made = [x for kind, x in log if kind == "made"]
    assert len(made) <= 5  # one consumed, at most depth queued, one in hand: never the whole source
    assert log[-1] == ("closed", "export-prefetch")
    assert not any(t.name == "export-prefetch" for t in threading.enumerate())


def test_errors_reach_the_consumer():
    def failing():
        yield 1
        raise ValueError("boom")

    stream = prefetched(failing())
    assert next(stream) == 1
    with pytest.raises(ValueError, match="boom"):
        next(stream)
