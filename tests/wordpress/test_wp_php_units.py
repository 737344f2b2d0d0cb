"""The plugin's PHP functions, called inside the real WordPress (no browser)."""
from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from consent_server.domain.policies import default_content
from consent_server.web.snippet import build_config
from tests.wordpress import wp_harness as harness

pytestmark = pytest.mark.slow

YT = '<iframe title="v" width="560" height="315" src="https://www.youtube.com/embed/abc?feature=oembed" allowfullscreen></iframe>'


def call(wp, fn: str, *args, cookies: dict | None = None):
    """Call a consent_server_* function (or apply_filters) in WordPress and return its JSON result."""
    request = {"fn": fn, "args": list(args)}
    if cookies is not None:
        request["cookies"] = cookies
    return wp.run_php(harness.HERE / "php" / "call.php", CS_CALL=json.dumps(request))["result"]


ALL_GRANTED = {"necessary": 1, "analytics": 1, "ads": 1, "youtube": 1, "affiliate": 1}
DAY = 86400
NOW = 1_800_000_000


def cookie(choices: dict, policy: int = 1, age: int = 60) -> str:
    """A cs_consent value as PHP sees it in $_COOKIE (already URL-decoded once), decided `age` seconds ago."""
    return json.dumps({"v": "visitor-1", "p": policy, "c": choices, "r": None, "t": int(time.time()) - age})


def served_config(*, version: int = 3, floor: int = 2, max_age_days: int = 365) -> dict:
    """The site configuration the server serves (its own builder, the default inventory)."""
    return build_config(site_key="wpshop", default_language="sv", policy_version=version, policy_hash="0" * 64,
                        consent_floor=floor, content=default_content(),
                        base_url="http://consent.example", max_age_days=max_age_days)


def state(policy: int = 2, choices: dict | None = None, decided: int = NOW - DAY) -> dict:
    return {"v": "visitor-1", "p": policy, "c": ALL_GRANTED if choices is None else choices, "r": None, "t": decided}


def test_oembed_youtube_becomes_placeholder(wordpress):
    html = call(wordpress, "apply_filters", "embed_oembed_html", YT, "https://www.youtube.com/watch?v=abc", [], 0)
    assert 'data-consent="youtube"' in html
    assert 'data-src="https://www.youtube.com/embed/abc?feature=oembed"' in html
    assert " src=" not in html


def test_oembed_of_an_unmapped_provider_is_untouched(wordpress):
    vimeo = '<iframe src="https://player.vimeo.com/video/1" width="640"></iframe>'
    assert call(wordpress, "apply_filters", "embed_oembed_html", vimeo, "https://vimeo.com/1", [], 0) == vimeo


def test_the_content_rewrites_iframes_typed_into_posts(wordpress):
    html = call(wordpress, "apply_filters", "the_content", '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>')
    assert 'data-consent="youtube" data-src="https://www.youtube-nocookie.com/embed/x"' in html


@pytest.mark.parametrize("html, purpose", [
    ('<img src="https://track.adtraction.com/t/t?a=1" width="1" height="1">', "affiliate"),
    ("<img src='https://pdt.tradedoubler.com/impression?x=1'>", "affiliate"),
    ('<iframe src="//www.youtube.com/embed/abc"></iframe>', "youtube"),
    ('<IFRAME SRC="https://m.youtube.com/embed/abc"></IFRAME>', "youtube"),
    ('<iframe src=https://youtu.be/abc></iframe>', "youtube"),
])
def test_mapped_sources_are_blocked(wordpress, html, purpose):
    out = call(wordpress, "consent_server_block_html", html)
    assert f'data-consent="{purpose}"' in out
    assert "data-src" in out.lower() and " src=" not in out.lower()


@pytest.mark.parametrize("html", [
    '<iframe src="https://youtube.com.evil.example/embed/abc"></iframe>',
    '<iframe src="https://notyoutube.com/embed/abc"></iframe>',
    '<img src="/wp-content/uploads/local.png">',
    '<iframe data-consent="youtube" data-src="https://www.youtube.com/embed/abc"></iframe>',
])
def test_other_sources_and_marked_elements_are_left_alone(wordpress, html):
    assert call(wordpress, "consent_server_block_html", html) == html


def test_mapped_script_handle_becomes_inert(wordpress):
    tag = ("<script id='google_gtagjs-js-before'>var a=1;</script>\n"
           "<script type='text/javascript' src='https://www.googletagmanager.com/gtag/js?id=G-1' id='google_gtagjs-js'></script>\n")
    out = call(wordpress, "consent_server_block_script_tag", tag, "google_gtagjs")
    assert out.count('type="text/plain" data-consent="analytics"') == 2
    assert "text/javascript" not in out


def test_module_script_keeps_its_type_for_the_banner(wordpress):
    tag = "<script type='module' src='/ga.js' id='google_gtagjs-js'></script>"
    out = call(wordpress, "consent_server_block_script_tag", tag, "google_gtagjs")
    assert out == "<script type=\"text/plain\" data-consent=\"analytics\" data-type=\"module\" src='/ga.js' id='google_gtagjs-js'></script>"


def test_unmapped_script_handle_is_untouched(wordpress):
    tag = "<script src='/x.js' id='jquery-core-js'></script>\n"
    assert call(wordpress, "consent_server_block_script_tag", tag, "jquery-core") == tag


@pytest.mark.parametrize("attributes, blocked", [
    ({"id": "google_gtagjs-js", "src": "https://www.googletagmanager.com/gtag/js"}, True),
    ({"id": "google_gtagjs-js-after"}, True),
    ({"id": "jquery-core-js", "src": "/jquery.js"}, False),
])
def test_script_attributes_filter(wordpress, attributes, blocked):
    out = call(wordpress, "consent_server_block_script_attributes", attributes)
    assert (out.get("type") == "text/plain" and out.get("data-consent") == "analytics") is blocked


def test_script_attributes_filter_keeps_a_module_type(wordpress):
    out = call(wordpress, "consent_server_block_script_attributes", {"id": "google_gtagjs-js", "type": "module"})
    assert out["type"] == "text/plain" and out["data-type"] == "module"


@pytest.mark.parametrize("raw", [
    cookie({"necessary": 1, "analytics": 1}),
    quote(cookie({"necessary": 1, "analytics": 1}), safe=""),
])
def test_cookie_is_parsed_plain_or_still_encoded(wordpress, raw):
    assert call(wordpress, "consent_server_parse_cookie", raw)["c"] == {"necessary": 1, "analytics": 1}


@pytest.mark.parametrize("raw", ["", "not json", "{}", '{"c": 1}', "[1,2]", "x" * 5000])
def test_malformed_cookie_means_no_decision(wordpress, raw):
    assert call(wordpress, "consent_server_parse_cookie", raw) is None


def test_rule_inputs_come_from_the_served_config(wordpress):
    rule = call(wordpress, "consent_server_consent_rule", served_config(version=3, floor=2, max_age_days=180))
    assert (rule["version"], rule["floor"], rule["max_age_days"]) == (3, 2, 180)
    assert rule["purposes"] == ["necessary", "analytics", "ads", "youtube", "affiliate"]
    assert rule["categories"] == {"functional": ["necessary"], "statistics": ["analytics"],
                                  "marketing": ["ads", "youtube", "affiliate"]}


def test_rule_floor_falls_back_to_the_version_as_in_the_banner(wordpress):
    config = served_config(version=3)
    del config["consent_floor"]
    assert call(wordpress, "consent_server_consent_rule", config)["floor"] == 3


@pytest.mark.parametrize("config", [None, "x", {}, {"policy_version": 1}])
def test_no_rule_without_a_config(wordpress, config):
    assert call(wordpress, "consent_server_consent_rule", config) is None


@pytest.mark.parametrize("stored, holds", [
    (state(policy=2), True),  # the floor itself
    (state(policy=3), True),  # the current version
    (state(policy=1), False),  # before the latest material change
    (state(policy=4), False),  # a version the server never served
    (state(choices={k: v for k, v in ALL_GRANTED.items() if k != "youtube"}), False),  # a purpose it never saw
    (state(decided=NOW - 364 * DAY), True),
    (state(decided=NOW - 365 * DAY), False),  # max_age_days reached
    (state(decided=NOW - 400 * DAY), False),
    ({**state(), "p": "two"}, False),
    ({k: v for k, v in state().items() if k != "t"}, False),
    (None, False),
])
def test_decision_holds_as_the_banner_decides(wordpress, stored, holds):
    rule = call(wordpress, "consent_server_consent_rule", served_config(version=3, floor=2))
    assert call(wordpress, "consent_server_decision_holds", stored, rule, NOW) is holds


def test_no_decision_holds_without_a_rule(wordpress):
    assert call(wordpress, "consent_server_decision_holds", state(), None, NOW) is False


@pytest.mark.parametrize("header, seconds", [
    ("public, max-age=300, stale-while-revalidate=86400", 300),
    ("public, no-cache", 0),
    ("no-store", 0),
    ("Max-Age=60", 60),
    ("public", 120),
    ("", 120),
    ("public, s-maxage=30", 120),
])
def test_config_is_kept_as_long_as_the_server_says(wordpress, header, seconds):
    assert call(wordpress, "consent_server_cache_seconds", header, 120) == seconds


@pytest.mark.parametrize("purpose, expected", [
    ("necessary", True), ("analytics", True), ("ads", False), ("youtube", False), ("unknown", False),
])
def test_has_consent_reads_the_cookie(shop, purpose, expected):
    cookies = {"cs_consent": cookie({"necessary": 1, "analytics": 1, "ads": 0, "youtube": 0, "affiliate": 0})}
    assert call(shop.wp, "consent_server_has_consent", purpose, cookies=cookies) is expected


def test_has_consent_is_false_once_the_decision_is_older_than_max_age(shop):
    cookies = {"cs_consent": cookie(ALL_GRANTED, age=365 * DAY + 60)}
    assert call(shop.wp, "consent_server_has_consent", "analytics", cookies=cookies) is False
    assert call(shop.wp, "consent_server_has_consent", "necessary", cookies=cookies) is True


def test_has_consent_is_false_when_the_config_cannot_be_read(wordpress):
    # Nothing listens on the URL: the banner cannot load either, so no decision is in force.
    wordpress.ops(options={"consent_server_url": f"http://127.0.0.1:{harness.free_port()}",
                           "consent_server_site": "wpshop"})
    try:
        cookies = {"cs_consent": cookie(ALL_GRANTED)}
        assert call(wordpress, "consent_server_has_consent", "analytics", cookies=cookies) is False
    finally:
        wordpress.ops(delete_options=["consent_server_url", "consent_server_site"])


@pytest.mark.parametrize("category, api_says, expected", [
    ("statistics", True, True),
    ("marketing", True, False),  # ads granted, but youtube and affiliate (also marketing) are not
    ("marketing", False, False),
    ("functional", True, True),
    ("preferences", True, True),  # no purpose maps to it: the API's answer stands
    ("preferences", False, False),
])
def test_wp_has_consent_never_answers_more_than_the_decision(shop, category, api_says, expected):
    cookies = {"cs_consent": cookie({"necessary": 1, "analytics": 1, "ads": 1, "youtube": 0, "affiliate": 0})}
    assert call(shop.wp, "consent_server_wp_has_consent", api_says, category, cookies=cookies) is expected


def test_wp_has_consent_is_denied_while_the_banner_asks_again(shop):
    cookies = {"cs_consent": cookie(ALL_GRANTED, age=400 * DAY)}
    assert call(shop.wp, "consent_server_wp_has_consent", True, "statistics", cookies=cookies) is False
    assert call(shop.wp, "consent_server_wp_has_consent", True, "functional", cookies=cookies) is True


@pytest.mark.parametrize("purpose, expected", [("necessary", True), ("analytics", False)])
def test_has_consent_without_a_decision(wordpress, purpose, expected):
    assert call(wordpress, "consent_server_has_consent", purpose, cookies={}) is expected


def test_has_consent_is_filterable(wordpress):
    # The probe mu-plugin grants the purpose named in cs_test_force_grant through the filter.
    assert call(wordpress, "consent_server_has_consent", "youtube", cookies={"cs_test_force_grant": "youtube"}) is True


@pytest.mark.parametrize("value, expected", [
    ("https://consent.example.se/", "https://consent.example.se"),
    ("https://consent.example.se/base/?x=1#y", "https://consent.example.se/base"),
    ("javascript:alert(1)", ""),
    ("ftp://consent.example.se", ""),
])
def test_server_url_is_sanitised(wordpress, value, expected):
    assert call(wordpress, "consent_server_sanitize_url", value) == expected


@pytest.mark.parametrize("value, expected", [("WPShop", "wpshop"), (" demo ", "demo"), ("a b", ""), ("<x>", "")])
def test_site_is_sanitised(wordpress, value, expected):
    assert call(wordpress, "consent_server_sanitize_site", value) == expected


def test_script_map_is_parsed_from_lines(wordpress):
    text = "google_gtagjs = analytics\nno equals sign\nfb-pixel = ads\nbad = Not A Purpose\n<b> = ads"
    assert call(wordpress, "consent_server_sanitize_script_map", text) == {
        "google_gtagjs": "analytics", "fb-pixel": "ads", "b": "ads"}
