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
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
SITE = "bench"
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


@dataclass
class Backend:
    """One database the server runs on during the bench."""

    name: str
    url: str
    cleanup: list = field(default_factory=list)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sqlite_backend(workdir: Path) -> Backend:
    """A new SQLite file, as `consent-server` uses by default (WAL, synchronous=FULL)."""
    return Backend("sqlite", f"sqlite:///{workdir / 'bench.db'}")


def postgres_backend(base_url: str) -> Backend:
    """A private PostgreSQL database, dropped when the bench ends."""
    url = sa.engine.make_url(base_url)
    name = f"consent_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return Backend("postgres", url.set(database=name).render_as_string(hide_password=False), [drop])


def count_consents(url: str) -> int:
    """Rows in the consent log, read with a fresh connection."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM consents")).scalar_one()
    finally:
        engine.dispose()


def commit_ceiling(backend: Backend, workdir: Path, seconds: float, threads: int = 8) -> tuple[int, float]:
    """Raw single-row INSERT + COMMIT per second with no Python web stack: the database's own limit here.

    SQLite: one connection (it has one writer at a time), WAL and synchronous=FULL like the server,
    on the same file system. PostgreSQL: `threads` autocommit connections (it groups concurrent commits).
    """
    engine = sa.create_engine(backend.url if backend.name == "postgres" else f"sqlite:///{workdir / 'ceiling.db'}")
    if backend.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # as consent_server.extensions sets them
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=FULL")
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS ceiling"))
        connection.execute(sa.text("CREATE TABLE ceiling (id INTEGER PRIMARY KEY, body TEXT)"))
    deadline = time.monotonic() + seconds
    counts: list[int] = []

    def writer(n: int) -> None:
        done = 0
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            while time.monotonic() < deadline:
                connection.execute(sa.text("INSERT INTO ceiling (id, body) VALUES (:id, :body)"),
                                   {"id": n * 10_000_000 + done, "body": "x" * 300})
                done += 1
        counts.append(done)

    with ThreadPoolExecutor(1 if backend.name == "sqlite" else threads) as pool:
        list(pool.map(writer, range(1 if backend.name == "sqlite" else threads)))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE ceiling"))
    engine.dispose()
    return sum(counts), seconds


class Server:
    """`consent-server serve` in its own process group, exactly as deployed."""

    def __init__(self, backend: Backend, workdir: Path, workers: int, threads: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = workdir / f"server-{backend.name}.log"
        self.env = {
            **os.environ,
            "CONSENT_DATABASE_URL": backend.url,
            "CONSENT_INSTANCE_DIR": str(workdir / "instance"),
            "CONSENT_RATELIMIT": "1000000000 per minute",  # the bench is one client address
            "CONSENT_THREADS": str(threads),
        }
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        """Run one `consent-server` command on this server's database."""
        done = subprocess.run([consent_server_command(), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"consent-server {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        """Start gunicorn and wait for /healthz."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [consent_server_command(), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # refused, or accepted while the workers still boot
                time.sleep(0.1)
        raise SystemExit("server did not answer /healthz within 30 s")

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and every worker so far (from /proc; 0 where unavailable)."""
        if self.process is None:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process ended while we looked
            # After the command name: state ppid pgrp ... utime (12th) stime (13th).
            if int(fields[2]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def kill(self) -> None:
        """SIGKILL the whole process group: master and every worker, no clean shutdown."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def consent_server_command() -> str:
    """The `consent-server` console script of the interpreter running the bench."""
    local = Path(sys.executable).parent / "consent-server"
    return str(local) if local.exists() else (shutil.which("consent-server") or "consent-server")


def seed_visitors(server: Server, count: int) -> list[str]:
    """Record one decision for `count` visitors over HTTP; their ids feed the state GET."""
    url = f"{server.url}/api/v1/sites/{SITE}/consents"

    def one(_: int) -> str:
        visitor = secrets.token_urlsafe(16)
        body = {"visitor_id": visitor, "policy_version": 1, "choices": {"analytics": True},
                "action": "custom", "language": "sv"}
        response = requests.post(url, json=body, timeout=30)
        if response.status_code != 201:
            raise SystemExit(f"seeding failed: {response.status_code} {response.text}")
        return visitor

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def run_wrk(script: str, url: str, args: list[str], duration: int, connections: int, threads: int) -> WrkResult:
    """Run wrk with one of bench/wrk/*.lua and parse its BENCH_JSON line."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(WRK_DIR / script), url, *(["--", *args] if args else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return WrkResult(**json.loads(line.removeprefix("BENCH_JSON ")))
    raise SystemExit(f"wrk gave no result ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def bench_backend(backend: Backend, workdir: Path, options: argparse.Namespace) -> dict:
    """Everything for one database: set up, measure, kill -9, count."""
    server = Server(backend, workdir, options.workers, options.threads)
    server.cli("db", "upgrade")
    server.cli("site", "create", SITE, "--name", "Benchbutiken", "--origin", server.url)
    server.start()
    try:
        visitors = seed_visitors(server, options.visitors)
        visitors_file = workdir / f"visitors-{backend.name}.txt"
        visitors_file.write_text("\n".join(visitors) + "\n")
        wrk = dict(duration=options.duration, connections=options.connections, threads=options.wrk_threads)
        warm = dict(wrk, duration=options.warmup)
        runs = {
            "healthz": ("healthz.lua", f"{server.url}/healthz", []),
            "post_consent": ("post_consent.lua", server.url, [SITE]),
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
    return Summary(requests, requests / sum(r.seconds for r in rounds), p99,
                   cpu_seconds / max(requests, 1) * 1e6, sum(r.non_2xx for r in rounds), sum(r.timeouts for r in rounds))


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
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--connections", type=int, default=16, help="wrk keep-alive connections")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (it shares the 2 cores)")
    parser.add_argument("--visitors", type=int, default=1000, help="visitors seeded for the state GET")
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package wrk)")

    print(f"# consent-server core bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs")
    print(f"gunicorn: {options.workers} workers x {options.threads} threads (gthread, deploy/gunicorn.conf.py); "
          f"wrk: {options.wrk_threads} thread(s), {options.connections} connections, "
          f"{options.rounds} interleaved rounds of {options.duration} s per endpoint after {options.warmup} s warm-up")
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
