"""In a real browser: the WP Consent API bridge and WooCommerce order attribution, against a stand-in."""
from __future__ import annotations

import copy
import json
import time
from urllib.parse import quote

import pytest

from consent_server.domain.policies import current_policy, publish_policy
from consent_server.domain.sites import get_site
from consent_server.extensions import db
from tests.snippet.builders import click, open_prefs, switch, with_wp_standin

pytestmark = pytest.mark.browser
ALLOW_ALL = [["functional", "allow"], ["statistics", "allow"], ["marketing", "allow"]]
DENY_ALL = [["functional", "allow"], ["statistics", "deny"], ["marketing", "deny"]]


def wp_log(page) -> dict:
    return page.evaluate("window.__wp")


def test_type_is_optin_and_announced_on_every_page_view(visitor):
    with_wp_standin(visitor)
    page = visitor.open("/")
    page.wait_for_function("window.__wp && window.__wp.events.length > 0")
    assert page.evaluate("window.wp_consent_type") == "optin"
    assert wp_log(page)["events"] == [["type_defined", "optin"]]
    assert wp_log(page)["calls"] == []  # no decision yet: nothing set, so wp_has_consent() is false
    assert page.evaluate("wp_has_consent('statistics')") is False


def test_every_mapped_category_is_set_on_a_decision_denials_included(visitor):
    with_wp_standin(visitor)
    page = visitor.open("/")
    open_prefs(page)
    switch(page, "analytics").check()
    click(page, "save")
    log = wp_log(page)
    assert log["calls"] == [["functional", "allow"], ["statistics", "allow"], ["marketing", "deny"]]
    assert ["change", "statistics", "allow"] in log["events"]
    assert log["tracking"] == [False]  # ads denied: WooCommerce order attribution off
    assert page.evaluate("wp_has_consent('statistics')") is True
    assert page.evaluate("wp_has_consent('marketing')") is False


def test_marketing_needs_every_purpose_that_maps_to_it(visitor):
    with_wp_standin(visitor)
    page = visitor.open("/")
    open_prefs(page)
    switch(page, "ads").check()  # youtube and affiliate also map to marketing, and stay off
    click(page, "save")
    assert ["marketing", "deny"] in wp_log(page)["calls"]
    assert wp_log(page)["tracking"] == [True]  # order attribution follows the ads purpose


def test_stored_decision_is_passed_on_at_every_page_view_before_the_announcement(visitor):
    with_wp_standin(visitor)
    page = visitor.open("/")
    click(page, "accept_all")
    visitor.wait_receipt()
    page = visitor.open("/")
    page.wait_for_function("window.__wp && window.__wp.events.some(e => e[0] === 'type_defined')")
    log = wp_log(page)
    assert log["calls"] == ALLOW_ALL
    assert log["tracking"] == [True]
    assert log["events"][-1] == ["type_defined", "optin"]  # WooCommerce reads the cookies when it hears this


def test_without_the_wp_consent_api_only_type_and_event(visitor):
    visitor.context.add_init_script("document.addEventListener('wp_consent_type_defined', "
                                    "() => window.__defined = (window.__defined || 0) + 1)")
    page = visitor.open("/")
    page.wait_for_function("window.__defined === 1")
    assert page.evaluate("window.wp_consent_type") == "optin"
    assert page.evaluate("typeof window.wp_set_consent") == "undefined"
    click(page, "accept_all")
    visitor.wait_receipt()
    errors = [line for line in visitor.console if line.startswith("error") and "favicon" not in line]
    assert not [line for line in errors if "404" not in line]


def publish_material_change(visitor) -> None:
    """The owner publishes a material change: the stored decision no longer holds."""
    site = get_site("demo")
    content = copy.deepcopy(current_policy(site).content)
    content["texts"]["sv"]["banner_title"] = "Vi har ändrat våra kakor"
    publish_policy(site=site, content=content, material=True)
    db.session.commit()


def age_the_decision(visitor) -> None:
    """The stored decision passes max_age_days (365 in the served config)."""
    stored = visitor.cookie()
    stored["t"] = int(time.time()) - 366 * 86400
    visitor.context.add_cookies([{"name": "cs_consent", "value": quote(json.dumps(stored)), "url": visitor.base}])


@pytest.mark.parametrize("expire", [publish_material_change, age_the_decision])
def test_while_the_banner_asks_again_every_category_is_denied(visitor, expire):
    with_wp_standin(visitor)
    page = visitor.open("/")
    click(page, "accept_all")
    visitor.wait_receipt()
    assert page.evaluate("wp_has_consent('marketing')") is True
    expire(visitor)
    page = visitor.open("/")
    page.wait_for_selector(".cs-1")
    page.wait_for_function("window.__wp && window.__wp.events.some(e => e[0] === 'type_defined')")
    log = wp_log(page)
    assert log["calls"] == DENY_ALL  # the old "allow" cookies no longer speak for the visitor
    assert log["tracking"] == [False]
    assert page.evaluate("wp_has_consent('marketing')") is False
    assert page.evaluate("wp_has_consent('statistics')") is False
    assert page.evaluate("window.ConsentServer.get()") is None
