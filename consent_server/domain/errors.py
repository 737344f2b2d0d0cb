"""The errors the domain (and storage/, proofs/, exports/) raise: a kind, a machine code, a message.

Pure: no Flask, no HTTP. The kind says what went wrong in the domain's own words; the edges
translate it: errors.py to an HTTP status and the one JSON error shape, cli/ to one line on
stderr and exit status 1.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal of the domain: a machine `code`, a human `message` and per-field `errors`."""

    def __init__(self, code: str, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """What was asked for does not exist (an unknown site, key, receipt, policy version)."""


class Conflict(DomainError):
    """The change clashes with what exists (a site key already taken)."""


class Invalid(DomainError):
    """The input breaks a domain rule (a bad site key, an unknown purpose, invalid policy content)."""


class Unavailable(DomainError):
    """Something the domain needs is missing for now (the erasure secret); retrying later may work."""
