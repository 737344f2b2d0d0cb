"""Core API benchmark: the server as deployed, on SQLite and on PostgreSQL, driven by wrk.

    .venv/bin/python bench/core_bench.py [--duration 10] [--db sqlite --db postgres] [--pg-url URL]

For each database it creates a fresh database (a file under a temporary folder,
or a private PostgreSQL database that it drops afterwards), migrates it and
creates the site with the `consent-server` CLI, starts `consent-server serve`
(gunicorn with deploy/gunicorn.conf.py), seeds visitors, and drives three
endpoints with wrk from a second process:

    GET  /healthz                                   (the baseline)
    POST /api/v1/sites/{site}/consents              (random visitor ids, a real body)
    GET  /api/v1/sites/{site}/visitors/{id}/consent (seeded visitors)

It prints requests/s and p99 for each, their ratio to /healthz measured on the
same server in the same run, and then kills the whole server with SIGKILL and
counts the rows: every 201 that wrk received must be in the database.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core_server import (
    SITE,
    Backend,
    Server,
    commit_ceiling,
    count_consents,
    postgres_backend,
    seed_visitors,
    sqlite_backend,
)

WRK_DIR = Path(__file__).resolve().parent / "wrk"
TARGETS = {"post_consent": 0.5, "get_state": 0.8}
DEFAULT_PG = "postgresql+psycopg://root@127.0.0.1:5432/test"


@dataclass
class WrkResult:
    """What one wrk run reported (see bench/wrk/report.lua)."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    connect_errors: int
    read_errors: int
    write_errors: int
    timeouts: int

    @property
    def ok(self) -> int:
        """Responses with a 2xx status."""
        return self.requests - self.non_2xx


def run_wrk(script: str, url: str, args: list[str], duration: int, connections: int, threads: int) -> WrkResult:
    """Run wrk with one of bench/wrk/*.lua and parse its BENCH_JSON line."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(WRK_DIR / script), url, *(["--", *args] if args else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return WrkResult(**json.loads(line.removeprefix("BENCH_JSON ")))
    raise SystemExit(f"wrk gave no result ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def worker_connection_cap(options: argparse.Namespace) -> int | None:
    """CONSENT_WORKER_CONNECTIONS for the server: wrk's connections ÷ workers, None with --unbalanced.

    wrk opens all its keep-alive connections at once; capped per worker they spread evenly,
    otherwise the first worker to wake may take them all and leave the other core idle.
    """
    return None if options.unbalanced else -(-options.connections // options.workers)


def bench_backend(backend: Backend, workdir: Path, options: argparse.Namespace) -> dict:
    """Everything for one database: set up, measure, kill -9, count."""
    server = Server(backend, workdir, options.workers, options.threads, options.seal_interval,
                    worker_connection_cap(options))
    server.cli("db", "upgrade")
    server.cli("site", "create", SITE, "--name", "Benchbutiken", "--origin", server.url)
    server.cli("keys", "init")  # as deployed: the sealer signs batches of new records in every worker
    server.start()
    try:
        visitors = seed_visitors(server, options.visitors)
        visitors_file = workdir / f"visitors-{backend.name}.txt"
        visitors_file.write_text("\n".join(visitors) + "\n")
        wrk = dict(duration=options.duration, connections=options.connections, threads=options.wrk_threads)
        warm = dict(wrk, duration=options.warmup)
        runs = {
            "healthz": ("healthz.lua", f"{server.url}/healthz", []),
            "post_consent": ("post_consent.lua", server.url, [SITE, server.url]),  # as the site's browsers
            "get_state": ("get_state.lua", server.url, [SITE, str(visitors_file)]),
        }
        rows_before = count_consents(backend.url)
        created = failed = 0
        for key, (script, url, args) in runs.items():
            warm_result = run_wrk(script, url, args, **warm)
            if key == "post_consent":
                created, failed = created + warm_result.ok, failed + warm_result.non_2xx
        # Rounds interleave the endpoints, so a change in background load hits all three alike.
        results: dict[str, list[WrkResult]] = {key: [] for key in runs}
        cpu: dict[str, float] = {key: 0.0 for key in runs}
        commits, commit_seconds = 0, 0.0
        for _ in range(options.rounds):
            # The database's own commit rate, measured between the wrk runs of the same round.
            done, seconds = commit_ceiling(backend, workdir, seconds=min(options.duration, 2))
            commits, commit_seconds = commits + done, commit_seconds + seconds
            for key, (script, url, args) in runs.items():
                before = server.cpu_seconds()
                result = run_wrk(script, url, args, **wrk)
                cpu[key] += server.cpu_seconds() - before
                results[key].append(result)
                if key == "post_consent":
                    created, failed = created + result.ok, failed + result.non_2xx
    finally:
        server.kill()  # kill -9, then count: a 201 must already be on disk
    new_rows = count_consents(backend.url) - rows_before
    return {"results": results, "cpu": cpu, "created_201": created, "new_rows": new_rows, "failed_posts": failed,
            "ceiling": commits / commit_seconds}


@dataclass
class Summary:
    """One endpoint over all rounds."""

    requests: int
    rps: float
    p99_ms: float
    cpu_us: float  # server CPU (all processes) per request
    non_2xx: int
    timeouts: int


def summarise(rounds: list[WrkResult], cpu_seconds: float) -> Summary:
    """Requests/s over all rounds, the median round's p99, and server CPU per request."""
    requests = sum(r.requests for r in rounds)
    p99 = sorted(r.p99_ms for r in rounds)[len(rounds) // 2]
    return Summary(requests, requests / sum(r.seconds for r in rounds), p99, cpu_seconds / max(requests, 1) * 1e6,
                   sum(r.non_2xx for r in rounds), sum(r.timeouts for r in rounds))


LABELS = {"healthz": "GET /healthz", "post_consent": "POST consents", "get_state": "GET visitor state"}


def report(name: str, outcome: dict) -> tuple[list[str], bool]:
    """Markdown table rows for one database, and whether every target and check passed."""
    summaries = {key: summarise(rounds, outcome["cpu"][key]) for key, rounds in outcome["results"].items()}
    baseline = summaries["healthz"]
    lines, passed = [], True
    for key, summary in summaries.items():
        ratio = summary.rps / baseline.rps
        cpu_ratio = baseline.cpu_us / summary.cpu_us if summary.cpu_us else 0.0
        target = TARGETS.get(key)
        verdict = "" if target is None else (f"≥ {target}: " + ("met" if ratio >= target else "MISSED"))
        passed &= (target is None or ratio >= target) and summary.non_2xx == 0 and summary.timeouts == 0
        lines.append(f"| {name} | {LABELS[key]} | {summary.rps:,.0f} | {summary.p99_ms:.1f} | {ratio:.2f} | {verdict} "
                     f"| {summary.cpu_us:,.0f} | {cpu_ratio:.2f} | {summary.requests:,} / {summary.non_2xx} |")
    lines.append(f"| {name} | raw INSERT+COMMIT, no web stack | {outcome['ceiling']:,.0f} | | "
                 f"{summaries['post_consent'].rps / outcome['ceiling']:.2f} (POST / raw) | | | | |")
    durable = outcome["new_rows"] >= outcome["created_201"]
    passed &= durable and outcome["failed_posts"] == 0
    lines.append(f"| {name} | kill -9, then count | 201s: {outcome['created_201']:,} | rows added: "
                 f"{outcome['new_rows']:,} | | {'every 201 durable' if durable else 'LOST 201s'} | | | |")
    return lines, passed


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the bench on each database, print the table; exit 1 if a target or check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="default: both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of healthz, POST, state (interleaved)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured warm-up per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2 cores here)")
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker (cover database waits)")
    parser.add_argument("--connections", type=int, default=32, help="wrk keep-alive connections")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (it shares the 2 cores)")
    parser.add_argument("--unbalanced", action="store_true",
                        help="leave CONSENT_WORKER_CONNECTIONS at gunicorn's default (connections may pile on one worker)")
    parser.add_argument("--visitors", type=int, default=1000, help="visitors seeded for the state GET")
    parser.add_argument("--seal-interval", type=float, default=None,
                        help="CONSENT_SEAL_INTERVAL for the server (default: the deployed default; 0 = no sealer)")
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package wrk)")

    print(f"# consent-server core bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs")
    print(f"gunicorn: {options.workers} workers x {options.threads} threads (gthread, deploy/gunicorn.conf.py); "
          f"wrk: {options.wrk_threads} thread(s), {options.connections} connections, "
          f"{options.rounds} interleaved rounds of {options.duration} s per endpoint after {options.warmup} s warm-up; "
          f"sealer: {'default interval' if options.seal_interval is None else options.seal_interval}; "
          f"CONSENT_WORKER_CONNECTIONS: {worker_connection_cap(options) or 'default'}")
    print("ratio = requests/s over requests/s of /healthz; CPU ratio = server CPU per /healthz request over "
          "server CPU per request of the endpoint (less sensitive to other load on the machine)\n")
    print("| database | endpoint | requests/s | p99 ms | ratio to /healthz | target | server CPU µs/req "
          "| CPU ratio | requests / non-2xx |")
    print("|---|---|---:|---:|---:|---|---:|---:|---|")
    all_passed = True
    for name in options.db or ["sqlite", "postgres"]:
        with tempfile.TemporaryDirectory(prefix=f"consent-bench-{name}-") as tmp:
            workdir = Path(tmp)
            backend = sqlite_backend(workdir) if name == "sqlite" else postgres_backend(options.pg_url)
            try:
                lines, passed = report(name, bench_backend(backend, workdir, options))
            finally:
                for cleanup in backend.cleanup:
                    cleanup()
        print("\n".join(lines), flush=True)
        all_passed &= passed
    print("\nall targets met, every 201 durable" if all_passed else "\nSOME TARGET OR CHECK FAILED")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
