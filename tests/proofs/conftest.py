"""Fixtures for proof tests against the real database: a signing key, sealed records, exports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_server.cli.keys import keys_cli
from consent_server.cli.verify import verify_command
from consent_server.extensions import db
from consent_server.proofs.proof_export import iter_jsonl_lines
from consent_server.proofs.sealing import seal_all
from tests.builders import CHROME_UA, consent_body

URL = "/api/v1/sites/shop/consents"
ORIGIN = "https://shop.example"


@pytest.fixture
def signed(app, runner):
    """`consent-server keys init` has run for this test's instance."""
    result = runner.invoke(keys_cli, ["init"])
    assert result.exit_code == 0, result.output
    return result


class Log:
    """Drive the real log: post consents over HTTP, seal, export, verify."""

    def __init__(self, client, tmp_path: Path):
        self.client = client
        self.tmp = tmp_path

    def post(self, n: int = 1, **body) -> list[str]:
        """Post ``n`` consents to site "shop"; returns their receipt ids."""
        receipts = []
        for _ in range(n):
            response = self.client.post(URL, json=consent_body(**{"page_url": f"{ORIGIN}/kassa?x=1", **body}),
                                        headers={"Origin": ORIGIN, "User-Agent": CHROME_UA})
            assert response.status_code == 201, response.get_json()
            receipts.append(response.get_json()["receipt_id"])
        return receipts

    def seal(self):
        """Seal everything now (no grace period)."""
        return seal_all(grace=0)

    def export(self, site, name: str = "export.jsonl", **kwargs) -> Path:
        """Write the proof export of ``site`` to a file."""
        path = self.tmp / name
        with path.open("w", encoding="utf-8") as fh:
            fh.writelines(iter_jsonl_lines(site, **kwargs))
        db.session.rollback()
        return path

    def keys(self) -> Path:
        """keys.json as published, saved to a file."""
        path = self.tmp / "keys.json"
        path.write_text(json.dumps(self.client.get("/.well-known/consent-server/keys.json").get_json()))
        return path

    def verify(self, path: Path):
        """Run `consent-server verify FILE --keys keys.json`; returns the click result."""
        return CliRunner().invoke(verify_command, [str(path), "--keys", str(self.keys())])


@pytest.fixture
def log(client, tmp_path) -> Log:
    return Log(client, tmp_path)
