"""Fixtures for the snippet's tests: a real gunicorn serving the demo shop, and Debian's Chromium via Playwright."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.servers import make_live_server
from tests.snippet.builders import INIT_SCRIPT, JS_DIR, launched_chromium, Visitor


@pytest.fixture(scope="session")
def js_modules() -> Path:
    """js-snippet/node_modules (esbuild, axe-core), installed from package-lock.json when missing."""
    modules = JS_DIR / "node_modules"
    npm = shutil.which("npm")
    assert npm and shutil.which("node"), "node and npm are needed for the snippet's tests (apt-get install nodejs npm)"
    if not ((modules / "esbuild").exists() and (modules / "axe-core" / "axe.min.js").exists()):
        subprocess.run([npm, "--prefix", str(JS_DIR), "ci", "--no-audit", "--no-fund"], check=True)
    return modules


@pytest.fixture(scope="package")  # not "session": one sync Playwright at a time (tests/wordpress has its own)
def browser():
    """One headless Debian Chromium for the snippet's tests."""
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def shop(app, database_url, instance):
    """gunicorn in demo mode (the demo shop at /) with site "demo" (origin = the server's URL); the snippet is
    revalidated on every view."""
    server = make_live_server(database_url, instance, CONSENT_SNIPPET_MAX_AGE="0", CONSENT_DEMO="1")
    create_site(key="demo", name="Demobutiken", origins=[server.url], language="sv")
    db.session.commit()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def visitor(browser, shop) -> Iterator[Visitor]:
    """A fresh visitor (empty cookie jar and storage)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(INIT_SCRIPT)
    yield Visitor(context=context, base=shop.url)
    context.close()


