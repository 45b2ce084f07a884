"""The in-page calculators in headless Chromium, fed tests/vectors/calculators.json.

Every vector's inputs go into the calculator on /reference/calculators/; each result's
`data-value` must equal the Python formulas' value. Bad input must give an inline
message and no number; the calculators must survive Material's instant navigation.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import fill_form, widget_results

pytestmark = pytest.mark.browser

VECTORS = json.loads((Path(__file__).parent / "vectors" / "calculators.json").read_text())["calculators"]
NAMES = sorted(VECTORS)
JUNK = re.compile(r"NaN|Infinity|undefined|null")


def _open(page):
    page.goto(page.base_url + "reference/calculators/", wait_until="load")
    # widgets.js arrives after load and sets the widgets up one per task: wait until every one is ready
    # (the readiness flag, not an idle network, which would cost another half second per test)
    page.wait_for_function("[...document.querySelectorAll('[data-calculator]')]"
                           ".every(el => el.getAttribute('data-calc-ready') === '1')")


def _assert_clean(root) -> None:
    text = root.inner_text()
    assert not JUNK.search(text), text


@pytest.mark.parametrize("name", NAMES)
def test_vectors(page, name):
    _open(page)
    root = page.locator(f'[data-calculator="{name}"]')
    for case in VECTORS[name]["cases"]:
        fill_form(root, case["inputs"])
        got = widget_results(root)
        for key, expected in case["expected"].items():
            assert got[key] not in (None, ""), (case["label"], key, got)
            assert float(got[key]) == pytest.approx(expected, rel=1e-9, abs=1e-12), (case["label"], key)
        assert root.locator(".calc-error").all_inner_texts() == [""] * root.locator(".calc-error").count()
        _assert_clean(root)
    assert page.errors == []
    assert page.foreign == []


@pytest.mark.parametrize("name", NAMES)
def test_bad_inputs_show_inline_message(page, name):
    _open(page)
    root = page.locator(f'[data-calculator="{name}"]')
    good = VECTORS[name]["cases"][0]["inputs"]
    fill_form(root, good)
    for bad in VECTORS[name]["bad_inputs"]:
        field, value = bad["field"], bad["value"]
        root.locator(f'[name="{field}"]').fill(value)
        message = root.locator(f'.calc-error[data-error-for="{field}"]')
        assert message.inner_text().strip(), (field, value)
        assert message.get_attribute("aria-live") == "polite"
        assert root.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
        for out in root.locator("[data-result]").all():
            assert out.get_attribute("data-value") == "", (field, value)
            assert out.inner_text().strip() == "—"
        _assert_clean(root)
        root.locator(f'[name="{field}"]').fill(str(good[field]))  # recovers
        assert message.inner_text().strip() == ""
        assert all(v not in (None, "") for v in widget_results(root).values())
    for inputs in VECTORS[name]["bad_choices"]:
        fill_form(root, inputs)
        assert any(t.strip() for t in root.locator(".calc-error").all_inner_texts())
        assert all(v == "" for v in widget_results(root).values())
        _assert_clean(root)
    assert page.errors == []
    assert page.foreign == []


def test_labels_and_keyboard(page):
    _open(page)
    for control in page.locator("[data-calculator] input, [data-calculator] select").all():
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f'label[for="{control_id}"]').count() == 1
    root = page.locator('[data-calculator="capacity"]')
    root.locator('[name="requests_per_s"]').focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("0")  # capacity field now "1.50" -> still valid text appended
    assert root.locator('[data-result="gpus"]').get_attribute("data-value") != "" or \
        root.locator('.calc-error[data-error-for="capacity_per_gpu"]').inner_text().strip()
    assert page.errors == []


def test_survives_instant_navigation(page):
    _open(page)
    page.start_material()  # instant navigation is Material's: from the first interaction on
    page.evaluate("window.__stayed = true")
    page.locator('article a[href$="/reference/models/"]').first.click()
    page.wait_for_url(re.compile(r"/reference/models/$"))
    page.locator('.md-nav a[href$="/reference/calculators/"]').first.click()
    page.wait_for_url(re.compile(r"/reference/calculators/$"))
    page.wait_for_selector('[data-calculator="kv-cache"][data-calc-ready="1"]')
    assert page.evaluate("window.__stayed === true"), "navigation reloaded the page: instant navigation is off"
    for name in NAMES:
        root = page.locator(f'[data-calculator="{name}"]')
        case = VECTORS[name]["cases"][-1]
        fill_form(root, case["inputs"])
        got = widget_results(root)
        for key, expected in case["expected"].items():
            assert float(got[key]) == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, key)
    assert page.errors == []
    assert page.foreign == []


def test_number_format_matches_intl(page):
    """hbFormat in widgets-common.js (used instead of Intl, whose first use costs 38 ms) writes what Intl writes."""
    _open(page)
    mismatches = page.evaluate("""() => {
        let seed = 12345;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const values = [0, -0, 0.5, 1.005, 2.5, -2.5, 9.9995, 999.5, 0.0005, 0.00049, 1e-7, 5e-324, 123456789.125,
                        1e15, 1e21, 1.5e22, 1e300, NaN, Infinity, -Infinity];
        for (let i = 0; i < 20000; i++) {
            let x = (random() - 0.3) * 10 ** (Math.floor(random() * 26) - 9);
            if (i % 3 === 0) x = Math.round(x * 1000) / 1000 + 0.0005;  // decimal ties
            if (i % 5 === 0) x = Math.round(x);
            values.push(x);
        }
        const bad = [];
        for (const x of values) for (let d = 0; d <= 4; d++) {
            const want = x.toLocaleString("en-US", {minimumFractionDigits: d, maximumFractionDigits: d});
            if (window.hbFormat(x, d) !== want) bad.push([x, d, window.hbFormat(x, d), want]);
        }
        return bad.slice(0, 5);
    }""")
    assert mismatches == []


# --- cost: small prices and implausible results, at phone width ------------------------------------------

COST_CASES = [
    # (price per GPU-hour, GPUs, tokens/s, utilization, text the result must show, warned?)
    (2.5, 1, 2000, 0.6, "$0.58", False),
    (0.01, 1, 200000, 1, "$0.000014", True),        # 1.39e-5 USD: two significant digits, never "$0.0000"
    (0.05, 1, 20000, 1, "$0.00069", True),          # just under the $0.001 bound
    (0.5, 1, 100000, 1, "$0.0014", False),          # just over it
    (0.01, 1, 1e9, 1, "under $0.000001", True),     # 2.8e-9 USD
    (10000, 1, 0.01, 1, "$277,777,777.78", True),   # far over the $1,000 bound
]


@pytest.mark.parametrize("price,count,tps,util,shown,warned", COST_CASES)
def test_cost_shows_small_results_and_flags_implausible_ones(page, price, count, tps, util, shown, warned):
    page.set_viewport_size({"width": 375, "height": 800})
    _open(page)
    root = page.locator('[data-calculator="cost"]')
    fill_form(root, {"gpu_hourly_usd": price, "gpu_count": count, "tokens_per_s": tps, "utilization": util})
    out = root.locator('[data-result="usd_per_million_tokens"]')
    expected = price * count / (tps * util * 3600) * 1e6
    assert float(out.get_attribute("data-value")) == pytest.approx(expected, rel=1e-12)
    assert out.inner_text() == shown
    warning = root.locator(".calc-warning")
    text = warning.inner_text().strip() if warning.count() else ""
    if warned:
        assert warning.is_visible() and "Unusual result" in text and "tokens per dollar" in text, text
        assert ("$0.001" in text) if expected < 0.001 else ("$1,000" in text), text  # the bound, explained
    else:
        assert text == "" and (warning.count() == 0 or not warning.is_visible())
    fill_form(root, {"gpu_hourly_usd": 2.5, "gpu_count": 1, "tokens_per_s": 2000, "utilization": 0.6})
    assert out.inner_text() == "$0.58" and warning.count() in (0, 1) and \
        (warning.count() == 0 or warning.inner_text().strip() == "")  # the warning goes once the result is plausible
    assert root.locator(".calc-error").all_inner_texts() == [""] * root.locator(".calc-error").count()
    _assert_clean(root)
    assert page.errors == []
