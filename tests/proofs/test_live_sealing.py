"""Against a real gunicorn: the background sealer seals, and `consent-server verify` checks with keys from a URL."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
import sqlalchemy as sa

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.builders import consent_body, eventually
from tests.servers import make_live_server

pytestmark = pytest.mark.slow


@pytest.fixture
def sealing_server(app, database_url, instance, signed):
    server = make_live_server(database_url, instance, CONSENT_SEAL_INTERVAL="0.2", CONSENT_SEAL_GRACE="0")
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    server.start()
    yield server
    server.stop()


def _verify(path, keys):
    return subprocess.run([sys.executable, "-m", "consent_server.cli", "verify", str(path), "--keys", keys],
                          capture_output=True, text=True, timeout=60)


def test_background_sealer_seals_and_verify_uses_published_keys(sealing_server, tmp_path, app):
    url = sealing_server.url
    receipts = []
    for _ in range(6):
        response = requests.post(f"{url}/api/v1/sites/demo/consents", json=consent_body(), headers={"Origin": url},
                                 timeout=10)
        assert response.status_code == 201
        receipts.append(response.json()["receipt_id"])
    def sealed() -> bool:
        return all(requests.get(f"{url}/api/v1/receipts/{r}", timeout=10).json()["proof"] for r in receipts)

    assert eventually(sealed, 60), "the background sealer did not seal within a minute"

    from consent_server.domain.sites import get_site
    from consent_server.proofs.proof_export import iter_jsonl_lines

    path = tmp_path / "export.jsonl"
    path.write_text("".join(iter_jsonl_lines(get_site("demo"))))
    keys_url = f"{url}/.well-known/consent-server/keys.json"
    ok = _verify(path, keys_url)
    assert ok.returncode == 0, ok.stderr
    assert "6 records" in ok.stdout

    db.session.execute(sa.text("UPDATE consents SET language = 'en' WHERE receipt_id = :r"), {"r": receipts[4]})
    db.session.commit()
    path.write_text("".join(iter_jsonl_lines(get_site("demo"))))
    bad = _verify(path, keys_url)
    assert bad.returncode == 1
    assert f"first bad record: {receipts[4]}" in bad.stderr
    assert json.loads(requests.get(keys_url, timeout=10).text)["keys"]
