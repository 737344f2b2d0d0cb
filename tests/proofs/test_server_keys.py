"""A server without its signing key or erasure secret says so at once; `db upgrade` makes them.

Erasure pseudonyms are keyed by a secret of their own, so rotating the signing key leaves
them as they are, and a deployment whose erasures were keyed from the signing key keeps
its pseudonyms and its verifying log.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from consent_server.cli.keys import keys_cli
from consent_server.extensions import db
from consent_server.models import Consent
from consent_server.proofs.erasure_secret import erasure_secret, legacy_secret, secret_path
from consent_server.proofs.server_keys import ensure_server_keys
from consent_server.proofs.signing import create_key_file, register_key, signing_key
from tests.builders import eventually, visitor_id
from tests.servers import ROOT, free_port

CLI = [sys.executable, "-m", "consent_server.cli"]


def _erase(client, visitor: str, token: str):
    return client.delete(f"/api/v1/sites/shop/visitors/{visitor}", headers={"Authorization": f"Bearer {token}"})


def _signing_key_only() -> None:
    """A deployment from before the erasure secret: `keys init` wrote only the signing key."""
    register_key(create_key_file())
    db.session.commit()


def test_readyz_names_the_missing_signing_key(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "signing_key_missing" and "consent-server db upgrade" in body["message"]


def test_readyz_names_the_missing_erasure_secret(app, client):
    _signing_key_only()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "erasure_key_missing" and "consent-server db upgrade" in body["message"]


def test_readyz_is_ready_with_both(client, server_keys):
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_erasure_without_its_secret_answers_503_and_changes_nothing(app, client, site, log, owner_key):
    visitor = visitor_id()
    log.post(1, visitor_id=visitor)
    response = _erase(client, visitor, owner_key)
    assert response.status_code == 503
    assert response.get_json()["code"] == "erasure_key_missing"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent).where(Consent.visitor_id == visitor)) == 1


def test_init_writes_the_erasure_secret_readable_only_by_its_owner(app, runner):
    result = runner.invoke(keys_cli, ["init"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(secret_path().stat().st_mode) == 0o600
    assert len(erasure_secret()) == 32 and erasure_secret() != legacy_secret(signing_key())


def test_configured_erasure_secret_is_used_without_a_file(make_app, tmp_path):
    secret = os.urandom(32)
    path = tmp_path / "erasure_key"
    path.write_text(base64.b64encode(secret).decode())
    for configured in (base64.b64encode(secret).decode(), str(path)):
        with make_app(CONSENT_ERASURE_KEY=configured).app_context():
            assert erasure_secret() == secret and not secret_path().exists()


def test_rotating_the_signing_key_keeps_erasure_pseudonyms(app, client, site, signed, log, owner_key, runner):
    visitor = visitor_id()
    log.post(1, visitor_id=visitor)
    before = _erase(client, visitor, owner_key).get_json()["visitor_hmac"]
    assert runner.invoke(keys_cli, ["rotate"]).exit_code == 0
    log.post(1, visitor_id=visitor)  # the visitor's browser still has its cookie id
    assert _erase(client, visitor, owner_key).get_json()["visitor_hmac"] == before


def test_an_existing_deployment_keeps_its_pseudonyms_and_its_log_verifies(app, client, site, log, owner_key, runner):
    _signing_key_only()
    old_signing = signing_key()
    visitor = visitor_id()
    log.post(2, visitor_id=visitor)
    log.seal()
    ensure_server_keys()  # what the upgrade's `consent-server db upgrade` does
    assert erasure_secret() == legacy_secret(old_signing)
    # The pseudonym is the one the old code made: HMAC keyed from the signing key.
    legacy = hmac.new(legacy_secret(old_signing), f"shop\x00{visitor}".encode(), hashlib.sha256).hexdigest()
    assert _erase(client, visitor, owner_key).get_json()["visitor_hmac"] == legacy
    log.seal()
    assert runner.invoke(keys_cli, ["rotate"]).exit_code == 0
    log.post(1, visitor_id=visitor)
    assert _erase(client, visitor, owner_key).get_json()["visitor_hmac"] == legacy
    log.seal()
    result = log.verify(log.export(site))
    assert result.exit_code == 0, result.output
    assert "3 records, 2 erasure events" in result.output


def _run(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def fresh_env(database_url, tmp_path) -> dict:
    """The environment of a new deployment on this test's database: an empty instance folder."""
    instance = tmp_path / "fresh-instance"
    return {**os.environ, "CONSENT_DATABASE_URL": database_url, "CONSENT_INSTANCE_DIR": str(instance),
            "CONSENT_WORKERS": "1", "CONSENT_SEAL_INTERVAL": "0"}


def test_db_upgrade_creates_the_keys_once(fresh_env):
    instance = Path(fresh_env["CONSENT_INSTANCE_DIR"])
    first = _run(fresh_env, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "wrote signing key" in first.stdout and "wrote erasure secret" in first.stdout
    files = {name: (instance / name).read_bytes() for name in ("signing_key.pem", "erasure_key")}
    assert all(stat.S_IMODE((instance / name).stat().st_mode) == 0o600 for name in files)
    again = _run(fresh_env, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert "wrote" not in again.stdout
    assert files == {name: (instance / name).read_bytes() for name in files}


@pytest.mark.slow
def test_serve_refuses_without_keys_and_serves_after_db_upgrade(fresh_env):
    port = free_port()
    refused = _run(fresh_env, "serve", "--bind", f"127.0.0.1:{port}", timeout=60)
    assert refused.returncode == 1
    assert "no signing key" in refused.stderr and "consent-server db upgrade" in refused.stderr
    assert _run(fresh_env, "db", "upgrade").returncode == 0
    log = Path(fresh_env["CONSENT_INSTANCE_DIR"]) / "serve.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen([*CLI, "serve", "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=fresh_env,
                                  stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def answer() -> list[requests.Response]:  # in a list: a response with an error status is false
            assert server.poll() is None, log.read_text()
            try:
                return [requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2)]
            except requests.ConnectionError:
                return []

        answered = eventually(answer, 60)
        assert answered, "serve did not answer within a minute"
        assert answered[0].status_code == 200, answered[0].text
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
