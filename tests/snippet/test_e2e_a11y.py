"""In a real browser: keyboard-only use, focus management, equal accept/reject, axe-core, both languages."""
from __future__ import annotations

import pytest

from tests.snippet.builders import click, make_visitor, open_prefs, screenshot, switch, texts

pytestmark = pytest.mark.browser
SAME_STYLE = ["font-family", "font-size", "font-weight", "color", "background-color", "border-top-width",
              "border-top-style", "border-top-color", "border-radius", "padding-top", "padding-left",
              "text-decoration-line", "opacity", "cursor"]
SHOP = {"sv": "/", "en": "/demo-assets/shop?lang=en"}


def active_in_dialog(page) -> bool:
    return page.evaluate("!!document.activeElement.closest('.cs')")


def axe_serious(page, modules) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now (axe-core from js-snippet's devDeps)."""
    page.add_script_tag(path=str(modules / "axe-core" / "axe.min.js"))
    violations = page.evaluate("axe.run(document).then(r => r.violations.map(v => "
                               "({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")
    return [f"{v['id']} {v['nodes']}" for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_both_layers_pass_axe_and_are_saved_as_screenshots(visitor, js_modules, lang):
    page = visitor.open(SHOP[lang])
    page.wait_for_selector(".cs-1")
    assert page.locator(".cs-1").get_attribute("lang") == lang
    assert page.locator("#cs-t").inner_text() == texts(lang)["banner_title"]
    screenshot(page, f"banner-{lang}-layer1")
    assert axe_serious(page, js_modules) == []
    open_prefs(page, lang)
    page.locator(".cs-2 summary").first.click()  # one list of services open, so it is checked too
    screenshot(page, f"banner-{lang}-layer2")
    assert axe_serious(page, js_modules) == []


def test_unknown_page_language_falls_back_to_the_site_default(visitor):
    page = visitor.open("/demo-assets/shop?lang=de-AT")
    assert page.locator("#cs-t").inner_text() == texts("sv")["banner_title"]


def test_dialogs_are_labelled_modal_dialogs(visitor):
    page = visitor.open("/")
    first = page.get_by_role("dialog", name=texts()["banner_title"])
    assert first.get_attribute("aria-modal") == "true"
    assert first.get_attribute("aria-describedby") == "cs-d"
    open_prefs(page)
    assert page.get_by_role("dialog", name=texts()["preferences_title"]).get_attribute("aria-modal") == "true"
    assert page.get_by_role("switch", name=texts()["always_on"]).is_disabled()


@pytest.mark.parametrize("layer", [1, 2])
def test_accept_and_reject_look_the_same(visitor, layer):
    page = visitor.open("/")
    if layer == 2:
        open_prefs(page)
    box = page.locator(f".cs-{layer}")
    accept = box.get_by_role("button", name=texts()["accept_all"], exact=True)
    reject = box.get_by_role("button", name=texts()["reject_all"], exact=True)
    styles = [b.evaluate("(el, props) => props.map(p => getComputedStyle(el).getPropertyValue(p))", SAME_STYLE)
              for b in (accept, reject)]
    assert styles[0] == styles[1]
    a, r = accept.bounding_box(), reject.bounding_box()
    assert (round(a["width"], 1), round(a["height"], 1)) == (round(r["width"], 1), round(r["height"], 1))
    assert a["y"] == r["y"]  # side by side, one click each


def test_keyboard_only_focus_is_moved_in_and_trapped(visitor):
    page = visitor.open("/")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('cs-1')")
    labels = []
    for _ in range(6):
        page.keyboard.press("Tab")
        assert active_in_dialog(page)
        labels.append(page.evaluate("document.activeElement.textContent"))
    t = texts()
    assert labels == [t["policy_link_label"], t["accept_all"], t["reject_all"], t["customise"],
                      t["policy_link_label"], t["accept_all"]]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == t["customise"]


def test_keyboard_only_choose_escape_and_save(visitor):
    t = texts()
    page = visitor.open("/")
    page.wait_for_function("document.activeElement.classList.contains('cs-1')")
    for _ in range(4):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == t["customise"]
    page.keyboard.press("Enter")
    page.wait_for_selector(".cs-2")
    assert active_in_dialog(page)
    page.keyboard.press("Escape")  # closes the second layer without deciding: back to the first
    page.wait_for_selector(".cs-1")
    assert visitor.cookie() is None and active_in_dialog(page)
    page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".cs-2")
    for _ in range(30):  # walk to the analytics switch
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "cs-p-analytics":
            break
    outline = page.evaluate("[getComputedStyle(document.activeElement).outlineStyle,"
                            " getComputedStyle(document.activeElement).outlineWidth]")
    assert outline == ["solid", "3px"]  # a visible focus ring
    page.keyboard.press("Space")
    assert switch(page, "analytics").is_checked()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == t["save"]:
            break
    page.keyboard.press("Enter")
    stored = visitor.wait_receipt()
    assert stored["c"]["analytics"] == 1 and stored["c"]["ads"] == 0


def test_focus_returns_to_the_opener_and_escape_leaves_without_deciding(visitor):
    page = visitor.open("/")
    click(page, "reject_all")
    before = visitor.wait_receipt()
    opener = page.get_by_role("button", name="Cookieinställningar")
    opener.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".cs-2")
    assert active_in_dialog(page)
    switch(page, "ads").check()
    page.keyboard.press("Escape")
    page.wait_for_selector(".cs", state="detached")
    assert page.evaluate("document.activeElement.textContent") == "Cookieinställningar"
    assert visitor.cookie() == before


def test_small_screen_banner_fits_and_buttons_stay_equal(browser, shop):
    visitor = make_visitor(browser, shop, viewport={"width": 360, "height": 640})
    try:
        page = visitor.open("/")
        banner = page.locator(".cs-1")
        box = banner.bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 360 and box["y"] + box["height"] <= 640
        accept = banner.get_by_role("button", name=texts()["accept_all"], exact=True).bounding_box()
        reject = banner.get_by_role("button", name=texts()["reject_all"], exact=True).bounding_box()
        assert (accept["width"], accept["height"]) == (reject["width"], reject["height"])
        screenshot(page, "banner-sv-layer1-small")
        open_prefs(page)
        prefs = page.locator(".cs-2").bounding_box()
        assert prefs["y"] >= 0 and prefs["y"] + prefs["height"] <= 640  # scrolls inside, never off screen
        screenshot(page, "banner-sv-layer2-small")
    finally:
        visitor.context.close()
