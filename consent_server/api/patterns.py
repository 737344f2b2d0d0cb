"""Whole-string patterns: every pattern that checks input matches the whole string, no less.

Python's `$` also matches before a final newline, so `re.match("^[a-z]+$", "abc\\n")`
accepts "abc\\n": a visitor id, site key or receipt id with a trailing newline would pass.
Patterns keep their `^...$` (the same text is published in the OpenAPI spec and the JSON
Schemas, where `$` means the end of the string) and are applied with `fullmatch` here
(the JSON Schemas' `pattern` keyword: inventory/patterns.py).
"""
from __future__ import annotations

from marshmallow import ValidationError, validate


class FullMatch(validate.Regexp):
    """marshmallow's Regexp over the whole string (the spec still shows the pattern)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self.error.format(input=value, regex=self.regex.pattern))
        return value
