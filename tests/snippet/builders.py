"""Builders for the snippet's browser tests: Debian's Chromium, a visitor on the demo shop, waits on its pages and rows."""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select

from consent_server.extensions import db
from consent_server.models import Consent
from tests.builders import eventually
from tests.servers import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser), closed afterwards."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (listed in .ci/apt-packages.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
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
    if not eventually(lambda: page.evaluate(expression), timeout):
        raise AssertionError(f"timed out waiting for: {expression}")


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
    eventually(lambda: len(rows(visitor_id)) >= count, timeout)
    return rows(visitor_id)


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
