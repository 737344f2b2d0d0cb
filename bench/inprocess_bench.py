"""CPU per request of the three core endpoints with no HTTP server: the WSGI app called directly.

    .venv/bin/python bench/inprocess_bench.py [--db sqlite --db postgres] [--requests 3000]

For each database it makes a fresh database as bench/core_bench.py does, migrates it and
creates the site with the `consent-server` CLI, builds the app in this process and calls it
with prebuilt WSGI environs, one thread, no gunicorn, no sockets, no sealer thread. It prints
the process CPU time per request for `GET /healthz`, `POST .../consents` (each POST commits
its own row: one request at a time has no one to share a commit with) and
`GET .../visitors/{id}/consent`, and each endpoint's cost above `/healthz`.

What it separates: the endpoint's own work (Python, the driver and, on SQLite, the commit's
fsync) from what serving adds under load (gunicorn, thread hand-overs, other processes), which
core_bench.py measures. On PostgreSQL the server's backend CPU is not in these figures.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from core_server import SITE, Backend, bench_settings, postgres_backend, run_cli, sqlite_backend

DEFAULT_PG = "postgresql+psycopg://root@127.0.0.1:5432/test"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SEEDED = 300
ORIGIN = "http://127.0.0.1"  # the site's registered origin: every call comes as its browsers' (no recorder key)


def prepare(backend: Backend, workdir: Path) -> dict[str, str]:
    """Migrate the database and create the site with the CLI; the settings the app is built with."""
    settings = {**bench_settings(backend, workdir), "CONSENT_SEAL_INTERVAL": "0", "CONSENT_LOG_LEVEL": "WARNING"}
    env = {**os.environ, **settings}
    run_cli(env, "db", "upgrade")
    run_cli(env, "site", "create", SITE, "--name", "Benchbutiken", "--origin", ORIGIN)
    return settings


def wsgi_caller(app: Callable) -> Callable[..., tuple[str, bytes]]:
    """call(method, path, body=b"") -> (status line, body), through the app's whole WSGI stack."""
    def call(method: str, path: str, body: bytes = b"") -> tuple[str, bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": USER_AGENT, "HTTP_ORIGIN": ORIGIN, "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(body))
        status: list[str] = []
        answer = b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
        return status[0], answer
    return call


def consent_body() -> bytes:
    """A consent POST body as bench/wrk/post_consent.lua sends it, with a new visitor id."""
    return json.dumps({
        "visitor_id": secrets.token_urlsafe(16), "policy_version": 1, "action": "custom", "language": "sv",
        "choices": {"analytics": True, "ads": False, "youtube": True, "affiliate": False},
        "page_url": "https://shop.example/produkt/12?utm_source=bench",
    }).encode()


def cpu_per_request(run: Callable[[int], Any], count: int) -> float:
    """Process CPU time per call of run(i), in µs."""
    started = time.process_time()
    for i in range(count):
        run(i)
    return (time.process_time() - started) / count * 1e6


def measure(backend: Backend, requests: int, repeats: int) -> dict[str, list[float]]:
    """CPU per request of each endpoint, `repeats` times (the app built once)."""
    workdir = Path(tempfile.mkdtemp(prefix="consent-inprocess-"))
    os.environ.update(prepare(backend, workdir))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from consent_server import create_app

    call = wsgi_caller(create_app())
    post_path = f"/api/v1/sites/{SITE}/consents"
    visitors = []
    for _ in range(SEEDED):
        body = consent_body()
        status, answer = call("POST", post_path, body)
        if not status.startswith("201"):
            raise SystemExit(f"seeding failed: {status} {answer!r}")
        visitors.append(json.loads(body)["visitor_id"])
    bodies = [consent_body() for _ in range(requests * repeats)]
    runs = {
        "healthz": lambda i: call("GET", "/healthz"),
        "post_consent": lambda i: call("POST", post_path, bodies[i]),
        "get_state": lambda i: call("GET", f"/api/v1/sites/{SITE}/visitors/{visitors[i % SEEDED]}/consent"),
    }
    results: dict[str, list[float]] = {key: [] for key in runs}
    for repeat in range(repeats):
        for key, run in runs.items():
            offset = repeat * requests
            results[key].append(cpu_per_request(lambda i: run(offset + i), requests))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="default: both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--requests", type=int, default=3000, help="requests per endpoint and repeat")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        # One database per process: the app, its engine and its caches start clean.
        workdir = Path(tempfile.mkdtemp(prefix="consent-inprocess-"))
        backend = sqlite_backend(workdir) if options.child == "sqlite" else postgres_backend(options.pg_url)
        try:
            print("RESULT " + json.dumps(measure(backend, options.requests, options.repeats)), flush=True)
        finally:
            for cleanup in backend.cleanup:
                cleanup()
        return 0
    print(f"# consent-server in-process costs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{options.requests} requests x {options.repeats} per endpoint, one thread")
    print("| database | endpoint | CPU µs/request (each repeat) | above /healthz |")
    print("|---|---|---|---:|")
    for db in options.db or ["sqlite", "postgres"]:
        done = subprocess.run([sys.executable, __file__, "--child", db, "--pg-url", options.pg_url,
                               "--requests", str(options.requests), "--repeats", str(options.repeats)],
                              capture_output=True, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            raise SystemExit(f"{db} failed:\n{done.stdout}\n{done.stderr}")
        results = json.loads(lines[-1].removeprefix("RESULT "))
        base = min(results["healthz"])
        for key, figures in results.items():
            extra = "" if key == "healthz" else f"{min(figures) - base:+.0f} µs"
            print(f"| {db} | {key} | {', '.join(f'{f:.0f}' for f in figures)} | {extra} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
