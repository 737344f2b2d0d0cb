"""GET /c/{site}.js and GET /api/v1/sites/{site}/config: the inlined configuration, ETag, caching, errors."""
from __future__ import annotations

import copy
import gzip
import json

import pytest

from consent_server.domain.policies import current_policy, publish_policy
from consent_server.extensions import db
from consent_server.web.snippet import SLOT, build_config, built_snippet, default_texts, script_json

PREFIX, SUFFIX = built_snippet().split(SLOT)


def inlined_config(body: bytes) -> dict:
    """The configuration JSON the server put in place of the slot."""
    text = body.decode()
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return json.loads(text[len(PREFIX):len(text) - len(SUFFIX)])


def content_with(**texts: str) -> dict:
    content = copy.deepcopy(current_policy(1).content)
    content["texts"]["sv"].update(texts)
    return content


def sample_config(**overrides) -> dict:
    content = {"inventory": {"sections": [
        {"purpose": "necessary", "legal_basis": "exempt", "services": []},
        {"purpose": "analytics", "legal_basis": "consent", "services": []},
    ], "processors": []}, "texts": {"sv": {"banner_title": "Hej"}}}
    args = dict(site_key="shop", default_language="sv", policy_version=2, policy_hash="ab" * 32, consent_floor=2,
                content=content, base_url="https://consent.example/", max_age_days=365)
    return build_config(**{**args, **overrides})


def test_config_marks_only_necessary_required():
    purposes = sample_config()["purposes"]
    assert [(p["purpose"], p["required"]) for p in purposes] == [("necessary", True), ("analytics", False)]


def test_config_texts_fall_back_to_our_defaults_key_by_key():
    texts = sample_config()["texts"]
    assert texts["sv"]["banner_title"] == "Hej"
    assert texts["sv"]["accept_all"] == default_texts()["sv"]["accept_all"]
    assert texts["en"] == default_texts()["en"]


def test_config_endpoints_hang_off_the_public_url():
    config = sample_config()
    assert config["endpoints"] == {
        "consents": "https://consent.example/api/v1/sites/shop/consents",
        "policy": "https://consent.example/sites/shop/cookie-policy",
        "receipts": "https://consent.example/receipts/",
        "visitors": "https://consent.example/api/v1/sites/shop/visitors/",
    }
    assert config["languages"] == ["sv", "en"] and config["max_age_days"] == 365


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "a & b", "<!--", "line\u2028break\u2029"])
def test_script_json_escapes_what_could_end_or_break_a_script(text):
    out = script_json({"t": text})
    assert not any(ch in out for ch in "<>&\u2028\u2029")
    assert json.loads(out) == {"t": text}


def test_snippet_is_javascript_with_the_config_inlined(client, site):
    response = client.get("/c/shop.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    config = inlined_config(response.data)
    assert config["site"] == "shop" and config["policy_version"] == 1
    assert config["policy_hash"] == current_policy(site).content_hash
    assert [p["purpose"] for p in config["purposes"]] == current_policy(site).purposes
    assert SLOT.encode() not in response.data


def test_config_endpoint_serves_the_same_configuration(client, site):
    script = inlined_config(client.get("/c/shop.js").data)
    response = client.get("/api/v1/sites/shop/config")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == script


@pytest.mark.parametrize("path", ["/c/shop.js", "/api/v1/sites/shop/config"])
def test_etag_revalidation_answers_304(client, site, path):
    first = client.get(path)
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", ["/c/shop.js", "/api/v1/sites/shop/config"])
def test_a_new_policy_version_changes_the_etag(client, site, path):
    before = client.get(path).headers["ETag"]
    publish_policy(site=site, content=content_with(banner_title="Ny rubrik"), material=True)
    db.session.commit()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


@pytest.mark.parametrize("path", ["/c/shop.js", "/api/v1/sites/shop/config"])
def test_gzip_when_accepted_with_its_own_etag(client, site, path):
    plain = client.get(path)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_site_texts_cannot_break_out_of_the_script(client, site):
    hostile = "</script><script>alert(1)</script>"
    publish_policy(site=site, content=content_with(banner_title=hostile), material=True)
    db.session.commit()
    body = client.get("/c/shop.js").data
    assert b"</script" not in body and b"<script" not in body
    assert inlined_config(body)["texts"]["sv"]["banner_title"] == hostile


def test_snippet_cache_lifetime_is_configurable(app, client, site):
    app.config["CONSENT_SNIPPET_MAX_AGE"] = 0
    assert client.get("/c/shop.js").headers["Cache-Control"] == "public, no-cache"


@pytest.mark.parametrize("path", ["/c/nope.js", "/api/v1/sites/nope/config"])
def test_unknown_site_is_a_404_in_the_error_shape(client, site, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json() == {"status": 404, "code": "unknown_site", "message": "No site 'nope'.", "errors": {}}


def test_both_endpoints_are_in_the_openapi_spec(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/c/{site}.js", "/api/v1/sites/{site}/config"):
        assert set(paths[path]["get"]["responses"]) >= {"200", "304", "404"}
        assert paths[path]["get"]["summary"]


def test_demo_assets_are_local(demo_client):
    client = demo_client
    for path, mimetype in [("/demo-assets/analytics.js", "text/javascript"), ("/demo-assets/ads.js", "text/javascript"),
                           ("/demo-assets/youtube-embed.html", "text/html"), ("/demo-assets/pixel.gif", "image/gif")]:
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == mimetype


def test_strict_csp_shop_puts_one_nonce_everywhere(demo_client, site):
    response = demo_client.get("/demo-assets/shop?csp=strict&lang=en")
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert html.count(f'nonce="{nonce}"') == 5  # the banner tag, the style, three blocked scripts
