"""The consent-server command: sites, keys, migrations."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from consent_server.cli import cli
from consent_server.extensions import db
from consent_server.models import ApiKey, PolicyVersion, Site
from consent_server.sites import hash_token


def test_site_create(runner, app):
    result = runner.invoke(cli, ["site", "create", "butik", "--name", "Butiken", "--origin", "https://Butik.example/",
                                 "--origin", "http://localhost:8080", "--lang", "en"])
    assert result.exit_code == 0, result.output
    site = db.session.scalar(select(Site).where(Site.key == "butik"))
    assert site.default_language == "en"
    assert [o.origin for o in site.origins] == ["https://butik.example", "http://localhost:8080"]
    assert db.session.scalar(select(PolicyVersion.version).where(PolicyVersion.site_id == site.id)) == 1


def test_site_create_refuses_duplicates_and_bad_origins(runner, app, site):
    assert runner.invoke(cli, ["site", "create", "shop", "--name", "x", "--origin", "https://a.example"]).exit_code != 0
    assert runner.invoke(cli, ["site", "create", "new", "--name", "x", "--origin", "ftp://a.example"]).exit_code != 0


def test_key_create_prints_token_once_and_stores_only_a_hash(runner, app, site):
    result = runner.invoke(cli, ["key", "create", "shop", "--role", "auditor"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    key = db.session.scalar(select(ApiKey))
    assert key.role == "auditor"
    assert key.token_hash == hash_token(token) and token not in key.token_hash


def test_db_upgrade_from_scratch(tmp_path):
    """A fresh SQLite database gets the whole schema from the migrations via the real command."""
    env = {"CONSENT_INSTANCE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "consent_server.cli"]
    subprocess.run([*command, "db", "upgrade"], env=env, check=True, capture_output=True)
    out = subprocess.run([*command, "db", "current"], env=env, check=True, capture_output=True, text=True)
    assert "(head)" in out.stdout
