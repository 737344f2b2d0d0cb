"""The cookie-policy page in real headless Chromium: axe-core finds no serious or critical violation in
either language, it prints without its button, and the banner's second layer lists the same storage as
the page. Screenshots go to tests/artifacts/ (gitignored)."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from tests.snippet.builders import launched_chromium

from .builders import REJECT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_VERSION = "4.11.4"


@pytest.fixture(scope="session")
def axe_script(tmp_path_factory) -> Path:
    """axe.min.js: the snippet's dev dependency if installed, else a private npm install (never committed)."""
    local = ROOT / "js-snippet" / "node_modules" / "axe-core" / "axe.min.js"
    if local.exists():
        return local
    prefix = tmp_path_factory.mktemp("axe")
    subprocess.run(["npm", "install", "--silent", "--no-save", "--prefix", str(prefix), f"axe-core@{AXE_VERSION}"],
                   check=True, capture_output=True, timeout=300)
    return prefix / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser) -> Iterator:
    # bypass_csp: axe-core goes in as an inline script, which the page's CSP refuses (tests/web
    # checks the pages under their CSP).
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def _policy_url(server, lang: str, extra: str = "") -> str:
    return f"{server.url}/sites/demo/cookie-policy?lang={lang}{extra}"


def _serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in violations if v["impact"] in ("serious", "critical")]


def _axe(page, axe_script: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_script))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def test_page_on_the_consent_server_shows_no_banner(live_server, page) -> None:
    # The page lives on the consent server's origin: a decision made there would be refused
    # (that origin is not the shop's) and its cookie would land in the wrong cookie jar.
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(_policy_url(live_server, "en"), wait_until="load")
    page.wait_for_selector("#cs-cookie-policy")
    assert page.evaluate("typeof window.ConsentServer") == "undefined"
    assert page.locator(".cs-1, .cs-2, [data-consent-open]").count() == 0
    assert not [url for url in requested if "/c/" in url or url.endswith("/consents")]
    assert "Cookie settings" in page.locator("#cs-change").inner_text()
    assert page.context.cookies() == []


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_page_has_no_serious_axe_violations(live_server, page, axe_script, lang: str) -> None:
    page.goto(_policy_url(live_server, lang))
    page.wait_for_selector("#cs-cookie-policy")
    assert page.locator("html").get_attribute("lang") == lang
    assert _serious(_axe(page, axe_script)) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"cookie-policy-{lang}.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / f"cookie-policy-{lang}-top.png"))
    page.locator("#cs-purpose-youtube").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"cookie-policy-{lang}-youtube.png"))


def test_fragment_has_no_serious_axe_violations(live_server, page, axe_script) -> None:
    # The shortcode embeds the fragment in a WordPress page; check it in a minimal host page.
    page.goto(live_server.url + "/healthz")
    html = page.request.get(_policy_url(live_server, "sv", "&fragment=1")).text()
    page.set_content(f'<!doctype html><html lang="sv"><head><title>Kakor</title></head><body><main>{html}</main></body></html>')
    assert _serious(_axe(page, axe_script)) == []


def _site_page(page, server, lang: str, body: str = "") -> None:
    """A page of the site (on the origin registered for "demo") with the banner tag first in <head>."""
    page.goto(server.url + "/healthz")
    page.set_content(f'<!doctype html><html lang="{lang}"><head><script src="{server.url}/c/demo.js"></script>'
                     f'<title>Shop</title></head><body><main>{body}</main></body></html>')
    page.wait_for_selector(".cs-1")


def _embedded(page, server, lang: str) -> None:
    """The fragment in a page of the site, as the WordPress shortcode embeds it."""
    page.goto(server.url + "/healthz")
    _site_page(page, server, lang, page.request.get(_policy_url(server, lang, "&fragment=1")).text())


def test_print_hides_the_settings_button(live_server, page) -> None:
    _embedded(page, live_server, "en")
    page.get_by_role("button", name=REJECT["en"]).first.click()
    page.wait_for_selector(".cs-1", state="detached")
    button = page.locator(".cs-policy [data-consent-open]")
    assert button.is_visible()
    page.emulate_media(media="print")
    assert not button.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "cookie-policy-en.pdf"), format="A4")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_second_layer_shows_the_same_storage_as_the_page(live_server, page, lang: str) -> None:
    page.goto(_policy_url(live_server, lang))
    on_page = page.eval_on_selector_all(".cs-policy code.cs-storage-name", "els => els.map(e => e.textContent)")
    purposes_page = page.eval_on_selector_all(".cs-policy section[data-purpose] h2", "els => els.map(e => e.textContent)")
    # The banner lives on the site's own pages.
    _site_page(page, live_server, lang)
    page.evaluate("ConsentServer.open()")
    page.wait_for_selector(".cs-2")
    in_banner = page.eval_on_selector_all(".cs-2 details li li code", "els => els.map(e => e.textContent)")
    assert len(on_page) > 40
    assert sorted(in_banner) == sorted(on_page)
    purposes_banner = page.eval_on_selector_all(".cs-2 .cs-p label", "els => els.map(e => e.textContent)")
    assert all(any(label.startswith(title) for label in purposes_banner) for title in purposes_page)
