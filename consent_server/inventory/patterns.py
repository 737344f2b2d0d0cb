"""JSON Schema `pattern` with ECMA-262's `$`: every pattern that checks a document matches to the end, no less.

Python's `$` also matches before a final newline, so `re.search("^[a-z]+$", "abc\\n")`
accepts "abc\\n". The schemas keep their `^...$` (in a JSON Schema `$` means the end of
the string) and are applied here with `$` read as `\\Z`. The API's marshmallow fields do
the same with `FullMatch` (api/patterns.py).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator

from jsonschema import ValidationError as SchemaError

# A bare `$` (not escaped, not inside a character class) of a JSON Schema pattern.
_DOLLAR = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\$")


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema (ECMA-262) pattern as a Python regex whose `$` is the end of the string."""
    return re.compile(_DOLLAR.sub(lambda match: r"\Z" if match.group() == "$" else match.group(), pattern))


def schema_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[SchemaError]:
    """The JSON Schema `pattern` keyword with ECMA-262's `$` (jsonschema's `re.search` has Python's)."""
    if validator.is_type(instance, "string") and ecma_regex(pattern).search(instance) is None:
        yield SchemaError(f"{instance!r} does not match {pattern!r}")
