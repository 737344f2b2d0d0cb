"""What runs the app in tests: the run's database kind, the config apps are built with, real gunicorn servers."""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import requests

from consent_server import create_app
from consent_server.extensions import db
from consent_server.proofs.server_keys import ensure_server_keys
from tests.builders import eventually

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("CONSENT_TEST_DATABASE_URL")


def test_config(database_url: str, instance: Path, **extra) -> dict:
    """The config mapping tests build apps with."""
    return {
        "TESTING": True,
        "CONSENT_DATABASE_URL": database_url,
        "CONSENT_INSTANCE_DIR": str(instance),
        "CONSENT_RATELIMIT": "100000 per minute",
        # Refusal counts written at once: a test reads them right after the request.
        "CONSENT_REFUSAL_FLUSH": 0,
        **extra,
    }


test_config.__test__ = False  # a builder, not a test


def answers(url: str, process: subprocess.Popen, log: Path) -> bool:
    """Whether `url` answers 200 yet; raises with the log's tail if `process` has exited instead."""
    if process.poll() is not None:
        raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
    try:
        return requests.get(url, timeout=1).status_code == 200
    except (requests.ConnectionError, requests.Timeout):  # a busy machine: still booting
        return False


def _ephemeral_range() -> range:
    """The ports the kernel hands out to outgoing connections (Linux; a common default elsewhere)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


# Ports below the kernel's ephemeral range: a port that bind(0) hands out is taken again at
# once by the next outgoing connection, and a server (nginx binds every address) started a
# moment later then fails with "Address already in use" under load.
SERVER_PORTS = range(20000, min(_ephemeral_range().start, 32768))


def free_port() -> int:
    """A TCP port outside the ephemeral range, free on every IPv4 address now."""
    for _ in range(200):
        port = random.choice(SERVER_PORTS)  # random: parallel test runs rarely pick the same one
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found below the ephemeral range")


@dataclass
class LiveServer:
    """A real gunicorn serving the app, as deployed, on this test's database."""

    url: str
    env: dict
    port: int
    process: subprocess.Popen | None = None
    log: Path | None = None
    args: list = field(default_factory=list)

    def start(self) -> "LiveServer":
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{self.port}", *self.args, "consent_server.wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        if not eventually(lambda: answers(f"{self.url}/healthz", self.process, self.log), 30):
            raise RuntimeError("gunicorn did not start")
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """kill -9 the whole server (master and workers)."""
        self.stop(signal.SIGKILL)


KEY_SETTINGS = ("CONSENT_SIGNING_KEY", "CONSENT_ERASURE_KEY")


def ensure_keys(database_url: str, instance: Path, **keys: str) -> None:
    """Create the server's keys in `instance` where missing (and not given in `keys`), as `db upgrade` does."""
    keyed = create_app({"CONSENT_DATABASE_URL": database_url, "CONSENT_INSTANCE_DIR": str(instance), **keys})
    with keyed.app_context():
        ensure_server_keys()
        db.session.remove()
        db.engine.dispose()


def make_live_server(database_url: str, instance: Path, *args: str, keys: bool = True, **env: str) -> LiveServer:
    """A gunicorn for `database_url` (not started); with `keys`, the signing key and erasure secret exist."""
    if keys:
        # gunicorn refuses to start without them
        ensure_keys(database_url, instance, **{name: env[name] for name in KEY_SETTINGS if name in env})
    port = free_port()
    environment = {
        **os.environ,
        "CONSENT_DATABASE_URL": database_url,
        "CONSENT_INSTANCE_DIR": str(instance),
        "CONSENT_RATELIMIT": "100000 per minute",
        "CONSENT_WORKERS": "2",
        **env,
    }
    return LiveServer(url=f"http://127.0.0.1:{port}", env=environment, port=port, log=instance / "gunicorn.log",
                      args=list(args))


