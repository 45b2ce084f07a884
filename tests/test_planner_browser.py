"""The serving planner in headless Chromium, fed tests/vectors/planner.json.

Every vector's inputs go into the planner on /reference/calculators/ and /operations/capacity-planning/; each
result's `data-value` must equal the Python planner's (scripts/handbook/formulas/planner.py). A load no deployment
meets must say why, bad input must give an inline message and no number, and the working must link to the pages that
explain each step.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import fill_form, widget_results

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent / "vectors" / "planner.json").read_text())
JUNK = re.compile(r"NaN|Infinity|undefined|null")
PAGES = ["reference/calculators/", "operations/capacity-planning/"]


def _open(page, path: str):
    page.goto(page.base_url + path, wait_until="load")
    page.wait_for_function("document.querySelector('[data-calculator=\"planner\"]')"
                           "?.getAttribute('data-calc-ready') === '1'")
    return page.locator('[data-calculator="planner"]')


def _errors(root) -> list[str]:
    return [t.strip() for t in root.locator(".calc-error").all_inner_texts() if t.strip()]


@pytest.mark.parametrize("path", PAGES)
def test_vectors(page, path):
    root = _open(page, path)
    for case in VECTORS["cases"]:
        fill_form(root, case["inputs"])
        got = widget_results(root)
        assert _errors(root) == [], (case["label"], _errors(root))
        for key, expected in case["expected"].items():
            assert got[key] not in (None, ""), (case["label"], key, got)
            assert float(got[key]) == pytest.approx(expected, rel=1e-9, abs=1e-12), (case["label"], key)
        assert not JUNK.search(root.inner_text()), case["label"]
    assert page.errors == []
    assert page.foreign == []


def test_the_working_shows_each_step_with_links(page):
    root = _open(page, "operations/capacity-planning/")
    fill_form(root, VECTORS["cases"][0]["inputs"])
    root.locator("details.calc-working summary").click()
    working = root.locator('[data-figure="working"]')
    assert working.is_visible()
    steps = working.locator("ol > li")
    assert steps.count() >= 5
    text = working.inner_text()
    assert "Memory per GPU" in text and "M/D/1" in text and "Replicas = ceil(" in text
    assert working.locator('[data-constraint]').count() == 4
    assert "(binds)" in working.locator('[data-constraint="tpot"]').inner_text()   # TPOT binds the reader's question
    hrefs = [a.get_attribute("href") for a in working.locator("a").all()]
    assert len(hrefs) >= 4
    for href in hrefs:   # every step links to a page of the site that exists
        assert not href.startswith(("http:", "https:", "/")), href
        response = page.request.get(urljoin(page.url, href).split("#")[0])
        assert response.ok, href
    binding = root.locator('[data-result="binding"]').inner_text()
    assert binding == "TPOT"
    assert page.errors == []


@pytest.mark.parametrize("case", VECTORS["infeasible"], ids=lambda c: c["label"][:40])
def test_a_load_no_deployment_meets_says_why(page, case):
    root = _open(page, "reference/calculators/")
    fill_form(root, case["inputs"])
    general = root.locator('.calc-error[data-error-for=""]')
    assert general.inner_text().strip() == f"No deployment meets the load because {case['reason']}."
    assert general.get_attribute("aria-live") == "polite"
    for out in root.locator("[data-result]").all():
        assert out.get_attribute("data-value") == "" and out.inner_text().strip() == "—"
    assert root.locator('[data-figure="working"]').inner_text().strip() == ""
    fill_form(root, VECTORS["cases"][0]["inputs"])   # recovers
    assert _errors(root) == [] and all(v not in (None, "") for v in widget_results(root).values())
    assert page.errors == []


def test_bad_inputs_show_inline_message(page):
    root = _open(page, "reference/calculators/")
    good = VECTORS["cases"][0]["inputs"]
    fill_form(root, good)
    for bad in VECTORS["bad_inputs"]:
        field, value = bad["field"], bad["value"]
        root.locator(f'[name="{field}"]').fill(value)
        message = root.locator(f'.calc-error[data-error-for="{field}"]')
        assert message.inner_text().strip(), (field, value)
        assert root.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
        assert all(v == "" for v in widget_results(root).values()), (field, value)
        assert not JUNK.search(root.inner_text())
        root.locator(f'[name="{field}"]').fill(str(good[field]))
        assert message.inner_text().strip() == ""
        assert all(v not in (None, "") for v in widget_results(root).values())
    for inputs in VECTORS["bad_choices"]:
        fill_form(root, inputs)
        message = root.locator('.calc-error[data-error-for="weight_dtype"]')
        assert "no dense FP8 figure" in message.inner_text()
        assert all(v == "" for v in widget_results(root).values())
    assert page.errors == []
    assert page.foreign == []


def test_phone_width_and_labels(page):
    page.set_viewport_size({"width": 375, "height": 800})
    root = _open(page, "operations/capacity-planning/")
    for control in root.locator("input, select").all():
        assert page.locator(f'label[for="{control.get_attribute("id")}"]').count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    assert page.errors == []


def test_loaded_on_demand_across_instant_navigation(page):
    """planner.js is fetched only where the planner is: not on another widget page, and after an instant navigation
    from such a page to one with the planner, which then works."""
    page.goto(page.base_url + "metrics/latency/", wait_until="load")
    page.wait_for_function("document.querySelector('[data-explainer]')?.getAttribute('data-expl-ready') === '1'")
    scripts = "[...document.scripts].map(s => s.src).filter(s => s.endsWith('/planner.js')).length"
    assert page.evaluate(scripts) == 0
    page.start_material()
    page.evaluate("window.__stayed = true")
    page.evaluate("""() => {
        const a = document.createElement('a');
        a.href = new URL('../../reference/calculators/', location.href).href;
        a.id = 'to-calculators';
        a.textContent = 'calculators';
        document.querySelector('article').appendChild(a);
    }""")
    page.locator("#to-calculators").click()
    page.wait_for_url(re.compile(r"/reference/calculators/(#.*)?$"))   # navigation.tracking may add a section
    page.wait_for_function("document.querySelector('[data-calculator=planner]')"
                           "?.getAttribute('data-calc-ready') === '1'")
    assert page.evaluate("window.__stayed === true"), "navigation reloaded the page: instant navigation is off"
    assert page.evaluate(scripts) == 1
    root = page.locator('[data-calculator="planner"]')
    case = VECTORS["cases"][0]
    fill_form(root, case["inputs"])
    assert float(widget_results(root)["gpus"]) == case["expected"]["gpus"]
    assert page.errors == []
