"""The plugin on a real WordPress, driven by a real Chromium, against a live consent server.

Each consent test runs twice: without the WP Consent API (our `wc_order_attribution_allow_tracking`
filter answers WooCommerce) and with it (the stand-in, or the real plugin from WP_CONSENT_API_DIR).
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from consent_server.extensions import db
from consent_server.models.consents import Consent
from tests.builders import eventually
from tests.wordpress import wp_harness as harness

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SBJS = ("sbjs_migrations", "sbjs_current_add", "sbjs_first_add", "sbjs_current", "sbjs_first", "sbjs_udata",
        "sbjs_session")
PURPOSES = ("analytics", "ads", "youtube", "affiliate")


class Visit:
    """One visitor's browser tab on the shop, with what it requested."""

    def __init__(self, shop, context):
        self.shop, self.context = shop, context
        self.page = context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        config = requests.get(f"{shop.server_url}/api/v1/sites/{shop.site.key}/config", timeout=10).json()
        self.config = config
        self.texts = config["texts"]["en"]  # WordPress prints <html lang="en-US">

    def open(self, key: str = "shop") -> "Visit":
        self.page.goto(self.shop.wp.posts[key])
        self.page.wait_for_load_state("load")
        return self

    def button(self, key: str):
        return self.page.locator(".cs .cs-btn", has_text=self.texts[key]).first

    def decide(self, key: str, purposes: tuple[str, ...] = ()) -> dict:
        """Click accept_all / reject_all, or customise and save `purposes`; the server's answer."""
        with self.page.expect_response(lambda r: r.url.endswith("/consents") and r.request.method == "POST") as answer:
            if key == "save":
                if not self.page.locator(".cs-2").count():
                    self.button("customise").click()
                for purpose in PURPOSES:
                    self.page.locator(f"#cs-p-{purpose}").set_checked(purpose in purposes)
            self.button(key).click()
        assert answer.value.status == 201, answer.value.text()
        return answer.value.json()

    def cookies(self) -> dict[str, str]:
        host = urlsplit(self.shop.wp.url).hostname
        return {c["name"]: c["value"] for c in self.context.cookies() if c["domain"].lstrip(".") == host}

    def stored(self) -> dict:
        return json.loads(unquote(self.cookies()["cs_consent"]))

    def probe(self) -> dict:
        """What PHP believes on the next request, with this browser's cookies."""
        response = self.context.request.get(f"{self.shop.wp.url}/?cs_probe=1")
        assert response.ok
        return response.json()

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def third_party(self) -> list[str]:
        ours = {urlsplit(self.shop.wp.url).netloc, urlsplit(self.shop.server_url).netloc}
        return [u for u in self.requests if u.startswith("http") and urlsplit(u).netloc not in ours]


def records(shop, visitor: str) -> list[Consent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Consent).where(Consent.site_id == shop.site.id, Consent.visitor_id == visitor).order_by(Consent.id)))


def necessary_patterns(config: dict) -> list[str]:
    section = next(p for p in config["purposes"] if p["purpose"] == "necessary")
    return [item["name"] for service in section["services"] for item in service["storage"] if item["type"] == "cookie"]


def wait_for(predicate, what: str, seconds: float = 10.0):
    """Wait for a condition that another process makes true (a report, a cookie); no timing asserted."""
    assert eventually(predicate, seconds), f"never happened: {what}"


def test_before_consent_nothing_runs(shop, lane, context):
    visit = Visit(shop, context).open()
    visit.page.locator(".cs-1").wait_for()

    assert visit.third_party() == []
    assert not any("fake-gtag.js" in u for u in visit.requests)
    assert visit.js("window.__fakeGtagLoaded") is None
    patterns = necessary_patterns(visit.config)
    assert [n for n in visit.cookies() if not any(harness.matches(p, n) for p in patterns)] == []
    assert not any(n.startswith("sbjs_") for n in visit.cookies())

    assert visit.js("window.wp_consent_type") == "optin"
    placeholders = visit.page.locator(".cs-ph")
    assert placeholders.count() >= 2 and placeholders.first.is_visible()
    for selector in ("iframe[data-consent=youtube]", "img[data-consent=affiliate]"):
        assert visit.page.locator(selector).count() >= 1
        assert visit.page.locator(selector).evaluate_all("els => els.filter(e => e.getAttribute('src'))") == []

    probe = visit.probe()
    assert probe["has_consent"] == {"necessary": True, "analytics": False, "ads": False, "youtube": False,
                                    "affiliate": False}
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        assert probe["wp_consent_type"] == "optin" and probe["registered"] is True
        assert probe["wp_has_consent"]["statistics"] is False and probe["wp_has_consent"]["marketing"] is False
        assert visit.js("wp_has_consent('statistics')") is False


def test_accept_analytics_only(shop, lane, context):
    visit = Visit(shop, context).open()
    answer = visit.decide("save", ("analytics",))

    wait_for(lambda: visit.js("window.__fakeGtagLoaded") == 1, "the analytics tag ran")
    assert visit.js("window.__fakeGtagInline") is True
    assert "_ga" in visit.cookies()
    for selector in ("iframe[data-consent=youtube]", "img[data-consent=affiliate]"):
        assert visit.page.locator(selector).evaluate_all("els => els.filter(e => e.getAttribute('src'))") == []
    assert visit.third_party() == []
    assert not any(n.startswith("sbjs_") for n in visit.cookies())

    stored = visit.stored()
    assert stored["c"] == {"necessary": 1, "analytics": 1, "ads": 0, "youtube": 0, "affiliate": 0}
    rows = records(shop, stored["v"])
    assert [(r.action, r.receipt_id) for r in rows] == [("custom", answer["receipt_id"])]
    assert rows[0].choices == {"necessary": True, "analytics": True, "ads": False, "youtube": False, "affiliate": False}

    probe = visit.probe()
    assert probe["has_consent"] == {"necessary": True, "analytics": True, "ads": False, "youtube": False,
                                    "affiliate": False}
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        cookies = visit.cookies()
        assert cookies["wp_consent_statistics"] == "allow" and cookies["wp_consent_marketing"] == "deny"
        assert probe["wp_has_consent"]["statistics"] is True and probe["wp_has_consent"]["marketing"] is False
        if not harness.USING_REAL_CONSENT_API:
            calls = visit.js("window.__wpConsentStandinCalls")
            assert ["statistics", "allow"] in calls and ["marketing", "deny"] in calls
    if not harness.USING_REAL_WOOCOMMERCE:
        assert visit.js("window.__wcOrderTrackingCalls").count(True) == 0


def test_reject_all(shop, lane, context):
    visit = Visit(shop, context).open()
    visit.decide("reject_all")

    assert visit.stored()["c"] == {"necessary": 1, "analytics": 0, "ads": 0, "youtube": 0, "affiliate": 0}
    assert [r.action for r in records(shop, visit.stored()["v"])] == ["reject_all"]
    visit.open()  # the next page view, with the decision stored
    assert visit.page.locator(".cs-1").count() == 0
    assert visit.js("window.__fakeGtagLoaded") is None
    assert visit.third_party() == []
    assert not any(n.startswith(("sbjs_", "_ga")) for n in visit.cookies())
    probe = visit.probe()
    assert not any(probe["has_consent"][p] for p in PURPOSES)
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        assert all(visit.cookies()[f"wp_consent_{c}"] == "deny" for c in ("statistics", "marketing"))
        assert not any(probe["wp_has_consent"][c] for c in ("statistics", "marketing"))


def test_withdraw_after_accept_all(shop, lane, context):
    visit = Visit(shop, context).open()
    visit.decide("accept_all")
    wait_for(lambda: visit.js("window.__fakeGtagLoaded") == 1, "the analytics tag ran")
    assert {"_ga", "_ga_TEST123"} <= set(visit.cookies())
    if not harness.USING_REAL_WOOCOMMERCE:
        wait_for(lambda: set(SBJS) <= set(visit.cookies()), "order attribution cookies after accept")
    probe = visit.probe()
    assert all(probe["has_consent"][p] for p in PURPOSES) and probe["order_attribution_allowed"] is True

    visit.open()  # withdraw on a later page, through the "Cookie settings" link of the shortcode
    visit.page.locator("a.consent-server-settings-link[data-consent-open]").click()
    visit.page.locator(".cs-2").wait_for()
    visit.decide("save", ())

    cookies = visit.cookies()
    assert not any(n in cookies for n in ("_ga", "_ga_TEST123", *SBJS))
    stored = visit.stored()
    assert [r.action for r in records(shop, stored["v"])] == ["accept_all", "withdraw"]
    probe = visit.probe()
    assert not any(probe["has_consent"][p] for p in PURPOSES)
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        assert cookies["wp_consent_statistics"] == "deny" and cookies["wp_consent_marketing"] == "deny"
        assert not probe["wp_has_consent"]["statistics"] and not probe["wp_has_consent"]["marketing"]
    if not harness.USING_REAL_WOOCOMMERCE:
        assert visit.js("window.__wcOrderTrackingCalls")[-1] is False


def test_a_material_change_asks_again_and_php_agrees(revalidating_shop, lane, context):
    shop = revalidating_shop  # CONSENT_SNIPPET_MAX_AGE=0: the banner and the plugin see the new version at once
    visit = Visit(shop, context).open()
    visit.decide("accept_all")
    if lane == "with-wp-consent-api":
        wait_for(lambda: visit.cookies().get("wp_consent_marketing") == "allow", "marketing allowed")
    probe = visit.probe()
    assert probe["has_consent"]["ads"] is True
    if lane == "with-wp-consent-api":
        assert probe["wp_has_consent"]["marketing"] is True

    def rename(inventory):
        section = next(s for s in inventory["sections"] if s["purpose"] == "ads")
        section["services"][0]["name"] += " (new owner)"

    assert shop.publish_through_api(rename) == 2
    # What PHP answers on the reload's own request, while the browser still holds the old cookies.
    probe = visit.probe()
    assert probe["has_consent"] == {"necessary": True, "analytics": False, "ads": False, "youtube": False,
                                    "affiliate": False}
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        assert visit.cookies()["wp_consent_marketing"] == "allow"
        assert probe["wp_has_consent"]["marketing"] is False and probe["wp_has_consent"]["statistics"] is False

    visit.page.reload()
    visit.page.locator(".cs-1").wait_for()  # the banner asks
    assert visit.stored()["p"] == 1  # nothing decided yet
    if lane == "with-wp-consent-api":
        # While it asks, the banner sets the API's categories to deny: every consumer on the page stops.
        wait_for(lambda: visit.cookies().get("wp_consent_marketing") == "deny", "marketing denied while asking")
        assert visit.cookies()["wp_consent_statistics"] == "deny"
        assert visit.js("wp_has_consent('marketing')") is False
    elif not harness.USING_REAL_WOOCOMMERCE:
        wait_for(lambda: not any(n in visit.cookies() for n in SBJS), "order attribution stopped while asking")
        assert visit.js("window.__wcOrderTrackingCalls")[-1] is False
    probe = visit.probe()
    assert not any(probe["has_consent"][p] for p in PURPOSES)
    assert probe["order_attribution_allowed"] is False
    if lane == "with-wp-consent-api":
        assert probe["wp_has_consent"]["marketing"] is False

    visit.decide("accept_all")  # deciding again on the new version grants again, in PHP too
    probe = visit.probe()
    assert all(probe["has_consent"][p] for p in PURPOSES)
    if lane == "with-wp-consent-api":
        wait_for(lambda: visit.cookies().get("wp_consent_marketing") == "allow", "marketing allowed again")
        assert visit.probe()["wp_has_consent"]["marketing"] is True


def test_shortcode_shows_the_cookie_policy_and_follows_new_versions(shop, context):
    visit = Visit(shop, context).open("policy")
    body = visit.page.locator(".consent-server-cookie-policy")
    assert "_ga" in body.inner_text() and "Google Analytics 4" in body.inner_text()
    assert body.get_attribute("lang") == "sv"

    def rename(content):
        section = next(s for s in content["inventory"]["sections"] if s["purpose"] == "analytics")
        section["services"][0]["name"] = "Google Analytics 4 (test-rename)"

    assert shop.publish(rename) == 2
    visit.open("policy")  # the configuration is still cached: the cached fragment is served
    assert "test-rename" not in visit.page.locator(".consent-server-cookie-policy").inner_text()

    # The plugin's cached copy of this server's configuration (earlier tests' servers left theirs).
    config_key = "consent_server_config_" + hashlib.md5(f"{shop.server_url}|{shop.site.key}".encode()).hexdigest()
    assert shop.wp.ops(read_transients_like=config_key)["transients"][config_key]["policy_version"] == 1
    shop.wp.ops(delete_options=[f"_transient_{config_key}", f"_transient_timeout_{config_key}"])
    visit.open("policy")  # configuration expired: version 2 seen, fragment fetched again
    assert "test-rename" in visit.page.locator(".consent-server-cookie-policy").inner_text()
    policies = [v for k, v in shop.wp.ops(read_transients_like="consent_server_policy_")["transients"].items()]
    assert [p["version"] for p in policies] == [2]


def login(visit, admin_page: str) -> None:
    """Log in as admin and land on `admin_page` (a path under /wp-admin/).

    Straight there: the dashboard WordPress shows by default is the slowest admin page under
    `php -S`, and one more page to wait for on a loaded machine. The form is tried twice: in
    three runs out of many, on loaded machines, the login landed elsewhere than the page asked
    for (cause not found); the failure says where it landed and what WordPress logged.
    """
    page = visit.page
    target = f"{visit.shop.wp.url}/wp-admin/{admin_page}"
    landed: list[str] = []
    for _attempt in range(2):
        page.goto(f"{visit.shop.wp.url}/wp-login.php?{urlencode({'redirect_to': target})}")
        if page.url == target:  # a first attempt did log in: WordPress sends a logged-in user on
            return
        page.fill("#user_login", "admin")
        page.fill("#user_pass", visit.shop.wp.admin_password)
        submit(page, "#wp-submit")
        if page.url == target:
            return
        landed.append(f"{page.url} {page.locator('#login_error').all_inner_texts()}")
    logs = [path.read_text(errors="replace")[-2000:] for path in
            (visit.shop.wp.debug_log, visit.shop.wp.content / "php-server.log") if path.exists()]
    raise AssertionError(f"login did not reach {target}: landed on {landed}\n" + "\n".join(logs))


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to (through WordPress's redirect)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")


def test_settings_page_saves_and_checks_the_connection(shop, context):
    shop.wp.ops(delete_options=["consent_server_url", "consent_server_site"])
    visit = Visit(shop, context)
    login(visit, "options-general.php?page=consent-server")
    page = visit.page
    page.fill("#consent_server_url", shop.server_url + "/")
    page.fill("#consent_server_site", "WPShop")
    submit(page, "#submit")
    assert page.locator("#consent_server_url").input_value() == shop.server_url
    assert page.locator("#consent_server_site").input_value() == "wpshop"
    assert "google_gtagjs = analytics" in page.locator("#consent_server_script_map").input_value()

    submit(page, "#consent-server-check")
    assert "policy version 1" in page.locator("#consent-server-check-result").inner_text()
    assert "notice-success" in page.locator("#consent-server-check-result").get_attribute("class")

    # Nonce-protected: the same request without the form's nonce is refused.
    forged = visit.context.request.post(f"{shop.wp.url}/wp-admin/admin-post.php", form={"action": "consent_server_check"},
                                        max_redirects=0)
    assert forged.status == 403

    page.fill("#consent_server_site", "no-such-site")
    submit(page, "#submit")
    submit(page, "#consent-server-check")
    assert "notice-error" in page.locator("#consent-server-check-result").get_attribute("class")
    assert "404" in page.locator("#consent-server-check-result").inner_text()
