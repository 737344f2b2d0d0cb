"""The `consent-server` command. REGISTRATION POINT: import a click command or group and add it to COMMANDS.

A plain click group, not Flask's FlaskGroup: its top level lists our commands only (no
`-A/--app`, `--debug`, `-e/--env-file`, nor the commands Flask and extensions add); those are
under `dev`. A domain error (domain/errors.py) ends any command as one line on stderr,
`Error: <message>`, and exit status 1 (base.py's classes: every command of ours is declared
with them, and this group, one of them, covers the rest).
"""
from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, routes_command, run_command, shell_command

from .. import create_app
from .base import Group
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


def _create_app() -> Flask:
    return create_app()


class ConsentGroup(Group):
    """The top-level group: its commands run against create_app's app; domain errors become one line."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        # What with_appcontext loads the app from; a test's runner passes its own app instead.
        extra.setdefault("obj", ScriptInfo(create_app=_create_app, set_debug_flag=False, load_dotenv_defaults=False))
        return super().make_context(info_name, args, parent, **extra)


class DevGroup(click.Group):
    """Flask's development commands, and those extensions register on app.cli that are not ours (openapi).

    flask-migrate's own `db` stays out: ours (db.py) is the one whose upgrade makes the server's keys.
    """

    def _app_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        app = ctx.ensure_object(ScriptInfo).load_app()
        if not current_app:  # as with_appcontext does: the extensions' commands expect the app's context
            ctx.with_resource(app.app_context())
        ours = {command.name for command in COMMANDS}
        return {name: command for name, command in app.cli.commands.items() if name not in ours}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._app_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._app_commands(ctx).get(name)


dev = DevGroup("dev", help="Development tools: Flask's run, shell and routes, and extensions' commands.",
               commands=[run_command, shell_command, routes_command])


@click.group(cls=ConsentGroup, commands=[*COMMANDS, dev])
def cli() -> None:
    """consent-server: cookie consent banner and consent log."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="consent-server")
