"""How a flood of refused consent POSTs weighs on the recorded ones: counters written per refusal or per flush.

    .venv/bin/python bench/refusal_bench.py [--db sqlite|postgres|both] [--duration 8]

For each database and each CONSENT_REFUSAL_FLUSH (0: an upsert and commit per refusal; 5: each
worker holds its counts and writes them every 5 s), it serves the app as deployed and runs two wrk
processes at once: one posting decisions that are recorded (wrk/post_consent.lua), one posting from a
foreign origin, all refused (wrk/refused_post.lua); first the recorded ones alone, as the baseline.
It prints requests/s of both, and the refusals stored against those wrk received (requests still in
flight when wrk stops are counted by the server but not by wrk).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_bench import DEFAULT_PG, WrkResult, run_wrk  # noqa: E402
from core_server import SITE, Server, postgres_backend, read_number, sqlite_backend  # noqa: E402

CONNECTIONS = 16


def stored_refusals(url: str) -> int:
    """Refusals written to refusal_counts so far."""
    return read_number(url, "SELECT coalesce(sum(count), 0) FROM refusal_counts")


def both(server: Server, duration: int) -> tuple[WrkResult, WrkResult]:
    """Recorded and refused POSTs at the same time."""
    out: dict[str, WrkResult] = {}
    flood = threading.Thread(target=lambda: out.update(refused=run_wrk(
        "refused_post.lua", server.url, [SITE], duration, CONNECTIONS, 1)))
    flood.start()
    recorded = run_wrk("post_consent.lua", server.url, [SITE], duration, CONNECTIONS, 1)
    flood.join()
    return recorded, out["refused"]


def bench(backend, workdir: Path, flush: str, duration: int) -> str:
    server = Server(backend, workdir, workers=2, threads=8, worker_connections=CONNECTIONS)
    server.env["CONSENT_REFUSAL_FLUSH"] = flush
    server.cli("db", "upgrade")
    server.cli("site", "create", SITE, "--name", "Benchbutiken", "--origin", server.url)
    server.start()
    try:
        run_wrk("post_consent.lua", server.url, [SITE], 2, CONNECTIONS, 1)  # warm-up
        alone = run_wrk("post_consent.lua", server.url, [SITE], duration, CONNECTIONS, 1)
        recorded, refused = both(server, duration)
    finally:
        server.process.terminate()  # graceful: each worker writes what it still holds
        server.process.wait(timeout=60)
    stored = stored_refusals(backend.url)
    return (f"{backend.name:8} flush={flush:>2}s  recorded alone {alone.rps:7.0f}/s  "
            f"with the flood {recorded.rps:7.0f}/s ({recorded.rps / alone.rps:.2f})  refused {refused.rps:7.0f}/s  "
            f"stored {stored} (wrk saw {refused.non_2xx}; the rest were in flight when it stopped)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    options = parser.parse_args(argv)
    for name in (["sqlite", "postgres"] if options.db == "both" else [options.db]):
        for flush in ("0", "5"):
            with tempfile.TemporaryDirectory() as tmp:
                workdir = Path(tmp)
                backend = sqlite_backend(workdir) if name == "sqlite" else postgres_backend(options.pg_url)
                try:
                    print(bench(backend, workdir, flush, options.duration), flush=True)
                finally:
                    for cleanup in backend.cleanup:
                        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
