"""What the plugin prints and stores, checked over HTTP on the real WordPress (no browser)."""
from __future__ import annotations

import json
import re

import pytest
import requests

from tests.wordpress import wp_harness as harness

pytestmark = pytest.mark.slow


def call(wp, fn: str, *args):
    return wp.run_php(harness.HERE / "php" / "call.php", CS_CALL=json.dumps({"fn": fn, "args": list(args)}))["result"]


def head_of(url: str) -> str:
    html = requests.get(url, timeout=10).text
    return html[html.index("<head"):html.index("</head>")]


def test_our_script_is_the_first_script_in_head(shop):
    head = head_of(shop.wp.posts["shop"])
    scripts = re.findall(r"<script\b[^>]*>", head)
    assert scripts[0] == f'<script src="{shop.server_url}/c/wpshop.js" id="consent-server-js">'
    assert any("google_gtagjs-js" in s for s in scripts[1:])


def test_no_script_tag_until_configured(shop):
    shop.wp.ops(delete_options=["consent_server_site"])
    assert "consent-server-js" not in head_of(shop.wp.posts["shop"])


def test_banner_script_is_served_for_the_wordpress_origin(shop):
    response = requests.get(f"{shop.server_url}/c/wpshop.js", timeout=10)
    assert response.status_code == 200 and "javascript" in response.headers["Content-Type"]


def test_owner_mapping_blocks_another_handle(shop):
    shop.wp.ops(options={"consent_server_script_map": {"comment-reply": "analytics"}})
    html = requests.get(shop.wp.posts["shop"], timeout=10).text
    assert re.search(r'<script type="text/plain" data-consent="analytics"[^>]*id=\'comment-reply-js\'', html)
    # The owner's map replaced the defaults: the gtag handle now runs (it is no longer listed).
    assert not re.search(r'data-consent="analytics"[^>]*id=\'google_gtagjs-js\'', html)


def test_menu_link_opens_the_preferences(wordpress):
    assert call(wordpress, "consent_server_menu_link_attributes", {"href": "#consent-settings"}) == {
        "href": "#consent-settings", "data-consent-open": ""}
    assert call(wordpress, "consent_server_menu_link_attributes", {"href": "/about"}) == {"href": "/about"}
    block = '<li class="wp-block-navigation-item"><a class="wp-block-navigation-item__content" href="#consent-settings">Cookies</a></li>'
    assert '<a data-consent-open="" class="wp-block-navigation-item__content" href="#consent-settings">' in call(
        wordpress, "consent_server_navigation_link_block", block)


def test_settings_link_shortcode(shop):
    html = requests.get(shop.wp.posts["shop"], timeout=10).text
    assert re.search(r'<a href="#consent-settings" class="consent-server-settings-link" data-consent-open="">Cookie settings</a>', html)


def test_shortcode_without_a_server_says_nothing_to_visitors(shop):
    shop.wp.ops(options={"consent_server_url": "http://127.0.0.1:9"})
    html = requests.get(shop.wp.posts["policy"], timeout=10).text
    assert "The cookie policy cannot be shown right now." in html
    # The failure is remembered briefly, so the next page views do not wait on a dead server.
    transients = shop.wp.ops(read_transients_like="consent_server_config_")["transients"]
    assert [k for k in transients if k.endswith("_failed")]


def test_plugin_logs_no_php_notices(shop):
    for key in ("shop", "policy"):
        requests.get(shop.wp.posts[key], timeout=10).raise_for_status()
    requests.get(f"{shop.wp.url}/?cs_probe=1", cookies={"cs_consent": "%7Bbroken"}, timeout=10).raise_for_status()
    log = shop.wp.debug_log.read_text() if shop.wp.debug_log.exists() else ""
    ours = [line for line in log.splitlines() if "consent-server" in line or "/tests/wordpress/" in line]
    assert ours == []


def test_uninstall_removes_options_and_transients(shop):
    requests.get(shop.wp.posts["policy"], timeout=10).raise_for_status()  # caches config and policy
    shop.wp.ops(options={"consent_server_script_map": {"x": "analytics"}})
    names = ["consent_server_url", "consent_server_site", "consent_server_script_map"]
    before = shop.wp.ops(read_options=names, read_transients_like="consent_server_")
    assert all(before["options"][n] for n in names) and before["transients"]

    shop.wp.ops(uninstall=[harness.OUR_PLUGIN])
    try:
        after = shop.wp.ops(read_options=names, read_transients_like="consent_server_")
        assert after["options"] == {n: None for n in names}
        assert not after["transients"]
    finally:
        shop.wp.ops(activate=[harness.OUR_PLUGIN])


def test_connection_check_needs_a_logged_in_administrator(shop):
    response = requests.post(f"{shop.wp.url}/wp-admin/admin-post.php", data={"action": "consent_server_check"},
                             allow_redirects=False, timeout=10)
    assert response.status_code in (400, 302) and "page=consent-server" not in response.headers.get("Location", "")
