"""The `consent-server` command. REGISTRATION POINT: import a click command or group and add it to COMMANDS."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from .. import create_app
from .db import db_cli
from .exports import export_command
from .inventory import inventory
from .keys import keys_cli
from .purge import purge_command
from .refusals import refusals_command
from .seal import seal_command
from .serve import demo, serve
from .sites import key, site
from .verify import verify_command

# Every command of our own, each from the module of cli/ named after it.
COMMANDS: list[click.Command] = [
    site,
    key,
    serve,
    demo,
    db_cli,
    keys_cli,
    seal_command,
    purge_command,
    verify_command,
    export_command,
    inventory,
    refusals_command,
]


def _create_app() -> object:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False, commands=COMMANDS)
def cli() -> None:
    """consent-server: cookie consent banner and consent log."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="consent-server")
