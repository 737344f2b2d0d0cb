"""Spreadsheet formula-injection neutralisation (pure, no Flask).

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is read
as a formula by Excel and LibreOffice; a leading tab or carriage return is
stripped by some importers and then exposes the next character. Visitor ids,
page paths and user agents come from the browser, so an attacker controls
them. Following OWASP's advice we prefix such a value with a single quote,
which both programs display as text and never evaluate.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TRIGGERS = frozenset("=+-@\t\r")
PREFIX = "'"


def neutralise(value: str) -> str:
    """Return ``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if value and value[0] in TRIGGERS:
        return PREFIX + value
    return value


def is_dangerous(value: str) -> bool:
    """True when ``value`` would be read as a formula (before neutralisation)."""
    return bool(value) and value[0] in TRIGGERS


def neutralise_row(row: Sequence[Any]) -> list[Any]:
    """Neutralise every text cell of a row; other values (numbers) pass unchanged.

    One comprehension with the test inlined: this runs for every cell of a
    million-row export, where a function call per cell would halve the rate.
    """
    return [
        PREFIX + value if value.__class__ is str and value and value[0] in TRIGGERS else value
        for value in row
    ]
