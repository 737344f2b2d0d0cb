"""The shipped consent.js: fresh against js-snippet/src, within the size budget, free of string evaluation."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess

import pytest

from consent_server.web.snippet import SLOT, built_snippet, default_texts, script_json, shipped_source_hash, source_hash
from tests.snippet.builders import JS_DIR

BUDGET_GZIP_BYTES = 8 * 1024


def gzip9(data: bytes) -> int:
    """Size after `gzip -9` (mtime fixed so the figure is reproducible)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def test_shipped_file_records_the_current_sources():
    assert shipped_source_hash() == source_hash(JS_DIR), "consent.js is stale: run `make snippet`"


def test_rebuild_is_identical_to_the_shipped_file(js_modules):
    result = subprocess.run([shutil.which("npm"), "--prefix", str(JS_DIR), "run", "--silent", "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_config_slot_occurs_exactly_once():
    assert built_snippet().count(SLOT) == 1


def test_js_css_and_both_languages_fit_the_budget():
    shipped = built_snippet().replace(SLOT, script_json({"texts": default_texts()})).encode()
    assert gzip9(shipped) <= BUDGET_GZIP_BYTES


@pytest.mark.parametrize("pattern", [r"\beval\s*\(", r"new\s+Function", r"innerHTML", r"outerHTML",
                                     r"insertAdjacentHTML", r"document\.write", r"setAttribute\(\s*['\"]style"])
def test_no_string_evaluation_or_html_injection(pattern):
    sources = "\n".join(p.read_text() for p in (JS_DIR / "src").glob("*.js"))
    assert not re.search(pattern, sources)
    assert not re.search(pattern, built_snippet())


def test_default_texts_have_every_key_in_both_languages():
    texts = default_texts()
    assert set(texts) == {"sv", "en"}
    assert set(texts["sv"]) == set(texts["en"])
    used = set(re.findall(r"\bt\.([a-z_]+)|\['([a-z_]+)', [a-z]+\]", (JS_DIR / "src" / "ui.js").read_text()))
    keys = {a or b for a, b in used}
    assert keys <= set(texts["sv"]), keys - set(texts["sv"])
    assert all(value.strip() for lang in texts.values() for value in lang.values())
    json.dumps(texts)
