"""`consent-server refusals SITE`: the site's refused consent POSTs per day, reason and origin."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext

from ..domain.refusals import refusal_counts, refusal_report
from ..domain.sites import get_site
from .base import Command


@click.command("refusals", cls=Command)
@click.argument("site_key")
@click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC), included.")
@click.option("--to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), included.")
@with_appcontext
def refusals_command(site_key: str, from_: datetime | None, to: datetime | None) -> None:
    """Print how many consent POSTs for SITE_KEY were refused, per day, reason and origin, and the totals.

    Counts are written by each server worker every CONSENT_REFUSAL_FLUSH seconds.
    """
    site = get_site(site_key)
    counts = refusal_counts(site.id, from_ and from_.date(), to and to.date())
    for row in counts:
        click.echo("  ".join(str(part) for part in (row["day"], row["reason"], row["count"], row["origin"]) if part))
    report = refusal_report(site.key, counts)
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report["by_reason"].items()))
    click.echo(f"total  {report['total']}" + (f"  ({reasons})" if reasons else ""))
