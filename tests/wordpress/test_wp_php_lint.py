"""Static checks of the plugin: every PHP file parses, the headers say what WordPress needs."""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.wordpress import wp_harness as harness

FILES = harness.php_files()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(harness.ROOT)) for p in FILES])
def test_php_file_parses(path):
    harness.require_wordpress()
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_there_are_php_files_to_lint():
    assert len([p for p in FILES if p.is_relative_to(harness.PLUGIN_DIR)]) >= 8


@pytest.mark.parametrize("header, value", [
    ("Plugin Name", "Consent Server"),
    ("Requires at least", "6.1"),
    ("Requires PHP", "7.4"),
    ("License", "GPL-2.0-or-later"),
    ("Text Domain", "consent-server"),
])
def test_main_file_header(header, value):
    text = (harness.PLUGIN_DIR / "consent-server.php").read_text()
    assert re.search(rf"^\s*\*\s*{re.escape(header)}:\s*{re.escape(value)}\s*$", text, re.M)


def test_every_included_file_refuses_direct_access():
    for path in harness.PLUGIN_DIR.rglob("*.php"):
        text = path.read_text()
        guard = "WP_UNINSTALL_PLUGIN" if path.name == "uninstall.php" else "ABSPATH"
        assert f"defined( '{guard}' )" in text, path


def test_plugin_never_defines_wp_consent_api_functions():
    names = ("wp_has_consent", "wp_set_consent", "wp_get_consent_type", "consent_api_registered")
    for path in harness.PLUGIN_DIR.rglob("*.php"):
        for name in names:
            assert not re.search(rf"function\s+{name}\s*\(", path.read_text()), (path, name)


def test_no_php8_only_syntax():
    """PHP 7.4 is the floor: no match, nullsafe, named arguments, union or mixed types, str_contains."""
    pattern = re.compile(r"\bmatch\s*\(|\?->|\bstr_(contains|starts_with|ends_with)\(|\):\s*mixed|\bfn\(.*\)\s*:\s*\w+\|")
    for path in harness.PLUGIN_DIR.rglob("*.php"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not pattern.search(line), f"{path}:{number}: {line}"
