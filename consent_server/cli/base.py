"""The click classes of every `consent-server` command: a domain error ends it as one line, exit status 1."""
from __future__ import annotations

from typing import Any

import click

from ..domain.errors import DomainError


class OneLineErrors:
    """Turn a domain error into click's `Error: <message>` on stderr and exit status 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except DomainError as error:  # an expected refusal, not our bug
            raise click.ClickException(error.message) from error


class Command(OneLineErrors, click.Command):
    """A command of ours (also when invoked on its own, as tests do)."""


class Group(OneLineErrors, click.Group):
    """A group of ours; the commands and groups it declares are ours too."""

    command_class = Command
    group_class = type  # subgroups of the same class
