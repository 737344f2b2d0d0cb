"""How deep a JSON text nests, counted without a recursive parser."""
from __future__ import annotations

import json
import time

import pytest

from consent_server.api.json_depth import MAX_DEPTH, nesting_depth, too_deep


@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0),
    ("[]", 1),
    ('{"a": [1, {"b": []}]}', 4),
    ('["[[[[", "{{\\"]]"]', 1),  # brackets and escaped quotes inside strings do not count
    ('"unterminated [[[', 0),
])
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth


def test_the_limit_is_exclusive():
    assert not too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not too_deep(json.dumps(["[" * 100]))  # many brackets, all in a string


def test_a_hostile_text_is_scanned_in_linear_time():
    # Many unterminated strings after enough brackets: a scan that retried each quote would be quadratic.
    text = "[" * (MAX_DEPTH + 1) + '"\\"' * 5000
    started = time.perf_counter()
    assert too_deep(text)
    assert time.perf_counter() - started < 0.5
