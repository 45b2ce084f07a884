"""The site in a real browser (headless Chromium): pages load cleanly, search,
tooltips, the colour toggle and instant navigation work, nothing is fetched
from another origin."""
from __future__ import annotations

import pytest

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


def test_search_finds_a_term(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.keyboard.press("/")
    page.locator("input.md-search__input").fill("ttft")
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=15000)
    titles = " ".join(page.locator(".md-search-result__item").all_inner_texts()).lower()
    assert "time to first token" in titles
    assert page.errors == []


def test_tooltip_shows_glossary_definition(page):
    page.goto(page.base_url + "reference/glossary/", wait_until="networkidle")
    abbr = page.locator("article abbr[title]").first
    if abbr.count() == 0:
        page.goto(page.base_url + "metrics/latency/", wait_until="networkidle")
        abbr = page.locator("article abbr[title]").first
    assert "first token" in (abbr.get_attribute("title") or "") or abbr.get_attribute("title")
    abbr.hover()
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text=abbr.get_attribute("title")[:20])
    tooltip.first.wait_for(state="visible", timeout=5000)


def test_colour_toggle_switches_and_persists(page):
    page.goto(page.base_url, wait_until="networkidle")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    seen = {scheme()}
    for _ in range(2):
        page.locator("form[data-md-component=palette] label:visible").first.click()
        seen.add(scheme())
    assert {"default", "slate"} <= seen
    before = scheme()
    page.reload(wait_until="networkidle")
    assert scheme() == before
    assert page.errors == []


def test_instant_navigation_keeps_scripts_working(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.evaluate("window.__sameDocument = true")
    page.locator("a[href$='/reference/glossary/']").first.click()
    page.wait_for_url("**/reference/glossary/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: instant navigation is off"
    # handbook.js ran again on the new page
    assert page.locator(".md-search__form").get_attribute("aria-label") == "Search the handbook"
    assert page.errors == []
