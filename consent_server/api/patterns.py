"""Whole-string patterns: every pattern that checks input matches the whole string, no less.

Python's `$` also matches before a final newline, so `re.match("^[a-z]+$", "abc\\n")`
accepts "abc\\n": a visitor id, site key or receipt id with a trailing newline would pass.
Patterns keep their `^...$` (the same text is published in the OpenAPI spec and the JSON
Schemas, where `$` means the end of the string) and are applied with `fullmatch` here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator

from jsonschema import ValidationError as SchemaError
from marshmallow import ValidationError, validate

# A bare `$` (not escaped, not inside a character class) of a JSON Schema pattern.
_DOLLAR = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\$")


class FullMatch(validate.Regexp):
    """marshmallow's Regexp over the whole string (the spec still shows the pattern)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self.error.format(input=value, regex=self.regex.pattern))
        return value


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema (ECMA-262) pattern as a Python regex whose `$` is the end of the string."""
    return re.compile(_DOLLAR.sub(lambda match: r"\Z" if match.group() == "$" else match.group(), pattern))


def schema_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[SchemaError]:
    """The JSON Schema `pattern` keyword with ECMA-262's `$` (jsonschema's `re.search` has Python's)."""
    if validator.is_type(instance, "string") and ecma_regex(pattern).search(instance) is None:
        yield SchemaError(f"{instance!r} does not match {pattern!r}")
