"""In a real browser: a strict nonce-based CSP accepts the snippet, its styles and the scripts it unblocks;
the banner is an overlay (no layout shift)."""
from __future__ import annotations

import pytest

from tests.snippet.builders import click, open_prefs, wait_js

pytestmark = pytest.mark.browser
CSP_SHOP = "/demo-assets/shop?csp=strict"


def violations(visitor, page) -> list[str]:
    logged = [line for line in visitor.console if "Content Security Policy" in line or "Refused" in line]
    return page.evaluate("window.__csp") + logged


def test_strict_csp_shows_the_styled_banner_without_violations(visitor):
    page = visitor.open(CSP_SHOP)
    banner = page.locator(".cs-1")
    banner.wait_for()
    # Our stylesheet applied (it would be refused without the nonce): the banner is a fixed overlay.
    assert banner.evaluate("el => getComputedStyle(el).position") == "fixed"
    open_prefs(page)
    assert page.locator(".cs-2").evaluate("el => getComputedStyle(el).overflowY") == "auto"
    assert violations(visitor, page) == []


def test_strict_csp_runs_unblocked_scripts_in_order(visitor):
    page = visitor.open(CSP_SHOP)
    click(page, "accept_all")
    wait_js(page, "window.demoLog && window.demoLog.length === 3")
    assert page.evaluate("window.demoLog") == ["analytics-external", "analytics-inline", "ads-external"]
    visitor.wait_receipt()
    page = visitor.open(CSP_SHOP)  # and again from the stored decision, on a new nonce
    wait_js(page, "window.demoLog && window.demoLog.length === 3")
    assert violations(visitor, page) == []


def test_banner_causes_no_layout_shift(visitor):
    visitor.context.add_init_script("""
      window.__shift = 0;
      new PerformanceObserver(list => list.getEntries().forEach(e => { window.__shift += e.value; }))
        .observe({type: 'layout-shift', buffered: true});
    """)
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    page.wait_for_load_state("networkidle")
    open_prefs(page)
    page.keyboard.press("Escape")
    page.wait_for_selector(".cs-1")
    assert page.evaluate("window.__shift") == 0
