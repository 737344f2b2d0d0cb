"""End to end in Chromium: after a non-material inventory change a returning visitor is not asked again;
after a material one (a new service) the banner asks again. The owner changes the inventory over the API."""
from __future__ import annotations

import json
from typing import Iterator
from urllib.parse import unquote

import pytest
import requests

from consent_server.domain.sites import create_key, create_site
from consent_server.extensions import db
from tests.servers import make_live_server
from tests.snippet.builders import launched_chromium

from .builders import REJECT, content, find_section, service

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app, database_url, instance) -> Iterator:
    live = make_live_server(database_url, instance, CONSENT_DEMO="1")  # the demo shop is a page of site "demo"
    create_site(key="demo", name="Demobutiken", origins=[live.url], language="en")
    db.session.commit()
    live.start()
    yield live
    live.stop()


@pytest.fixture
def owner(server) -> str:
    from consent_server.domain.sites import get_site

    _, token = create_key(site=get_site("demo"), role="owner")
    db.session.commit()
    return token


@pytest.fixture
def browser() -> Iterator:
    with launched_chromium() as chromium:
        yield chromium


def _visit(browser, url: str, cookies: list[dict]) -> tuple[bool, list[dict], int]:
    """Load the page in a fresh context (no HTTP cache) with the visitor's cookies.

    Returns whether the banner asked, the cookies afterwards, and the policy version the page shows.
    The snippet runs synchronously in <head>, so by the load event it has decided whether to ask.
    """
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(url, wait_until="load")
    asked = page.locator(".cs-1").count() == 1
    if asked:
        with page.expect_response(lambda r: r.url.endswith("/consents") and r.request.method == "POST"):
            page.get_by_role("button", name=REJECT["sv"]).first.click()
    after = context.cookies()
    # The banner lives on the site's pages; the policy page (on the consent server) names the version.
    page.goto(url + "sites/demo/cookie-policy?lang=en")
    shown = int(page.locator(".cs-policy").get_attribute("data-policy-version"))
    context.close()
    return asked, after, shown


def _put(server, token: str, inventory: dict) -> dict:
    response = requests.put(f"{server.url}/api/v1/sites/demo/inventory", json={"inventory": inventory},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _decision(cookies: list[dict]) -> dict:
    value = next(c["value"] for c in cookies if c["name"] == "cs_consent")
    return json.loads(unquote(value))


def test_banner_asks_again_only_after_a_material_change(server, owner, browser) -> None:
    url = f"{server.url}/"  # the demo shop, a page of site "demo"
    asked, cookies, shown = _visit(browser, url, [])
    assert (asked, shown, _decision(cookies)["p"]) == (True, 1, 1)

    inventory = content()["inventory"]
    find_section(inventory, "analytics")["description"]["en"] = "Helps us see how the shop is used."
    assert _put(server, owner, inventory)["material"] is False
    asked, cookies, shown = _visit(browser, url, cookies)
    assert (asked, shown, _decision(cookies)["p"]) == (False, 2, 1)

    find_section(inventory, "analytics")["services"].append(service("Matomo"))
    assert _put(server, owner, inventory)["material"] is True
    asked, cookies, shown = _visit(browser, url, cookies)
    assert (asked, shown, _decision(cookies)["p"]) == (True, 3, 3)
