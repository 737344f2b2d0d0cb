"""In a real browser: nothing blocked runs or is requested before consent; each choice unblocks exactly its part."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.snippet.builders import BLOCKED, PURPOSES, click, open_prefs, switch, wait_rows

pytestmark = pytest.mark.browser


def test_nothing_blocked_is_requested_or_run_before_consent(visitor, shop):
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    page.wait_for_load_state("networkidle")
    assert not any(visitor.requested(path) for path in BLOCKED.values())
    assert page.evaluate("window.demoLog") is None
    assert visitor.cookie_names() == set()
    assert page.locator("iframe[data-consent]").get_attribute("src") is None
    assert page.locator(".cs-ph").count() == 2  # the video and the affiliate pixel
    own = urlsplit(shop.url).netloc
    assert {urlsplit(u).netloc for u in visitor.requests} == {own}  # no third party at all


def test_accept_all_runs_everything_in_document_order(visitor):
    page = visitor.open("/")
    click(page, "accept_all")
    page.wait_for_function("window.demoLog && window.demoLog.length === 3")
    assert page.evaluate("window.demoLog") == ["analytics-external", "analytics-inline", "ads-external"]
    page.wait_for_load_state("networkidle")
    assert all(visitor.requested(path) for path in BLOCKED.values())
    assert page.locator(".cs-ph").count() == 0 and page.locator(".cs").count() == 0
    stored = visitor.wait_receipt()
    assert stored["c"] == {p: 1 for p in PURPOSES}
    [row] = wait_rows(stored["v"], 1)
    assert row.action == "accept_all" and row.choices == {p: True for p in PURPOSES}
    assert row.receipt_id == stored["r"] and row.policy_version == stored["p"] == 1
    assert row.page_path == "/"


def test_reject_all_runs_and_requests_nothing(visitor):
    page = visitor.open("/")
    click(page, "reject_all")
    stored = visitor.wait_receipt()
    page.wait_for_load_state("networkidle")
    assert not any(visitor.requested(path) for path in BLOCKED.values())
    assert page.evaluate("window.demoLog") is None
    assert stored["c"] == {"necessary": 1, "analytics": 0, "ads": 0, "youtube": 0, "affiliate": 0}
    [row] = wait_rows(stored["v"], 1)
    assert row.action == "reject_all"
    assert row.choices == {"necessary": True, "analytics": False, "ads": False, "youtube": False, "affiliate": False}


@pytest.mark.parametrize("purpose", ["analytics", "ads", "youtube", "affiliate"])
def test_one_purpose_unblocks_only_its_own_part(visitor, purpose):
    page = visitor.open("/")
    open_prefs(page)
    assert all(not switch(page, p).is_checked() for p in PURPOSES if p != "necessary")  # nothing pre-ticked
    assert switch(page, "necessary").is_checked() and switch(page, "necessary").is_disabled()
    switch(page, purpose).check()
    click(page, "save")
    stored = visitor.wait_receipt()
    page.wait_for_load_state("networkidle")
    assert {p for p, path in BLOCKED.items() if visitor.requested(path)} == {purpose}
    [row] = wait_rows(stored["v"], 1)
    assert row.action == "custom"
    assert row.choices == {p: p in ("necessary", purpose) for p in PURPOSES}


def test_elements_added_later_are_blocked_and_unblocked(visitor):
    page = visitor.open("/")
    page.wait_for_load_state("networkidle")
    page.evaluate("""() => {
      const s = document.createElement('script');
      s.type = 'text/plain'; s.dataset.consent = 'analytics';
      s.text = "(window.demoLog = window.demoLog || []).push('late')";
      document.body.append(s);
      const f = document.createElement('iframe');
      f.dataset.consent = 'youtube'; f.dataset.src = '/demo-assets/youtube-embed.html?late=1'; f.id = 'late';
      document.body.append(f);
    }""")
    page.wait_for_function("document.querySelectorAll('.cs-ph').length === 3")
    assert page.evaluate("window.demoLog") is None
    click(page, "accept_all")
    page.wait_for_function("window.demoLog && window.demoLog.includes('late')")
    page.wait_for_function("document.getElementById('late').src.includes('late=1')")
    page.evaluate("""() => {
      const s = document.createElement('script');
      s.type = 'text/plain'; s.dataset.consent = 'analytics';
      s.text = "window.demoLog.push('after-consent')";
      document.body.append(s);
    }""")
    page.wait_for_function("window.demoLog.includes('after-consent')")


def test_placeholder_load_once_loads_only_that_video(visitor):
    page = visitor.open("/")
    click(page, "reject_all")
    visitor.wait_receipt()
    page.locator(".cs-ph").first.get_by_role("button", name="Visa bara detta").click()
    page.wait_for_function("document.querySelector('iframe[data-consent]').src.endsWith('youtube-embed.html')")
    assert visitor.requested(BLOCKED["youtube"]) and not visitor.requested(BLOCKED["affiliate"])
    assert visitor.cookie()["c"]["youtube"] == 0
    assert len(wait_rows(visitor.cookie()["v"], 1)) == 1  # no new decision


def test_placeholder_allow_everywhere_records_a_decision(visitor):
    page = visitor.open("/")
    page.locator(".cs-ph").first.get_by_role("button", name="Tillåt alltid").click()
    page.wait_for_function("document.querySelector('iframe[data-consent]').src.endsWith('youtube-embed.html')")
    stored = visitor.wait_receipt()
    assert stored["c"]["youtube"] == 1 and stored["c"]["analytics"] == 0
    [row] = wait_rows(stored["v"], 1)
    assert row.action == "placeholder" and row.choices["youtube"] is True and row.choices["ads"] is False
    assert page.locator(".cs").count() == 0
    page2 = visitor.open("/")  # everywhere: the next page loads it at once
    page2.wait_for_function("document.querySelector('iframe[data-consent]').src.endsWith('youtube-embed.html')")
