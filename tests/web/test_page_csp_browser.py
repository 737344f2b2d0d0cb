"""In real Chromium: our pages work under their own CSP (their nonced styles applied; on the demo shop the banner
shows and records), and no page reports a CSP violation: the cookie policy, a receipt, the API docs, the demo shop."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from tests.servers import LiveServer, make_live_server
from tests.snippet.builders import INIT_SCRIPT, launched_chromium, texts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def server(app, database_url, instance) -> Iterator[LiveServer]:
    """gunicorn in demo mode with site "demo" (origin = the server's URL)."""
    live = make_live_server(database_url, instance, CONSENT_DEMO="1")
    create_site(key="demo", name="Demobutiken", origins=[live.url], language="sv")
    db.session.commit()
    live.start()
    yield live
    live.stop()


class Tab:
    """One browser context and page, with the CSP violations and console lines it saw."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context()
        self.context.add_init_script(INIT_SCRIPT)  # collects securitypolicyviolation events in window.__csp
        self.console: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.console.append(message.text))
        self.base = base

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def violations(self) -> list[str]:
        refused = [line for line in self.console if "Content Security Policy" in line or "Refused" in line]
        return self.page.evaluate("window.__csp") + refused


@pytest.fixture
def tab(browser, server) -> Iterator[Tab]:
    opened = Tab(browser, server.url)
    yield opened
    opened.context.close()


def style(page: Any, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"el => getComputedStyle(el).{prop}")


def test_cookie_policy_page_under_its_csp(tab):
    page = tab.open("/sites/demo/cookie-policy?lang=en")
    assert style(page, ".cs-policy", "maxWidth") == "960px"  # the page's own nonced stylesheet (60rem)
    assert tab.violations() == []


def test_receipt_page_under_its_csp(tab):
    page = tab.open("/")
    with page.expect_response(lambda r: r.url.endswith("/consents") and r.request.method == "POST") as posted:
        page.locator(".cs").get_by_role("button", name=texts("sv")["accept_all"], exact=True).click()
    receipt = posted.value.json()["receipt_id"]
    page = tab.open(f"/receipts/{receipt}")
    assert style(page, "body", "maxWidth") == "672px"  # 42rem
    assert tab.violations() == []


def test_api_docs_under_its_csp(tab):
    page = tab.open("/api/docs")
    assert style(page, "body", "maxWidth") == "960px"  # 60rem
    assert tab.violations() == []


@pytest.mark.parametrize("path", ["/", "/demo-assets/shop?csp=strict"])
def test_demo_shop_styles_banner_and_recording_with_no_violation(tab, path):
    page = tab.open(path)
    page.locator(".cs-1").wait_for()
    assert style(page, ".cs-1", "position") == "fixed"
    with page.expect_response(lambda r: r.url.endswith("/consents") and r.request.method == "POST") as posted:
        page.locator(".cs").get_by_role("button", name=texts("sv")["accept_all"], exact=True).click()
    assert posted.value.status == 201  # connect-src lets the banner record the decision
    page.locator("iframe[data-consent][src]").wait_for(state="attached")  # the fake video loads in its frame
    page.frame_locator("iframe[data-consent]").locator("p").wait_for()
    assert tab.violations() == []
