"""Reader-experience gates in a real browser: every page accessible (axe-core:
no serious or critical violations), no sideways scrolling at phone width, and
the first-visit page budget."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
BUDGET_BYTES = 120_000     # gzip bytes a first visit transfers, search index and math font excluded
BUDGET_REQUESTS = 12


def page_urls() -> list[str]:
    urls = []
    for path in sorted((ROOT / "docs").rglob("*.md")):
        rel = path.relative_to(ROOT / "docs").as_posix()[:-3]
        urls.append("" if rel == "index" else (rel[:-5] if rel.endswith("index") else rel + "/"))
    return urls


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module")
def phone(browser, served_site):
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("url", page_urls())
def test_page_is_accessible_and_fits_a_phone(phone, served_site, axe, url):
    base_url, _ = served_site
    phone.goto(base_url + url, wait_until="networkidle")  # the math font widens formulas when it arrives
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"/{url} scrolls sideways at {PHONE['width']} px ({width} px wide)"
    result = axe.run(phone, options={"resultTypes": ["violations"]})
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"/{url}: {serious}"


@pytest.mark.parametrize("url", ["", "concepts/roofline/", "reference/calculators/"])
def test_dark_palette_has_enough_contrast(browser, served_site, axe, url):
    base_url, _ = served_site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(base_url + url, wait_until="load")
    assert tab.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    result = axe.run(tab, options={"runOnly": ["color-contrast", "link-in-text-block"]})
    assert [v["id"] for v in result.response["violations"]] == []
    context.close()


@pytest.mark.parametrize("url", ["concepts/kv-cache/", "optimizations/paged-attention/", "metrics/latency/"])
def test_first_visit_page_budget(browser, served_site, url):
    from bench import page_weight  # scripts/ is on pytest's pythonpath

    base_url, _ = served_site
    (row,) = page_weight(base_url, [url], browser=browser)
    assert row["foreign"] == 0
    assert row["requests"] <= BUDGET_REQUESTS, row
    assert row["bytes_gz"] <= BUDGET_BYTES, row
