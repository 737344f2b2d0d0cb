"""Fixtures for the snippet's tests: a real gunicorn serving the demo shop, and Debian's Chromium via Playwright."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from consent_server.models import Consent
from tests.conftest import ROOT, make_live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "tests" / "artifacts"
JS_DIR = ROOT / "js-snippet"
# The first-party URLs of the demo page's blocked pieces (consent_server/web/demo_assets.py).
BLOCKED = {
    "analytics": "/demo-assets/analytics.js",
    "ads": "/demo-assets/ads.js",
    "youtube": "/demo-assets/youtube-embed.html",
    "affiliate": "/demo-assets/pixel.gif",
}
PURPOSES = ("necessary", "analytics", "ads", "youtube", "affiliate")
# Collects CSP violations and the order of dataLayer pushes before any page script runs.
INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


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
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (listed in .ci/apt-packages.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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


@dataclass
class Visitor:
    """One browser context (one visitor) on the demo shop, with what its pages requested and logged."""

    context: Any
    base: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page: Any = None

    def open(self, path: str = "/") -> Any:
        """Open a page (a new tab each time, like a new page view)."""
        if self.page is not None:
            self.page.close()
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.goto(self.base + path)
        return self.page

    def requested(self, path: str) -> bool:
        """Was a URL with this path requested (by any page of this visitor)?"""
        return any(urlsplit(u).path == path for u in self.requests)

    def cookie(self) -> dict | None:
        """The decoded cs_consent cookie."""
        for c in self.context.cookies():
            if c["name"] == "cs_consent":
                return json.loads(unquote(c["value"]))
        return None

    def cookie_names(self) -> set[str]:
        return {c["name"] for c in self.context.cookies()}

    def wait_receipt(self) -> dict:
        """Wait until the server's receipt id is in the cookie, then return the cookie."""
        wait_js(self.page, "document.cookie.includes('cs_consent') && "
                           "JSON.parse(decodeURIComponent(document.cookie.split('cs_consent=')[1]"
                           ".split(';')[0])).r !== null")
        return self.cookie()


def wait_js(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JS expression from Python until it is truthy. Unlike page.wait_for_function, whose in-page
    polling evaluates strings, this works under a CSP without 'unsafe-eval' and adds no violation of its own."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.05)


@pytest.fixture
def visitor(browser, shop) -> Iterator[Visitor]:
    """A fresh visitor (empty cookie jar and storage)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(INIT_SCRIPT)
    yield Visitor(context=context, base=shop.url)
    context.close()


def make_visitor(browser, shop, **context_args: Any) -> Visitor:
    """A visitor with extra context options (headers, viewport ...); close its context yourself."""
    context = browser.new_context(**context_args)
    context.add_init_script(INIT_SCRIPT)
    return Visitor(context=context, base=shop.url)


def rows(visitor_id: str) -> list[Consent]:
    """The visitor's consent rows, oldest first, as the server committed them."""
    db.session.rollback()
    return list(db.session.scalars(select(Consent).where(Consent.visitor_id == visitor_id).order_by(Consent.id)))


def wait_rows(visitor_id: str, count: int, timeout: float = 10.0) -> list[Consent]:
    """Wait until the server has `count` rows for the visitor (reports are sent in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        found = rows(visitor_id)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot under tests/artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))



def texts(lang: str = "sv") -> dict[str, str]:
    """Our default banner texts in one language (what the demo site shows)."""
    from consent_server.web.snippet import default_texts

    return default_texts()[lang]


def click(page: Any, key: str, lang: str = "sv") -> None:
    """Click the banner button whose default text is texts(lang)[key], in whichever layer is shown."""
    page.locator(".cs").get_by_role("button", name=texts(lang)[key], exact=True).click()


def open_prefs(page: Any, lang: str = "sv") -> None:
    """Open the second layer from the first."""
    click(page, "customise", lang)
    page.wait_for_selector(".cs-2")


def switch(page: Any, purpose: str) -> Any:
    """The switch of one purpose in the second layer."""
    return page.locator(f"#cs-p-{purpose}")


def with_wp_standin(visitor: Visitor) -> None:
    """Print the WP Consent API stand-in at the end of <body> of every shop page, as WordPress does."""
    standin = (Path(__file__).parent / "wp_consent_api_standin.js").read_text()

    def page_with_footer_script(route: Any) -> None:
        response = route.fetch()
        html = response.text().replace("</body>", '<script src="/wp-content/plugins/wp-consent-api/'
                                                  'assets/js/wp-consent-api.js"></script></body>')
        route.fulfill(response=response, body=html)

    visitor.context.route(lambda url: urlsplit(url).path in ("/", "/demo-assets/shop"), page_with_footer_script)
    visitor.context.route("**/wp-consent-api.js", lambda route: route.fulfill(body=standin,
                                                                              content_type="text/javascript"))
