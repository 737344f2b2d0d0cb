"""`consent-server keys init|rotate` and the published keys.json."""
from __future__ import annotations

import base64
import stat

from consent_server.cli.keys import keys_cli
from consent_server.ledger import keys as ledger_keys
from consent_server.proofs.signing import key_path, signing_key

WELL_KNOWN = "/.well-known/consent-server/keys.json"


def test_init_writes_a_private_key_readable_only_by_its_owner(app, runner):
    result = runner.invoke(keys_cli, ["init"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_path().stat().st_mode) == 0o600
    assert ledger_keys.key_id(signing_key()) in result.output


def test_init_refuses_to_overwrite(app, runner, signed):
    result = runner.invoke(keys_cli, ["init"])
    assert result.exit_code != 0
    assert "rotate" in result.output


def test_keys_json_publishes_the_key(client, signed):
    response = client.get(WELL_KNOWN)
    assert response.status_code == 200
    (entry,) = response.get_json()["keys"]
    assert entry["key_id"] == ledger_keys.key_id(signing_key())
    assert entry["alg"] == "Ed25519" and entry["retired_at"] is None
    assert base64.b64decode(entry["public_key"]) == ledger_keys.public_raw(signing_key())


def test_rotation_keeps_the_old_public_key_published(app, client, runner, signed):
    old = ledger_keys.key_id(signing_key())
    result = runner.invoke(keys_cli, ["rotate"])
    assert result.exit_code == 0, result.output
    new = ledger_keys.key_id(signing_key())
    entries = {e["key_id"]: e for e in client.get(WELL_KNOWN).get_json()["keys"]}
    assert set(entries) == {old, new}
    assert entries[old]["retired_at"] is not None and entries[new]["retired_at"] is None
    assert stat.S_IMODE(key_path().stat().st_mode) == 0o600


def test_configured_key_is_used_without_a_file(database_url, instance):
    from consent_server import create_app
    from tests.servers import test_config

    seed = ledger_keys.generate()
    text = base64.b64encode(seed.private_bytes_raw()).decode()
    application = create_app(test_config(database_url, instance, CONSENT_SIGNING_KEY=text))
    with application.app_context():
        result = application.test_cli_runner().invoke(keys_cli, ["init"])
        assert result.exit_code == 0, result.output
        assert not key_path().exists()
        assert ledger_keys.key_id(signing_key()) == ledger_keys.key_id(seed)
        from consent_server.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_configured_key_may_be_a_pem_file_path(database_url, instance, tmp_path):
    from consent_server import create_app
    from consent_server.extensions import db
    from consent_server.proofs.signing import write_private_key
    from tests.servers import test_config

    key = ledger_keys.generate()
    path = tmp_path / "elsewhere.pem"
    write_private_key(path, key)
    application = create_app(test_config(database_url, instance, CONSENT_SIGNING_KEY=str(path)))
    with application.app_context():
        assert ledger_keys.key_id(signing_key()) == ledger_keys.key_id(key)
        db.session.remove()
        db.engine.dispose()
