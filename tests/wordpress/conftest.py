"""Fixtures for the WordPress plugin tests: one real WordPress per run, our server per test, Chromium.

WordPress tests never skip in CI: .ci/run installs php-cli, php-mysql and wordpress, so a missing
piece is a failure. Locally, CONSENT_SKIP_WORDPRESS=1 skips them.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

import pytest
import requests

from consent_server.extensions import db
from consent_server.domain.policies import current_policy, publish_policy
from consent_server.domain.sites import create_key, create_site

from tests.servers import make_live_server
from tests.snippet.builders import launched_chromium
from tests.wordpress import wp_harness as harness

SITE_KEY = "wpshop"


@pytest.fixture(scope="session")
def wordpress() -> Iterator[harness.WordPress]:
    """A WordPress installed for this run, our plugin, the test fixtures and WooCommerce (or its stand-in) active."""
    harness.require_wordpress()
    wp = harness.WordPress().start()
    try:
        posts = wp.ops(activate=[harness.OUR_PLUGIN, harness.FIXTURES_PLUGIN, harness.WOOCOMMERCE_PLUGIN],
                       posts=harness.POSTS)["posts"]
        wp.posts = {key: value["url"] for key, value in posts.items()}
        yield wp
    finally:
        wp.stop()


@pytest.fixture(params=["without-wp-consent-api", "with-wp-consent-api"])
def lane(request, wordpress) -> str:
    """Run a test with the WP Consent API absent, then present (the stand-in, or WP_CONSENT_API_DIR)."""
    if request.param == "with-wp-consent-api":
        wordpress.ops(activate=[harness.CONSENT_API_PLUGIN])
    else:
        wordpress.ops(deactivate=[harness.CONSENT_API_PLUGIN])
    return request.param


@dataclass
class Shop:
    """The WordPress shop wired to a live consent server for one test."""

    wp: harness.WordPress
    server_url: str
    site: object

    def publish(self, change) -> int:
        """Publish a new policy version made by `change(content)`; returns its number."""
        content = copy.deepcopy(current_policy(self.site).content)
        change(content)
        policy = publish_policy(site=self.site, content=content, material=True)
        db.session.commit()
        return policy.version

    def publish_through_api(self, change) -> int:
        """As the site's owner would: PUT the inventory made by `change(inventory)`, marked material; its version."""
        _, token = create_key(site=self.site, role="owner")
        db.session.commit()
        url = f"{self.server_url}/api/v1/sites/{self.site.key}/inventory"
        inventory = requests.get(url, timeout=10).json()["inventory"]
        change(inventory)
        answer = requests.put(url, json={"inventory": inventory, "material": True},
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["changed"] is True, answer.text
        return answer.json()["policy_version"]


def wire_shop(wordpress: harness.WordPress, server_url: str) -> Shop:
    """Create site "wpshop" (origin = the WordPress URL) and point the plugin at the server."""
    site = create_site(key=SITE_KEY, name="WordPress-butiken", origins=[wordpress.url], language="sv")
    db.session.commit()
    wordpress.ops(options={"consent_server_url": server_url, "consent_server_site": SITE_KEY},
                  delete_options=["consent_server_script_map"])
    return Shop(wp=wordpress, server_url=server_url, site=site)


@pytest.fixture
def shop(wordpress, live_server) -> Iterator[Shop]:
    """Site "wpshop" on a live consent server, origin = the WordPress URL; the plugin pointed at it."""
    yield wire_shop(wordpress, live_server.url)


@pytest.fixture
def revalidating_shop(wordpress, app, database_url, instance) -> Iterator[Shop]:
    """As `shop`, on a server with CONSENT_SNIPPET_MAX_AGE=0: browsers and the plugin revalidate the config every time."""
    server = make_live_server(database_url, instance, CONSENT_SNIPPET_MAX_AGE="0")
    shop = wire_shop(wordpress, server.url)
    server.start()
    yield shop
    server.stop()


@pytest.fixture(scope="package")  # only one sync Playwright may run at a time in a session
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def context(chromium):
    """A fresh browser profile (no cookies) per test."""
    ctx = chromium.new_context()
    # A failure bound, not a speed check: WordPress under `php -S` on a loaded 2-core machine
    # once took over Playwright's default 30 s for an admin page.
    ctx.set_default_timeout(90_000)
    yield ctx
    ctx.close()

