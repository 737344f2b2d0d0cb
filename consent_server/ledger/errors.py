"""The one error of the ledger: a proof that does not hold."""
from __future__ import annotations


class VerificationError(Exception):
    """A log, receipt or export failed verification; ``record`` names the first bad record when there is one."""

    def __init__(self, message: str, *, line: int | None = None, record: str | None = None):
        self.message = message
        self.line = line
        self.record = record
        where = f"line {line}: " if line is not None else ""
        super().__init__(where + message)
