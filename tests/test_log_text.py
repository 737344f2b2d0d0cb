"""Text from outside is written into a log line on one line, unambiguously."""
from __future__ import annotations

import pytest

from consent_server.http.log_text import escape_controls, loggable_path


@pytest.mark.parametrize(("text", "escaped"), [
    ("/c/demo.js", "/c/demo.js"),
    ("/c/x\n203.0.113.5 - [05/Dec/2026]", "/c/x\\n203.0.113.5 - [05/Dec/2026]"),
    ("a\rb\tc", "a\\rb\\tc"),
    ("\x00\x1b[31m\x7f\x85", "\\x00\\x1b[31m\\x7f\\x85"),
    ("\u2028\u2029", "\\u2028\\u2029"),
    ("C:\\path\\n", "C:\\\\path\\\\n"),  # a literal backslash-n stays distinguishable from a newline
    ("smörgås 🥪", "smörgås 🥪"),
])
def test_escape_controls(text, escaped):
    assert escape_controls(text) == escaped
    assert len(escape_controls(text).splitlines()) <= 1


@pytest.mark.parametrize(("path", "logged"), [
    ("/api/v1/sites/shop/visitors/visitorAAAAAAAAAAAAAAAA3/consent", "/api/v1/sites/shop/visitors/-/consent"),
    ("/api/v1/sites/shop/visitors/visitorAAAAAAAAAAAAAAAA3", "/api/v1/sites/shop/visitors/-"),
    ("/api/v1/sites/shop/visitors/v1/receipts", "/api/v1/sites/shop/visitors/-/receipts"),
    ("/api/v1/sites/shop/consents", "/api/v1/sites/shop/consents"),
    ("/c/shop.js", "/c/shop.js"),
])
def test_loggable_path_hides_visitor_ids(path, logged):
    assert loggable_path(path) == logged
