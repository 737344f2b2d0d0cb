"""The `consent-server` command. REGISTRATION POINT: add click commands/groups to COMMANDS."""
from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .. import create_app
from ..domain.sites import create_key, create_site, get_site, revoke_key
from ..extensions import db
from ..models import ROLES
from ..proofs.server_keys import ensure_server_keys

# "module:attribute" of further commands, added by the parts that own them.
COMMANDS: list[str] = [
    "consent_server.cli.db:db_cli",
    "consent_server.proofs.signing:keys_cli",
    "consent_server.proofs.sealing:seal_command",
    "consent_server.proofs.retention:purge_command",
    "consent_server.cli.verify:verify_command",
    "consent_server.cli.exports:export_command",
    "consent_server.cli.inventory:inventory",
    "consent_server.cli.refusals:refusals_command",
]

DEMO_SITE = "demo"
DEMO_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")


def _create_app() -> object:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """consent-server: cookie consent banner and consent log."""


@cli.group()
def site() -> None:
    """Manage sites."""


@site.command("create")
@click.argument("key")
@click.option("--name", required=True, help="Human name of the site.")
@click.option("--origin", "origins", multiple=True, required=True, help="Allowed browser origin (repeatable).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@with_appcontext
def site_create(key: str, name: str, origins: tuple[str, ...], lang: str) -> None:
    """Create a site with its allowed origins and the default policy."""
    try:
        created = create_site(key=key, name=name, origins=list(origins), language=lang)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--origin") from error
    db.session.commit()
    click.echo(f"site {created.key} created (policy version 1, origins: {', '.join(o.origin for o in created.origins)})")


@cli.group()
def key() -> None:
    """Manage API keys."""


@key.command("create")
@click.argument("site_key")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="owner (manage, read), auditor (read) or recorder (record consents from a server, nothing else).")
@with_appcontext
def key_create(site_key: str, role: str) -> None:
    """Create an API key; the token is printed once and only its hash is kept."""
    created, token = create_key(site=get_site(site_key), role=role)
    db.session.commit()
    click.echo(f"key {created.id} ({role} of {site_key}); store this token now, it is not shown again:", err=True)
    click.echo(token)


@key.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def key_revoke(key_id: int) -> None:
    """Revoke an API key."""
    revoked = revoke_key(key_id)
    db.session.commit()
    click.echo(f"key {revoked.id} revoked")


def _gunicorn_config() -> str:
    local = Path.cwd() / "deploy" / "gunicorn.conf.py"
    return str(local) if local.exists() else "python:consent_server.http.gunicorn_conf"


@cli.command("serve")
@click.option("--bind", default=None, help="HOST:PORT (default 127.0.0.1:8000 or CONSENT_BIND).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 2 x cores + 1).")
def serve(bind: str | None, workers: int | None) -> None:
    """Serve with gunicorn and deploy/gunicorn.conf.py."""
    args = [sys.executable, "-m", "gunicorn", "-c", _gunicorn_config()]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    args.append("consent_server.wsgi:app")
    os.execv(sys.executable, args)


@cli.command("demo")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@with_appcontext
def demo(bind: str, workers: int) -> None:
    """Migrate, make sure the demo site exists, and serve it with the demo shop at /."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    try:
        get_site(DEMO_SITE)
    except Exception:
        db.session.rollback()
        create_site(key=DEMO_SITE, name="Demobutiken", origins=list(DEMO_ORIGINS), language="sv")
        db.session.commit()
    for line in ensure_server_keys():  # as `db upgrade` does: the demo signs its log from the start
        click.echo(line)
    click.echo(f"demo site ready: http://{bind}/")
    db.engine.dispose()
    os.environ.setdefault("CONSENT_INSTANCE_DIR", current_app.config["CONSENT_INSTANCE_DIR"])
    os.environ["CONSENT_DEMO"] = "1"  # the workers serve the demo shop and its fake assets; `serve` never does
    serve.callback(bind=bind, workers=workers)  # type: ignore[misc]


def register_commands() -> None:
    """Attach the commands other parts registered in COMMANDS."""
    for spec in COMMANDS:
        module, _, attribute = spec.partition(":")
        cli.add_command(getattr(import_module(module), attribute))


def main() -> None:
    """Console-script entry point."""
    register_commands()
    cli(prog_name="consent-server")
