"""`consent-server serve` (gunicorn as deployed) and `consent-server demo` (the demo site and shop)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from ..domain.sites import create_site, get_site
from ..extensions import db
from ..proofs.server_keys import ensure_server_keys
from .base import Command

DEMO_SITE = "demo"
DEMO_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")


def _gunicorn_config() -> str:
    local = Path.cwd() / "deploy" / "gunicorn.conf.py"
    return str(local) if local.exists() else "python:consent_server.http.gunicorn_conf"


@click.command("serve", cls=Command)
@click.option("--bind", default=None, help="HOST:PORT (default 127.0.0.1:8000 or CONSENT_BIND).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 2 x cores + 1).")
@with_appcontext  # the app loads first, as for every command of the app's group: a bad config fails here
def serve(bind: str | None, workers: int | None) -> None:
    """Serve with gunicorn and deploy/gunicorn.conf.py."""
    args = [sys.executable, "-m", "gunicorn", "-c", _gunicorn_config()]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    args.append("consent_server.wsgi:app")
    os.execv(sys.executable, args)


@click.command("demo", cls=Command)
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
