"""`consent-server purge`: remove sealed batches past retention, keeping a signed checkpoint."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Site
from ..proofs.retention import purge_site
from ..proofs.signing import SigningKeyMissing
from ..storage.disk_erasure import truncate_wal, vacuum_log_tables
from .base import Command


@click.command("purge", cls=Command)
@click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
@click.option("--site", "site_key", default=None, help="Only this site.")
@click.option("--days", type=int, default=None, help="Override CONSENT_RETENTION_DAYS.")
@with_appcontext
def purge_command(dry_run: bool, site_key: str | None, days: int | None) -> None:
    """Remove sealed batches past retention, keeping a signed checkpoint so the rest still verifies."""
    retention = days if days is not None else current_app.config["CONSENT_RETENTION_DAYS"]
    query = select(Site).order_by(Site.id)
    if site_key:
        query = query.where(Site.key == site_key)
    for site in db.session.scalars(query).all():
        try:
            report = purge_site(site, retention_days=retention, dry_run=dry_run)
        except SigningKeyMissing as error:
            raise click.ClickException(str(error)) from None
        verb = "would remove" if dry_run else "removed"
        where = f" (up to batch {report.up_to_batch}, leaf {report.up_to_leaf})" if report.batches else ""
        click.echo(f"{site.key}: {verb} {report.batches} batches, {report.records} records, "
                   f"{report.erasures} erasure events older than {retention} days{where}")
    if not dry_run:
        # Erased values (and purged rows) leave the files too: the SQLite WAL is emptied; on
        # PostgreSQL VACUUM removes the dead tuples that erasures and this purge left
        # (docs/proofs.md, "Erased means gone from disk"). No transaction of ours may stay
        # open meanwhile: on PostgreSQL its snapshot would keep those tuples alive.
        db.session.close()
        truncate_wal(db.engine)
        vacuum_log_tables(db.engine)
