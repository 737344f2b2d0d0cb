"""`consent-server export SITE ...`: the auditor export to a file, through the API's code path."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from ..domain.sites import get_site
from ..exports.params import ExportArgs, filters_from
from ..exports.service import build_export
from .base import Command


@click.command("export", cls=Command)
@click.argument("site_key", metavar="SITE")
@click.option("--from", "from_", help="Records recorded at or after (YYYY-MM-DD or RFC 3339).")
@click.option("--to", help="Records recorded before; a date includes that whole day.")
@click.option("--purpose", help="Only records that decided this purpose.")
@click.option("--decision", type=click.Choice(["granted", "denied"]), help="With --purpose: granted or denied.")
@click.option("--action", help="Only records made with this action.")
@click.option("--format", "fmt", default="csv", show_default=True,
              type=click.Choice(["csv", "jsonl", "xlsx", "iso27560"]), help="Output format.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for standard output).")
@with_appcontext
def export_command(site_key: str, from_, to, purpose, decision, action, fmt: str, output: str) -> None:
    """Export a site's consent log (same filters and formats as GET /api/v1/sites/SITE/consents)."""
    raw = {"from": from_, "to": to, "purpose": purpose, "decision": decision, "action": action, "format": fmt}
    try:
        args = ExportArgs().load({k: v for k, v in raw.items() if v is not None})
        export = build_export(get_site(site_key), args["format"], filters_from(args))
    except ValidationError as error:
        raise click.UsageError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.messages.items())) from error
    written = 0
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    try:
        for chunk in export.chunks:
            out.write(chunk)
            written += len(chunk)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    if output != "-":
        click.echo(f"wrote {written} bytes to {output}", err=True)
