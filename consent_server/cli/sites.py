"""`consent-server site create` and `consent-server key create|revoke`: sites and their API keys."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..domain.sites import create_key, create_site, get_site, revoke_key
from ..extensions import db
from ..models import LANGUAGES, ROLES
from .base import Group


@click.group(cls=Group)
def site() -> None:
    """Manage sites."""


@site.command("create")
@click.argument("key")
@click.option("--name", required=True, help="Human name of the site.")
@click.option("--origin", "origins", multiple=True, required=True, help="Allowed browser origin (repeatable).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="sv", show_default=True)
@with_appcontext
def site_create(key: str, name: str, origins: tuple[str, ...], lang: str) -> None:
    """Create a site with its allowed origins and the default policy."""
    try:
        created = create_site(key=key, name=name, origins=list(origins), language=lang)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--origin") from error
    db.session.commit()
    click.echo(f"site {created.key} created (policy version 1, origins: {', '.join(o.origin for o in created.origins)})")


@click.group(cls=Group)
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
