"""The server side of bench/core_bench.py: databases, `consent-server serve` as deployed, seeding, raw commit rate."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SITE = "bench"


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


def read_number(url: str, query: str) -> int:
    """The one number `query` selects, read with a fresh connection (not the server's)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar_one())
    finally:
        engine.dispose()


def count_consents(url: str) -> int:
    """Rows in the consent log."""
    return read_number(url, "SELECT count(*) FROM consents")


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

    def __init__(self, backend: Backend, workdir: Path, workers: int, threads: int,
                 seal_interval: float | None = None, worker_connections: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = workdir / f"server-{backend.name}.log"
        self.env = {**os.environ, **bench_settings(backend, workdir), "CONSENT_THREADS": str(threads)}
        if seal_interval is not None:
            self.env["CONSENT_SEAL_INTERVAL"] = str(seal_interval)
        if worker_connections is not None:
            self.env["CONSENT_WORKER_CONNECTIONS"] = str(worker_connections)
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        """Run one `consent-server` command on this server's database."""
        return run_cli(self.env, *args)

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


def bench_settings(backend: Backend, workdir: Path) -> dict[str, str]:
    """The CONSENT_* settings every bench runs the app with, on `backend`."""
    return {
        "CONSENT_DATABASE_URL": backend.url,
        "CONSENT_INSTANCE_DIR": str(workdir / "instance"),
        "CONSENT_RATELIMIT": "1000000000 per minute",  # the bench is one client address
    }


def run_cli(env: Mapping[str, str], *args: str) -> str:
    """Run one `consent-server` command with `env`; exit with its error output if it fails."""
    done = subprocess.run([consent_server_command(), *args], cwd=ROOT, env=dict(env),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"consent-server {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


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
        response = requests.post(url, json=body, headers={"Origin": server.url}, timeout=30)
        if response.status_code != 201:
            raise SystemExit(f"seeding failed: {response.status_code} {response.text}")
        return visitor

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))
