"""In Chromium: a consent POST the server refuses (4xx) never looks like success to the page. The decision
still holds on the page (what the visitor chose is respected), but no receipt is kept, nothing is queued
for a retry that would be refused again, and the page hears of it (`consent:error`, a console warning)."""
from __future__ import annotations

from typing import Iterator

import pytest

from consent_server.domain.sites import create_site
from consent_server.extensions import db
from consent_server.models import RefusalCount
from tests.servers import make_live_server

from .builders import INIT_SCRIPT, Visitor, click, wait_js

pytestmark = pytest.mark.browser

# Collects consent:error events before the snippet runs.
ERRORS = "window.__errors = []; document.addEventListener('consent:error', e => window.__errors.push(e.detail));"


@pytest.fixture
def foreign_shop(app, database_url, instance) -> Iterator:
    """The demo shop, with site "demo" registered for another origin: every decision here is refused (403)."""
    server = make_live_server(database_url, instance, CONSENT_SNIPPET_MAX_AGE="0", CONSENT_REFUSAL_FLUSH="0",
                              CONSENT_DEMO="1")
    create_site(key="demo", name="Demobutiken", origins=["https://elsewhere.example"], language="sv")
    db.session.commit()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def refused_visitor(browser, foreign_shop) -> Iterator[Visitor]:
    context = browser.new_context()
    context.add_init_script(INIT_SCRIPT + ERRORS)
    yield Visitor(context=context, base=foreign_shop.url)
    context.close()


def test_a_refused_decision_is_reported_as_an_error_not_a_receipt(refused_visitor: Visitor) -> None:
    page = refused_visitor.open("/")
    with page.expect_response(lambda r: r.url.endswith("/consents") and r.request.method == "POST") as posted:
        click(page, "accept_all")
    assert posted.value.status == 403
    wait_js(page, "window.__errors.length > 0")
    assert page.evaluate("window.__errors") == [
        {"status": 403, "code": "origin_not_allowed", "action": "accept_all"}]
    assert any(line.startswith("warning: consent-server: decision not recorded (403 origin_not_allowed)")
               for line in refused_visitor.console)
    # The choice holds on the page, without a receipt, and is not queued to be refused again.
    assert refused_visitor.cookie()["r"] is None
    assert page.evaluate("ConsentServer.get().receipt_id") is None
    assert page.evaluate("ConsentServer.has('analytics')") is True
    assert page.evaluate("localStorage.getItem('cs_pending')") in (None, "[]")
    # The refusal was counted for the site, with the page's origin.
    db.session.rollback()
    assert [(r.reason, r.origin, r.count) for r in db.session.query(RefusalCount)] == [
        ("origin_not_allowed", refused_visitor.base, 1)]
