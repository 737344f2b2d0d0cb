"""Verify a large export on several cores: records are checked in worker processes, the log order in this one.

A record's own check (JSON parse, personal-field digest, leaf re-encoding and
hash, comparison with its sealed leaf hash) needs nothing but the site and the
policy hashes, so worker processes do it for chunks of lines. This process
applies every check that depends on order (leaf indexes, batch roots, head
signatures and links, checkpoint, counts) to their results in file order, so
the outcome, and the first bad record named, are the same as with
:func:`.verify.verify_lines`. At most a few chunks are in flight: memory stays flat.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .keys import KeyRing
from .records import check_record
from .verify import Summary, Verifier, _loads, verify_lines

PARALLEL_FROM_BYTES = 8_000_000
_PREFIX = (b'{"type":"header"', b'{"type":"policy"')
_state: dict[str, Any] = {}


def _init(site: str, policies: dict[int, str]) -> None:
    _state.update(site=site, policies=policies, decode=_loads)


def _work(lines: list[bytes]) -> list[tuple]:
    """Check a chunk's records; consecutive sound records come back as one compact run."""
    site, policies, decode = _state["site"], _state["policies"], _state["decode"]
    out: list[tuple] = []
    run: list[Any] = []  # [first index, first receipt, last receipt, digests, redacted (visitor, receipt) pairs]

    def flush() -> None:
        if run:
            out.append(("RUN", run[0], run[1], run[2], b"".join(run[3]), run[4]))
            run.clear()

    for raw in lines:
        try:
            obj = decode(raw)
        except ValueError:
            flush()
            out.append(("O", raw))
            continue
        if type(obj) is not dict or obj.get("type") != "record":
            flush()
            out.append(("O", raw))
            continue
        result = check_record(obj, site, policies)
        receipt, index, digest, early, late, redacted, _ = result
        if digest is None or early or late:
            flush()
            out.append(("R", result))
            continue
        if run and index == run[0] + len(run[3]):
            run[2] = receipt
            run[3].append(digest)
        else:
            flush()
            run.extend([index, receipt, receipt, [digest], []])
        if redacted is not None:
            run[4].append((redacted, receipt))
    flush()
    return out


def _chunks(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    iterator = iter(lines)
    while chunk := [raw for raw in itertools.islice(iterator, size) if raw.strip()]:
        yield chunk


def _apply(verifier: Verifier, results: list[tuple]) -> None:
    for item in results:
        kind = item[0]
        if kind == "O":
            verifier.feed(item[1])
            continue
        if verifier.ended:
            verifier.line += 1
            raise verifier.fail("content after the end line")
        if kind == "R":
            verifier.line += 1
            verifier.apply_record(item[1])
            continue
        verifier.line += 1  # a failure names the run's first line
        verifier.line += verifier.apply_run(*item[1:]) - 1


def verify_file(
    path: str, keyring: KeyRing | None = None, *, workers: int | None = None, chunk: int = 2000,
    min_bytes: int = PARALLEL_FROM_BYTES,
) -> Summary:
    """Verify an export file; on ``workers`` processes (default: CPU count) when it has ``min_bytes`` or more."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or os.path.getsize(path) < min_bytes:
        with open(path, "rb") as fh:
            return verify_lines(fh, keyring)
    verifier = Verifier(keyring)
    with open(path, "rb") as fh:
        first = None
        for raw in fh:
            if not raw.strip():
                continue
            if raw.startswith(_PREFIX):
                verifier.feed(raw)
                continue
            first = raw
            break
        if first is None:
            return verifier.finish()
        if verifier.site is None:
            verifier.feed(first)  # raises: no header
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_init,
                                   initargs=(verifier.site, dict(verifier.policies)))
        try:
            inflight: deque[Future] = deque()
            for lines in _chunks(itertools.chain([first], fh), chunk):
                inflight.append(pool.submit(_work, lines))
                if len(inflight) > 2 * workers:
                    _apply(verifier, inflight.popleft().result())
            while inflight:
                _apply(verifier, inflight.popleft().result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return verifier.finish()
