"""Static checks of the plugin: every PHP file parses, the headers say what WordPress needs."""
from __future__ import annotations

import json
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


README = (harness.PLUGIN_DIR / "readme.txt").read_text()


@pytest.mark.parametrize("field", ["Requires at least: 6.1", "Requires PHP: 7.4", "Stable tag: 0.1.0",
                                   "License: GPLv2 or later", "Tested up to: 6.1"])
def test_readme_header(field):
    header = README.split("\n\n", 1)[0]
    assert README.startswith("=== Consent Server ===\n") and field in header.splitlines()


def test_readme_short_description_fits_the_directory():
    short = README.split("\n\n")[1]
    assert "\n" not in short and len(short) <= 150


@pytest.mark.parametrize("section", ["Description", "Installation", "Frequently Asked Questions", "For developers",
                                     "WooCommerce cookies", "Changelog"])
def test_readme_sections(section):
    assert f"\n== {section} ==\n" in README


def test_readme_documents_the_php_helper_beside_the_js_api():
    developers = README.split("== For developers ==")[1].split("\n== ")[0]
    assert "consent_server_has_consent( 'analytics' )" in developers
    assert "window.ConsentServer.has( 'analytics' )" in developers


def test_readme_woocommerce_cookies_match_the_default_inventory():
    inventory = json.loads((harness.ROOT / "consent_server" / "data" / "default_inventory.json").read_text())
    where = {item["name"]: section["purpose"] for section in inventory["sections"]
             for service in section["services"] for item in service["storage"]}
    listed = README.split("== WooCommerce cookies ==")[1].split("\n== ")[0]
    rows = [line for line in listed.splitlines() if line.startswith("* ")]
    assert len(rows) >= 7
    for row in rows:
        names, purpose = re.findall(r"`([^`]+)`", row.split(" – ")[0]), row.split(" – ")[1]
        for name in names:
            assert where.get(name) == purpose, (name, purpose)
