"""The plugin's PHP functions, called inside the real WordPress (no browser)."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.wordpress import wp_harness as harness

pytestmark = pytest.mark.slow

YT = '<iframe title="v" width="560" height="315" src="https://www.youtube.com/embed/abc?feature=oembed" allowfullscreen></iframe>'


def call(wp, fn: str, *args, cookies: dict | None = None):
    """Call a consent_server_* function (or apply_filters) in WordPress and return its JSON result."""
    request = {"fn": fn, "args": list(args)}
    if cookies is not None:
        request["cookies"] = cookies
    return wp.run_php(harness.HERE / "php" / "call.php", CS_CALL=json.dumps(request))["result"]


def cookie(choices: dict, policy: int = 1) -> str:
    """A cs_consent value as PHP sees it in $_COOKIE (already URL-decoded once)."""
    return json.dumps({"v": "visitor-1", "p": policy, "c": choices, "r": None, "t": 1763800000})


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


@pytest.mark.parametrize("purpose, expected", [
    ("necessary", True), ("analytics", True), ("ads", False), ("youtube", False), ("unknown", False),
])
def test_has_consent_reads_the_cookie(wordpress, purpose, expected):
    cookies = {"cs_consent": cookie({"necessary": 1, "analytics": 1, "ads": 0, "youtube": 0, "affiliate": 0})}
    assert call(wordpress, "consent_server_has_consent", purpose, cookies=cookies) is expected


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
