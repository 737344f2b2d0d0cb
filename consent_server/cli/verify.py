"""``consent-server verify FILE [--keys keys.json|URL]``: offline, no database and no app are loaded."""
from __future__ import annotations

import sys

import click

from ..ledger.tool import run_verify
from .base import Command


@click.command("verify", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--keys", default=None, help="keys.json file or URL of /.well-known/consent-server/keys.json.")
@click.option("--workers", type=int, default=None, help="Processes for large files (default: CPU count).")
def verify_command(file: str, keys: str | None, workers: int | None) -> None:
    """Verify a proof export: signatures, Merkle roots, hash chain, policy hashes; names the first bad record."""
    code = run_verify(file, keys, out=sys.stdout, err=sys.stderr, workers=workers)
    if code:
        sys.exit(code)
