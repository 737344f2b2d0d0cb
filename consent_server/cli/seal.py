"""`consent-server seal`: seal unsealed consent records now, as the background sealer does."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..proofs.sealing import seal_all
from ..proofs.signing import SigningKeyMissing
from .base import Command


@click.command("seal", cls=Command)
@click.option("--site", "site_key", default=None, help="Only this site.")
@click.option("--grace", type=float, default=None, help="Seconds a record must be old (default CONSENT_SEAL_GRACE).")
@click.option("--sweep", is_flag=True, help="Look for unsealed records over the whole log (slow on large logs).")
@with_appcontext
def seal_command(site_key: str | None, grace: float | None, sweep: bool) -> None:
    """Seal unsealed consent records into signed batches now."""
    try:
        results = seal_all(site_key=site_key, grace=grace, sweep=sweep)
    except SigningKeyMissing as error:
        raise click.ClickException(str(error)) from None
    for r in results:
        click.echo(f"{r.site}: batch {r.batch}, {r.size} leaves, log size {r.tree_size}")
    click.echo(f"{len(results)} batches sealed")
