"""`consent-server keys init|rotate|show`: the Ed25519 key that signs the consent log."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..ledger import keys as ledger_keys
from ..proofs.server_keys import ensure_server_keys
from ..proofs.signing import create_key_file, key_path, published_keys, register_key, signing_key
from .base import Group


@click.group("keys", cls=Group)
def keys_cli() -> None:
    """Manage the Ed25519 key that signs the consent log."""


@keys_cli.command("init")
@with_appcontext
def keys_init() -> None:
    """Create the signing key (instance/signing_key.pem) and the erasure secret (instance/erasure_key), mode 0600."""
    if current_app.config.get("CONSENT_SIGNING_KEY"):
        signing_key()
        click.echo("CONSENT_SIGNING_KEY is set: using it, no file written")
    elif key_path().exists():
        raise click.ClickException(f"{key_path()} exists already; use `consent-server keys rotate` to replace it")
    for line in ensure_server_keys():
        click.echo(line)


@keys_cli.command("rotate")
@with_appcontext
def keys_rotate() -> None:
    """Replace the signing key; old public keys stay published so old heads still verify."""
    if current_app.config.get("CONSENT_SIGNING_KEY"):
        raise click.ClickException("CONSENT_SIGNING_KEY is set: put the new key there and restart (it is registered on first use)")
    old = signing_key(required=False)
    key = create_key_file()
    row = register_key(key)
    db.session.commit()
    click.echo(f"signing key {row.key_id} is current" + (f"; {ledger_keys.key_id(old)} retired" if old else ""))


@keys_cli.command("show")
@with_appcontext
def keys_show() -> None:
    """Print the published keys (the content of keys.json)."""
    click.echo(json.dumps({"keys": published_keys()}, indent=2))
