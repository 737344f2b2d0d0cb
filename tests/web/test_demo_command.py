"""`consent-server serve` (gunicorn on the wsgi entry) serves no demo; `consent-server demo` does."""
from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.builders import eventually
from tests.servers import ROOT, answers, free_port

CONSENT_SERVER = Path(sys.executable).parent / "consent-server"
DEMO_PATHS = ["/", "/demo-assets/analytics.js", "/demo-assets/shop"]


def run_command(args: list[str], database_url: str, instance: Path) -> Iterator[str]:
    """Run `consent-server ARGS --bind 127.0.0.1:PORT` until it answers /healthz; its URL. Stopped afterwards."""
    port = free_port()
    # The server's secrets as settings: a server refuses to start without them (where it checks).
    env = {**os.environ, "CONSENT_DATABASE_URL": database_url, "CONSENT_INSTANCE_DIR": str(instance),
           "CONSENT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
           "CONSENT_ERASURE_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    env.pop("CONSENT_DEMO", None)
    log = instance / "command.log"
    with log.open("ab") as out:
        process = subprocess.Popen([str(CONSENT_SERVER), *args, "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        assert eventually(lambda: answers(f"{url}/healthz", process, log), 60), \
            f"{args[0]} did not start: {log.read_text()[-2000:]}"
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def served(app, database_url, instance) -> Iterator[str]:
    yield from run_command(["serve"], database_url, instance)


@pytest.fixture
def demo(app, database_url, instance) -> Iterator[str]:
    yield from run_command(["demo"], database_url, instance)


@pytest.mark.slow
def test_serve_has_no_demo_shop_and_no_fake_assets(served):
    for path in DEMO_PATHS:
        assert requests.get(served + path, timeout=10).status_code == 404, path
    assert requests.get(served + "/api/docs", timeout=10).status_code == 200


@pytest.mark.slow
def test_demo_serves_the_shop_and_its_assets(demo):
    for path in DEMO_PATHS:
        assert requests.get(demo + path, timeout=10).status_code == 200, path
    shop = requests.get(demo + "/", timeout=10)
    assert "/c/demo.js" in shop.text and requests.get(demo + "/c/demo.js", timeout=10).status_code == 200
