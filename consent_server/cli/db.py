"""`consent-server db`: flask-migrate's command group, whose `upgrade` also creates the server's keys.

`db upgrade` is the one step every deployment runs (once per release; `make run` too), so
it is where a missing signing key or erasure secret is made (server_keys.py): a server
never starts without them. Every other `db` command is flask-migrate's own.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate.cli import db as migrate_db
from flask_migrate.cli import upgrade as migrate_upgrade

from ..proofs.server_keys import ensure_server_keys
from .base import Command, Group


@with_appcontext
def _upgrade(**options) -> None:
    click.get_current_context().invoke(migrate_upgrade, **options)
    if not options["sql"]:  # --sql only prints the migration: nothing is applied
        for line in ensure_server_keys():
            click.echo(line)


db_cli = Group(
    name="db", params=migrate_db.params, callback=migrate_db.callback, help=migrate_db.help,
    commands={name: command for name, command in migrate_db.commands.items() if name != "upgrade"},
)
db_cli.add_command(Command(
    "upgrade", params=migrate_upgrade.params, callback=_upgrade,
    help="Upgrade the schema to a later version, then create the signing key and the erasure secret if none exist.",
))
