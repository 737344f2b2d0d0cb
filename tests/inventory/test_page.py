"""The cookie-policy page as HTML (test client): languages, fragment, banner tag, every storage item."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from consent_server.domain.policies import publish_policy
from consent_server.extensions import db

from .builders import all_storage_names, content, default_inventory, find_section

PAGE = "/sites/shop/cookie-policy"


class _Collector(HTMLParser):
    """Collect the storage names (code.cs-storage-name) and a few attributes from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.purposes: list[str] = []
        self.open_buttons = 0
        self.scripts: list[str] = []
        self._in_name = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self._in_name = tag == "code" and "cs-storage-name" in (a.get("class") or "")
        if tag == "section" and a.get("data-purpose"):
            self.purposes.append(a["data-purpose"])
        if tag == "button" and "data-consent-open" in a:
            self.open_buttons += 1
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])

    def handle_data(self, data: str) -> None:
        if self._in_name:
            self.names.append(data)
            self._in_name = False


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


@pytest.mark.parametrize("lang,title,change", [
    ("sv", "Kakpolicy", "Du ändrar dina val på Testbutikens sidor"),
    ("en", "Cookie policy", "You change your choices on the pages of Testbutiken"),
])
def test_page_in_both_languages(client, site, lang: str, title: str, change: str) -> None:
    response = client.get(f"{PAGE}?lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == lang
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html
    assert change in html


def test_default_language_is_the_sites(client, site) -> None:
    assert client.get(PAGE).headers["Content-Language"] == "sv"
    assert client.get(f"{PAGE}?lang=de").headers["Content-Language"] == "sv"


def test_page_lists_every_storage_item_in_banner_order(client, site) -> None:
    page = _parse(client.get(f"{PAGE}?lang=en").get_data(as_text=True))
    assert page.purposes == [s["purpose"] for s in default_inventory()["sections"]]
    assert set(page.names) == all_storage_names(default_inventory())


def test_page_has_no_banner(client, site) -> None:
    # Served from the consent server's origin, where a decision would be refused and stored in
    # the wrong cookie jar: no banner script and no button that would open it.
    page = _parse(client.get(PAGE).get_data(as_text=True))
    assert (page.scripts, page.open_buttons) == ([], 0)


def test_fragment_is_body_only_without_script(client, site) -> None:
    response = client.get(f"{PAGE}?lang=sv&fragment=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="cs-policy"')
    assert "<html" not in html and "<head" not in html and "<body" not in html
    page = _parse(html)
    assert page.scripts == [] and page.open_buttons == 1
    assert set(page.names) == all_storage_names(default_inventory())


def test_page_shows_durations_in_words_version_and_hash(client, site) -> None:
    html = client.get(f"{PAGE}?lang=sv").get_data(as_text=True)
    assert "2 år" in html and "tills webbläsaren stängs" in html
    assert "Policyversion 1, publicerad" in html
    assert site.key and "Fingeravtryck" in html


def test_page_shows_processors_and_third_countries(client, site) -> None:
    html = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Fortnox AB" in html
    assert 'id="cs-transfers"' in html and "Google Analytics 4 (Google Ireland Limited, Ireland)" in html


def test_page_shows_unconfirmed_notes(client, site) -> None:
    html = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Not confirmed:" in html and "not publicly document" in html


def test_page_follows_the_current_version(client, site) -> None:
    doc = content()
    find_section(doc["inventory"], "analytics")["title"]["en"] = "Statistics"
    publish_policy(site=site, content=doc)
    db.session.commit()
    html = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "Statistics" in html and "Policy version 2" in html


def test_text_is_escaped(client, site) -> None:
    doc = content()
    find_section(doc["inventory"], "analytics")["description"]["en"] = "<script>alert(1)</script>"
    publish_policy(site=site, content=doc)
    db.session.commit()
    html = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_site_is_404(client, site) -> None:
    assert client.get("/sites/nope/cookie-policy").status_code == 404
