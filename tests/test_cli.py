"""The consent-server command: sites, keys, migrations."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from consent_server.cli import cli
from consent_server.domain.sites import hash_token
from consent_server.extensions import db
from consent_server.models import ApiKey, PolicyVersion, Site


def test_site_create(runner, app):
    result = runner.invoke(cli, ["site", "create", "butik", "--name", "Butiken", "--origin", "https://Butik.example/",
                                 "--origin", "http://localhost:8080", "--lang", "en"])
    assert result.exit_code == 0, result.output
    site = db.session.scalar(select(Site).where(Site.key == "butik"))
    assert site.default_language == "en"
    assert [o.origin for o in site.origins] == ["https://butik.example", "http://localhost:8080"]
    assert db.session.scalar(select(PolicyVersion.version).where(PolicyVersion.site_id == site.id)) == 1


def test_site_create_refuses_duplicates_and_bad_origins(runner, app, site):
    duplicate = runner.invoke(cli, ["site", "create", "shop", "--name", "x", "--origin", "https://a.example"])
    assert duplicate.exit_code != 0 and "Site 'shop' already exists." in duplicate.output
    bad_origin = runner.invoke(cli, ["site", "create", "new", "--name", "x", "--origin", "ftp://a.example"])
    assert bad_origin.exit_code != 0 and "not an http(s) origin: 'ftp://a.example'" in bad_origin.output


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


def test_key_create_recorder_makes_a_key_that_records_without_origin(runner, app, site, server_client):
    from tests.builders import consent_body, recorder_headers

    result = runner.invoke(cli, ["key", "create", "shop", "--role", "recorder"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert db.session.scalar(select(ApiKey.role)) == "recorder"
    response = server_client.post("/api/v1/sites/shop/consents", json=consent_body(), headers=recorder_headers(token))
    assert response.status_code == 201, response.json


def test_the_recorder_role_migration_keeps_keys_and_refuses_unknown_roles(blank_database_url, tmp_path):
    """0009_recorder_role widens the role check on SQLite (table rebuilt) and PostgreSQL, both ways."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from consent_server import create_app

    noon = "2026-12-05 12:00:00+00"
    app = create_app({"CONSENT_DATABASE_URL": blank_database_url, "CONSENT_INSTANCE_DIR": str(tmp_path)})
    key_row = ("INSERT INTO api_keys (site_id, role, token_hash, prefix, created_at) "
               "VALUES (1, :role, :hash, 'cs_x', :now)")
    with app.app_context():
        directory = app.extensions["migrate"].directory

        def insert(role: str, n: int) -> None:
            with db.engine.begin() as connection:
                connection.execute(sa.text(key_row), {"role": role, "hash": f"{n:064x}", "now": noon})

        upgrade(directory=directory, revision="0008_cache_notify")
        with db.engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO sites (key, name, default_language, created_at) "
                                       "VALUES ('shop', 'Butik', 'sv', :now)"), {"now": noon})
        insert("owner", 1)
        upgrade(directory=directory, revision="0009_recorder_role")
        insert("recorder", 2)
        with db.engine.connect() as connection:
            roles = connection.execute(sa.text("SELECT role FROM api_keys ORDER BY id")).scalars().all()
        assert roles == ["owner", "recorder"]
        with pytest.raises(sa.exc.IntegrityError):
            insert("janitor", 3)
        downgrade(directory=directory, revision="0008_cache_notify")  # recorder keys go with the role
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT role FROM api_keys")).scalars().all() == ["owner"]
        db.engine.dispose()


def _one_line_error(result, message: str) -> None:
    """The command failed with exit status 1 and exactly `Error: message` on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.output


def test_site_create_of_an_existing_site_is_one_line(runner, app, site):
    result = runner.invoke(cli, ["site", "create", "shop", "--name", "x", "--origin", "https://a.example"])
    _one_line_error(result, "Site 'shop' already exists.")


def test_key_create_for_a_missing_site_is_one_line(runner, app):
    _one_line_error(runner.invoke(cli, ["key", "create", "nosuch", "--role", "owner"]), "No site 'nosuch'.")


def test_key_revoke_of_a_missing_key_is_one_line(runner, app):
    _one_line_error(runner.invoke(cli, ["key", "revoke", "4242"]), "No API key 4242.")


def test_help_lists_our_commands_and_dev_only():
    out = subprocess.run([sys.executable, "-m", "consent_server.cli", "--help"], check=True, capture_output=True,
                         text=True).stdout
    commands = [line.split()[0] for line in out.split("Commands:\n", 1)[1].splitlines() if line.startswith("  ")]
    assert commands == ["db", "demo", "dev", "export", "inventory", "key", "keys", "purge", "refusals", "seal",
                        "serve", "site", "verify"]
    for flask_option in ("--app", "--debug", "--env-file"):
        assert flask_option not in out


def test_dev_holds_flasks_commands(runner, app):
    result = runner.invoke(cli, ["dev", "--help"])
    assert result.exit_code == 0, result.output
    assert {"run", "shell", "routes"} <= {line.split()[0] for line in result.output.split("Commands:\n", 1)[1].splitlines()}
    routes = runner.invoke(cli, ["dev", "routes"])
    assert routes.exit_code == 0 and "/api/v1/sites/<site>/consents" in routes.output, routes.output
