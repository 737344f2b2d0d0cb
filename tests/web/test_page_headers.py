"""Every HTML page sends a nonce-based CSP that no page may be framed under, nosniff and a Referrer-Policy;
the demo shop and its fake third-party assets exist only in demo mode (CONSENT_DEMO)."""
from __future__ import annotations

import pytest

from tests.builders import consent_body

from .builders import INLINE_HANDLER, STYLE_ATTRIBUTE, directives, tag_nonces

STRICT_PAGES = {
    "cookie policy": "/sites/shop/cookie-policy?lang=en",
    "cookie policy fragment": "/sites/shop/cookie-policy?fragment=1",
    "receipt": "/receipts/{receipt}",
    "unknown receipt": "/receipts/nosuchreceipt",
    "api docs": "/api/docs",
}


@pytest.fixture
def receipt(client, site) -> str:
    response = client.post("/api/v1/sites/shop/consents", json=consent_body())
    assert response.status_code == 201
    return response.json["receipt_id"]


def assert_page_headers(response, frame_ancestors: str = "'none'", frame_option: str = "DENY") -> dict:
    """The headers every HTML page sends; the parsed CSP."""
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == frame_option
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == [frame_ancestors]
    assert policy["base-uri"] == ["'none'"]
    return policy


def assert_strict(response) -> str:
    """A CSP that runs no script or style but the page's own nonced ones, and loads nothing from elsewhere; the nonce."""
    policy = assert_page_headers(response)
    assert policy["default-src"] == ["'none'"]
    (script,) = policy["script-src"]
    assert script.startswith("'nonce-") and policy["style-src"] == [script]
    assert all(source == "'self'" for source in policy["img-src"] + policy["connect-src"])
    nonce = script[len("'nonce-"):-1]
    html = response.get_data(as_text=True)
    assert all(found == nonce for _, found in tag_nonces(html))
    assert not INLINE_HANDLER.search(html) and not STYLE_ATTRIBUTE.search(html)
    return nonce


@pytest.mark.parametrize("name", STRICT_PAGES)
def test_each_page_sends_a_strict_csp_and_the_security_headers(client, site, receipt, name):
    path = STRICT_PAGES[name].format(receipt=receipt)
    first, second = client.get(path), client.get(path)
    assert first.status_code == (404 if name == "unknown receipt" else 200)
    assert assert_strict(first) != assert_strict(second)  # a new nonce on every answer


def test_pages_with_styles_carry_the_nonce(client, site, receipt):
    for path in ("/sites/shop/cookie-policy", f"/receipts/{receipt}", "/api/docs"):
        response = client.get(path)
        assert ("style", assert_strict(response)) in tag_nonces(response.get_data(as_text=True))


def test_connect_src_names_the_public_url_too(make_app, site):
    public = make_app(CONSENT_PUBLIC_URL="https://consent.example.se/")
    with public.app_context():
        response = public.test_client().get("/sites/shop/cookie-policy")
    assert directives(response.headers["Content-Security-Policy"])["connect-src"] == [
        "'self'", "https://consent.example.se"]


def test_json_answers_are_left_alone(client, site):
    response = client.get("/api/v1/sites/shop/config")
    assert response.status_code == 200 and "Content-Security-Policy" not in response.headers


DEMO_PATHS = ["/", "/demo-assets/analytics.js", "/demo-assets/ads.js", "/demo-assets/youtube-embed.html",
              "/demo-assets/pixel.gif", "/demo-assets/shop"]


@pytest.mark.parametrize("path", DEMO_PATHS)
def test_without_demo_mode_there_is_no_demo(client, site, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", DEMO_PATHS)
def test_demo_mode_serves_the_demo(demo_client, path):
    assert demo_client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/", "/demo-assets/shop"])
def test_the_demo_shop_plays_a_shop_without_a_script_policy_but_is_never_framed(demo_client, path):
    policy = assert_page_headers(demo_client.get(path))
    assert "script-src" not in policy and "default-src" not in policy


def test_the_strict_demo_shop_is_strict(demo_client):
    response = demo_client.get("/demo-assets/shop?csp=strict")
    assert_strict(response)
    assert directives(response.headers["Content-Security-Policy"])["frame-src"] == ["'self'"]  # the fake YouTube


def test_the_fake_video_may_be_framed_by_the_demo_only(demo_client):
    assert_page_headers(demo_client.get("/demo-assets/youtube-embed.html"), frame_ancestors="'self'",
                        frame_option="SAMEORIGIN")
