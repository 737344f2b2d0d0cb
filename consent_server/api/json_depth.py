"""How deep a JSON text nests, found without parsing it. Pure.

Python's json parser recurses once per level, so a 16 KiB body of "[" exhausts the
interpreter's recursion limit (a RecursionError: a 500) near 1,000 levels, and how near
depends on how deep the stack already is (the consent lane, Flask's view, webargs). A body
nested deeper than MAX_DEPTH is refused before any parser sees it, the same way on every path.
"""
from __future__ import annotations

import re
from itertools import accumulate

# Four times as deep as the deepest document the API takes (a policy content nests 8 levels).
MAX_DEPTH = 32
# A string (to the end of the text when unterminated, so the scan stays linear) or a bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, brackets inside strings not counted."""
    steps = (1 if token in ("[", "{") else -1 for token in _TOKEN.findall(text) if token[0] != '"')
    return max(accumulate(steps, initial=0))


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether `text` nests arrays and objects more than `limit` levels deep."""
    # A text cannot nest deeper than it has opening brackets: the common case costs two counts.
    return text.count("[") + text.count("{") > limit and nesting_depth(text) > limit
