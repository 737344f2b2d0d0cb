"""Patterns that check input match whole strings: `$` never stops before a trailing newline."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from consent_server.api.patterns import FullMatch
from consent_server.inventory.patterns import ecma_regex

VISITOR = r"^[A-Za-z0-9_-]{16,64}$"


def test_full_match_takes_the_whole_string():
    check = FullMatch(VISITOR)
    assert check("visitorAAAAAAAAAAAAAAAA3") == "visitorAAAAAAAAAAAAAAAA3"
    for value in ("visitorAAAAAAAAAAAAAAAA3\n", "visitorAAAAAAAAAAAAAAAA3\nx", "short"):
        with pytest.raises(ValidationError):
            check(value)


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    ("^[a-z]{2}$", "sv", True),
    ("^[a-z]{2}$", "sv\n", False),
    ("^P", "P1Y\n", True),  # no `$`: a prefix is enough, as in ECMA-262
    ("^(https?://|/)", "/x", True),
    (r"^a\$$", "a$", True),  # an escaped dollar is a dollar
    (r"^a\$$", "a$\n", False),
    ("^[$]+$", "$$", True),  # so is one in a character class
    ("^[$]+$", "$$\n", False),
])
def test_json_schema_patterns_have_ecma_dollar(pattern, text, matches):
    assert (ecma_regex(pattern).search(text) is not None) is matches
