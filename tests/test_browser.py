"""The site in a real browser (headless Chromium): pages load cleanly, search,
tooltips, the colour toggle and instant navigation work, nothing is fetched
from another origin."""
from __future__ import annotations

import re

import pytest
from handbook.pagespeed import MATERIAL_STARTED

pytestmark = pytest.mark.browser

PAGES = ["", "concepts/", "concepts/kv-cache/", "metrics/latency/", "reference/glossary/",
         "reference/bibliography/", "reference/calculators/", "lab/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_or_foreign_requests(page, path):
    response = page.goto(page.base_url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    assert page.errors == []
    assert page.foreign == []
    assert page.locator("h1").first.is_visible()
    page.start_material()  # Material's bundle runs from the first interaction on: it must start cleanly too
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert page.foreign == []


def test_search_finds_a_term(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.keyboard.press("/")
    # "/" opens search before Material has started; the keystrokes that follow land in the box
    page.locator("input.md-search__input").press_sequentially("ttft", delay=40)  # keystrokes, as a reader types
    assert page.locator("input.md-search__input").input_value() == "ttft"
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=15000)
    titles = " ".join(page.locator(".md-search-result__item").all_inner_texts()).lower()
    assert "time to first token" in titles
    assert page.errors == []


def test_tooltip_shows_glossary_definition(page):
    page.goto(page.base_url + "concepts/prefill-and-decode/", wait_until="networkidle")
    abbr = page.locator("article abbr[title]").first
    title = abbr.get_attribute("title")
    assert title and ": " in title  # "time to first token: The time from ..."
    page.start_material()  # Material's tooltips arrive with its bundle, on the first interaction
    abbr.scroll_into_view_if_needed()
    abbr.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text().startswith(title[:30])


def test_colour_toggle_cycles_system_light_dark_and_persists(page):
    page.goto(page.base_url, wait_until="networkidle")  # the toggle needs no bundle: it works before Material starts
    button = page.locator("button[data-hb-palette]")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    states = [(button.get_attribute("aria-label"), scheme())]
    for _ in range(3):
        button.click()
        states.append((button.get_attribute("aria-label"), scheme()))
    # the browser reports a light system setting: "follow the system" shows the light scheme
    assert states == [("Switch to light mode", "default"), ("Switch to dark mode", "default"),
                      ("Follow the system setting", "slate"), ("Switch to light mode", "default")]
    button.click()
    button.click()  # dark
    page.reload(wait_until="networkidle")
    assert scheme() == "slate" and button.get_attribute("aria-label") == "Follow the system setting"
    assert [icon.is_visible() for icon in button.locator("span").all()] == [False, False, True]
    assert page.errors == []


def test_material_starts_on_the_first_interaction_not_on_load(page):
    bundles = []
    page.on("request", lambda req: bundles.append(req.url) if re.search(r"/assets/javascripts/bundle\.\w+\.min\.js$", req.url) else None)
    page.goto(page.base_url + "concepts/kv-cache/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert bundles == [], "Material's bundle loaded before the reader did anything"
    assert page.evaluate(MATERIAL_STARTED) is False
    assert page.locator("input.md-search__input").is_visible(), "the search box must show before Material starts"
    assert page.locator("a.md-footer__link--next").is_visible()
    page.start_material()
    assert len(bundles) == 1
    assert page.locator(".md-typeset__scrollwrap").count() > 0  # Material's table wrappers: its components mounted
    assert page.locator(".md-search__form").get_attribute("aria-label") == "Search the handbook"  # handbook.js ran
    assert page.errors == []


def test_instant_navigation_keeps_scripts_working(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.start_material()  # instant navigation is Material's: from the first interaction on
    page.evaluate("window.__sameDocument = true")
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url(re.compile(r"/concepts/(#[\w-]*)?$"))  # navigation.tracking may keep a section hash
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: instant navigation is off"
    # handbook.js ran again on the new page
    assert page.locator(".md-search__form").get_attribute("aria-label") == "Search the handbook"
    assert page.errors == []


def test_search_index_loads_only_when_the_reader_searches(page):
    index = []
    page.on("request", lambda req: index.append(req.url) if req.url.endswith("search/search_index.json") else None)
    page.goto(page.base_url + "concepts/kv-cache/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert index == [], "the search index was fetched before anyone searched"
    page.locator("input.md-search__input").click()   # the reader clicks into the search box
    page.locator("input.md-search__input").press_sequentially("paged", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    assert len(index) == 1
    assert page.errors == []


def test_search_link_with_query_loads_the_index_at_once(page):
    page.goto(page.base_url + "?q=goodput", wait_until="networkidle")
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    assert "goodput" in page.locator(".md-search-result").inner_text().lower()


def test_keyboard_alone_reaches_content_and_the_next_page(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "md-skip" in skip[0], f"the first Tab stop should be the skip link, got {skip}"
    invisible, reached = [], False
    for _ in range(400):
        page.keyboard.press("Tab")
        # Material's palette radios are visually hidden; their focus ring shows on the label next to them.
        state = page.evaluate("""() => { const el = document.activeElement;
            const shown = el.matches('input.md-option') ? el.nextElementSibling : el;
            const box = shown.getBoundingClientRect();
            return [el.tagName + '.' + el.className, box.width > 0 && box.height > 0,
                    el.classList.contains('md-footer__link--next')]; }""")
        if not state[1]:
            invisible.append(state[0])
        if state[2]:
            reached = True
            break
    assert reached, "Tab never reached the footer's Next link"
    assert invisible == [], f"focus landed on elements the reader cannot see: {invisible[:5]}"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/concepts/(#[\w-]*)?$"))
    assert page.errors == []
