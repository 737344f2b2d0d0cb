"""`consent-server inventory ...`: export, import and diff a site's cookie inventory and policy versions."""
from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext

from ..domain.errors import Invalid
from ..domain.policies import current_policy, diff_policies, publish_policy, require_policy
from ..domain.sites import get_site
from ..extensions import db
from ..inventory.formats import FORMATS, FormatError, dumps, guess_format, loads
from .base import Group


def _content_from(doc: Any, current: dict[str, Any]) -> dict[str, Any]:
    """Accept a whole policy content ({inventory, texts}) or a bare inventory ({sections, ...})."""
    if isinstance(doc, dict) and "inventory" in doc:
        return {**current, **doc}
    return {**current, "inventory": doc}


@click.group("inventory", cls=Group)
def inventory() -> None:
    """Export, import and compare a site's cookie inventory."""


@inventory.command("export")
@click.argument("site")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="yaml", show_default=True)
@click.option("--version", "version", type=int, default=None, help="A published version (default: current).")
@with_appcontext
def export(site: str, fmt: str, version: int | None) -> None:
    """Print the site's policy content (inventory and banner texts) as YAML or JSON."""
    record = get_site(site)
    policy = current_policy(record) if version is None else require_policy(record.id, version)
    click.echo(dumps(policy.content, fmt), nl=False)


@inventory.command("import")
@click.argument("site")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the file name.")
@click.option("--material/--not-material", default=None,
              help="Force whether visitors are asked again (default: the materiality rule decides).")
@with_appcontext
def import_(site: str, file: Any, fmt: str | None, material: bool | None) -> None:
    """Publish FILE (a whole policy content or just an inventory) as the site's next policy version."""
    record = get_site(site)
    try:
        doc = loads(file.read(), fmt or guess_format(file.name or ""))
    except FormatError as error:
        raise click.ClickException(str(error)) from error
    current = current_policy(record)
    try:
        created = publish_policy(site=record, content=_content_from(doc, current.content), material=material)
    except Invalid as error:  # with each field's errors, one line each
        db.session.rollback()
        lines = [f"  {path}: {'; '.join(messages)}" for path, messages in error.errors.items()]
        raise click.ClickException("\n".join([error.message, *lines])) from error
    db.session.commit()
    if created is None:
        click.echo(f"unchanged: {site} stays at policy version {current.version}")
    else:
        kind = "material, visitors are asked again" if created.material else "not material"
        click.echo(f"published {site} policy version {created.version} ({kind})")


@inventory.command("diff")
@click.argument("site")
@click.argument("a", type=int)
@click.argument("b", type=int)
@with_appcontext
def diff(site: str, a: int, b: int) -> None:
    """Print, as JSON, what changed from version A to version B, section by section."""
    record = get_site(site)
    result = diff_policies(require_policy(record.id, a), require_policy(record.id, b))
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
