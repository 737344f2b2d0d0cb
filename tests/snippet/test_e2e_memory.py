"""In a real browser: the decision is remembered, asked again when it must be, reported even after a failure."""
from __future__ import annotations

import copy
import json
import time
from urllib.parse import quote

import pytest
import requests

from consent_server.domain.policies import current_policy, publish_policy
from consent_server.domain.sites import get_site
from consent_server.extensions import db
from tests.snippet.builders import BLOCKED, click, make_visitor, open_prefs, switch, wait_rows

pytestmark = pytest.mark.browser


def new_version(material: bool) -> int:
    site = get_site("demo")
    content = copy.deepcopy(current_policy(site).content)
    content["texts"]["sv"]["banner_title"] = "Vi har ändrat våra kakor"
    version = publish_policy(site=site, content=content, material=material)
    db.session.commit()
    return version.version


def test_reload_remembers_and_runs_at_once(visitor):
    page = visitor.open("/")
    click(page, "accept_all")
    stored = visitor.wait_receipt()
    page = visitor.open("/")
    page.wait_for_function("window.demoLog && window.demoLog.length === 3")
    assert page.locator(".cs").count() == 0
    assert visitor.cookie() == stored
    assert len(wait_rows(stored["v"], 1)) == 1  # a page view is not a new decision


def test_material_version_change_asks_again(visitor):
    page = visitor.open("/")
    click(page, "reject_all")
    first = visitor.wait_receipt()
    assert new_version(material=True) == 2
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    assert page.locator("#cs-t").inner_text() == "Vi har ändrat våra kakor"
    click(page, "accept_all")
    page.wait_for_function("JSON.parse(decodeURIComponent(document.cookie.split('cs_consent=')[1].split(';')[0])).p === 2")
    second = visitor.wait_receipt()
    assert second["v"] == first["v"]  # same visitor id across versions
    rows = wait_rows(first["v"], 2)
    assert [(r.policy_version, r.action) for r in rows] == [(1, "reject_all"), (2, "accept_all")]


def test_non_material_version_change_keeps_the_decision(visitor):
    page = visitor.open("/")
    click(page, "accept_all")
    visitor.wait_receipt()
    new_version(material=False)
    page = visitor.open("/")
    page.wait_for_function("window.demoLog && window.demoLog.length === 3")
    assert page.locator(".cs").count() == 0


def test_decision_older_than_max_age_is_asked_again(visitor, shop):
    old = {"v": "0a1b2c3d-0000-4000-8000-000000000000", "p": 1,
           "c": {"necessary": 1, "analytics": 1, "ads": 1, "youtube": 1, "affiliate": 1},
           "r": "x", "t": int(time.time()) - 366 * 86400}
    visitor.context.add_cookies([{"name": "cs_consent", "value": quote(json.dumps(old)), "url": shop.url}])
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    page.wait_for_load_state("networkidle")
    assert not visitor.requested(BLOCKED["analytics"])


def test_gpc_denies_ads_and_affiliate_and_an_explicit_choice_wins(browser, shop):
    visitor = make_visitor(browser, shop, extra_http_headers={"Sec-GPC": "1"})
    visitor.context.add_init_script("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
                                    "{get: () => true, configurable: true})")
    try:
        page = visitor.open("/")
        stored = visitor.wait_receipt()
        assert stored["c"]["ads"] == 0 and stored["c"]["affiliate"] == 0
        [row] = wait_rows(stored["v"], 1)
        assert row.action == "gpc" and row.gpc is True
        assert row.choices["ads"] is False and row.choices["affiliate"] is False
        page.wait_for_selector(".cs-1")  # still asks: GPC says nothing about analytics or videos
        click(page, "accept_all")
        rows = wait_rows(stored["v"], 2)
        assert rows[-1].action == "accept_all" and rows[-1].choices["ads"] is True
        page = visitor.open("/")  # the explicit choice holds on the next page view: no new GPC record
        page.wait_for_function("window.demoLog && window.demoLog.length === 3")
        assert len(wait_rows(stored["v"], 3, timeout=1)) == 2
    finally:
        visitor.context.close()


def test_withdrawal_deletes_that_purposes_cookies_and_tells_the_page(visitor):
    page = visitor.open("/")
    click(page, "accept_all")
    page.wait_for_function("window.demoLog && window.demoLog.length === 3")
    assert {"_ga", "_ga_DEMO123", "_gcl_au"} <= visitor.cookie_names()
    page.evaluate("document.addEventListener('consent:withdraw', e => window.__withdrawn = e.detail.purposes)")
    page.get_by_role("button", name="Cookieinställningar").click()  # data-consent-open
    page.wait_for_selector(".cs-2")
    assert switch(page, "analytics").is_checked()
    switch(page, "analytics").uncheck()
    click(page, "save")
    page.wait_for_function("window.__withdrawn")
    assert page.evaluate("window.__withdrawn") == ["analytics"]
    names = visitor.cookie_names()
    assert "_ga" not in names and "_ga_DEMO123" not in names
    assert "_gcl_au" in names and "cs_consent" in names  # other purposes' cookies stay
    assert page.get_by_role("status").inner_text() == "Ladda om sidan för att ändringen ska gälla fullt ut."
    rows = wait_rows(visitor.cookie()["v"], 2)
    assert rows[-1].action == "withdraw" and rows[-1].choices["analytics"] is False


def test_failed_report_is_queued_and_sent_on_the_next_page_view(visitor):
    visitor.context.route("**/api/v1/sites/demo/consents", lambda route: route.abort())
    page = visitor.open("/")
    click(page, "accept_all")
    page.wait_for_function("localStorage.getItem('cs_pending') !== null")
    stored = visitor.cookie()
    assert stored["r"] is None
    queued = json.loads(page.evaluate("localStorage.getItem('cs_pending')"))
    assert [q["action"] for q in queued] == ["accept_all"]
    assert wait_rows(stored["v"], 1, timeout=1) == []
    visitor.context.unroute("**/api/v1/sites/demo/consents")
    page = visitor.open("/")
    [row] = wait_rows(stored["v"], 1)
    assert row.action == "accept_all" and row.client_ts is not None
    after = visitor.wait_receipt()
    assert after["r"] == row.receipt_id
    assert page.evaluate("localStorage.getItem('cs_pending')") is None


def test_javascript_api_and_change_event(visitor):
    page = visitor.open("/")
    page.evaluate("""() => {
      window.__events = []; window.__calls = [];
      document.addEventListener('consent:change', e => window.__events.push(e.detail));
      ConsentServer.onChange(d => window.__calls.push(d));
    }""")
    assert page.evaluate("ConsentServer.get()") is None
    assert page.evaluate("ConsentServer.has('necessary')") is True
    assert page.evaluate("ConsentServer.has('analytics')") is False
    open_prefs(page)
    switch(page, "analytics").check()
    click(page, "save")
    detail = page.evaluate("window.__events[0]")
    assert page.evaluate("window.__calls[0]") == detail
    assert detail["action"] == "custom" and detail["policy_version"] == 1
    assert detail["choices"] == {"necessary": True, "analytics": True, "ads": False, "youtube": False,
                                 "affiliate": False}
    assert page.evaluate("ConsentServer.has('analytics')") is True
    assert page.evaluate("ConsentServer.get().visitor_id") == visitor.cookie()["v"]


def test_receipt_id_is_shown_in_the_preferences(visitor):
    page = visitor.open("/")
    click(page, "reject_all")
    stored = visitor.wait_receipt()
    page = visitor.open("/")
    page.evaluate("ConsentServer.open()")
    receipt = page.locator(".cs-r")
    assert stored["r"] in receipt.inner_text()
    assert receipt.inner_text().startswith("Ditt kvitto")
    links = receipt.locator("a")
    assert links.nth(0).get_attribute("href").endswith("/receipts/" + stored["r"])
    assert links.nth(1).inner_text() == "Ladda ner mina kvitton"
    download = links.nth(1).get_attribute("href")
    assert download.endswith(f"/api/v1/sites/demo/visitors/{stored['v']}/receipts?receipt={stored['r']}")
    assert requests.get(download, timeout=10).json()["records"][0]["receipt_id"] == stored["r"]


def test_consent_mode_default_comes_first_and_updates_follow(visitor):
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    layer = page.evaluate("window.dataLayer.map(a => Array.from(a))")
    assert layer == [
        ["consent", "default", {"ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
                                "analytics_storage": "denied", "functionality_storage": "granted",
                                "security_storage": "granted", "wait_for_update": 500}],
        ["set", "ads_data_redaction", True],
    ]
    open_prefs(page)
    switch(page, "analytics").check()
    click(page, "save")
    update = page.evaluate("Array.from(window.dataLayer[2])")
    assert update[:2] == ["consent", "update"]
    assert update[2]["analytics_storage"] == "granted" and update[2]["ad_storage"] == "denied"
    page = visitor.open("/")  # every page view with a stored decision: default, then update, before any tag
    page.wait_for_function("window.demoLog && window.demoLog.length === 2")
    layer = page.evaluate("window.dataLayer.map(a => Array.from(a).slice(0, 2))")
    assert layer == [["consent", "default"], ["set", "ads_data_redaction"], ["consent", "update"]]


def test_reports_are_sent_with_keepalive(visitor):
    """The report outlives the page: fetch is called with keepalive, so navigating away does not cancel it."""
    visitor.context.add_init_script("""
        window.__fetches = [];
        const realFetch = window.fetch;
        window.fetch = function (url, options) {
            window.__fetches.push({url: String(url), keepalive: !!(options && options.keepalive),
                                   method: (options && options.method) || 'GET'});
            return realFetch.apply(this, arguments);
        };
    """)
    page = visitor.open("/")
    click(page, "reject_all")
    visitor.wait_receipt()
    posts = [f for f in page.evaluate("window.__fetches") if f["method"] == "POST" and "/consents" in f["url"]]
    assert posts and all(f["keepalive"] for f in posts)
