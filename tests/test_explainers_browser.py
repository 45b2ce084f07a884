"""The interactive explainers in headless Chromium.

Each explainer's `data-value` outputs are checked against values computed here in Python
(through scripts/handbook/formulas/ where the handbook has a formula); bad input must
give an inline message and no number; the explainers must survive instant navigation.
"""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from handbook import data, formulas  # noqa: E402
from handbook.render import widgets  # noqa: E402

JUNK = re.compile(r"NaN|Infinity|undefined|null")
CALC_PAGE = "reference/calculators/"


def _open(page, path=CALC_PAGE):
    page.goto(page.base_url + path, wait_until="load")
    # widgets.js arrives after load and sets the widgets up one per task: wait until every one is ready
    # (the readiness flag, not an idle network, which would cost another half second per test)
    page.wait_for_function("[...document.querySelectorAll('[data-explainer]')]"
                           ".every(el => el.getAttribute('data-expl-ready') === '1')")


def _root(page, name):
    return page.locator(f'[data-explainer="{name}"]').first


def _set(root, name, value):
    control = root.locator(f'[name="{name}"]')
    kind = control.evaluate("el => el.tagName === 'SELECT' ? 'select' : el.type")
    if kind == "select":
        control.select_option(str(value))
    elif kind == "checkbox":
        control.set_checked(bool(value))
    else:
        control.fill(str(value))


def _value(root, name) -> float | None:
    raw = root.locator(f'[data-result="{name}"]').get_attribute("data-value")
    return None if raw in (None, "") else float(raw)


def _errors(root) -> list[str]:
    return [t.strip() for t in root.locator(".expl-error").all_inner_texts() if t.strip()]


def _clean(root) -> None:
    text = root.inner_text()
    assert not JUNK.search(text), text


# --- latency timeline ---------------------------------------------------------------------

LATENCY_CASES = [(200, 300, 25, 40), (0, 1, 1, 1), (1500, 800, 120, 1000), (10, 50, 7, 2)]


@pytest.mark.parametrize("queue,prefill,token,n", LATENCY_CASES)
def test_latency_timeline(page, queue, prefill, token, n):
    _open(page)
    root = _root(page, "latency-timeline")
    for name, value in (("queue_ms", queue), ("prefill_ms", prefill), ("token_ms", token), ("output_tokens", n)):
        _set(root, name, value)
        assert root.locator(f'[data-readout="{name}"]').inner_text() == str(value)
    ttft = (queue + prefill) / 1e3
    e2e = ttft + (n - 1) * token / 1e3
    assert _value(root, "ttft") == pytest.approx(ttft, rel=1e-12)
    assert _value(root, "e2e") == pytest.approx(e2e, rel=1e-12)
    if n == 1:
        assert _value(root, "tpot") is None and _value(root, "itl") is None
        assert "not defined" in root.locator('[data-result="tpot"]').inner_text()
    else:
        assert _value(root, "tpot") == pytest.approx((e2e - ttft) / (n - 1), rel=1e-9)
        assert _value(root, "itl") == pytest.approx(token / 1e3, rel=1e-12)
    assert root.locator('[data-figure="timeline"] svg').count() == 1
    assert _errors(root) == []
    _clean(root)
    assert page.errors == [] and page.foreign == []


# --- sampling ------------------------------------------------------------------------------------


def _reference_sampling(temperature, top_k, top_p, min_p):
    logits = [v for _, v in widgets.TOKENS]
    n = len(logits)
    if temperature == 0:
        best = max(range(n), key=lambda i: (logits[i], -i))
        return [1.0 if i == best else 0.0 for i in range(n)]
    z = [x / temperature for x in logits]
    top = max(z)
    p = [math.exp(x - top) for x in z]
    keep = [True] * n

    def renorm(p):
        s = sum(x for x, k in zip(p, keep) if k)
        return [x / s if k else 0.0 for x, k in zip(p, keep)]

    p = renorm(p)
    order = sorted(range(n), key=lambda i: (-p[i], i))
    if 0 < top_k < n:
        for rank, i in enumerate(order):
            keep[i] = keep[i] and rank < top_k
        p = renorm(p)
    if top_p < 1:
        cum, reached = 0.0, False
        for i in order:
            if not keep[i]:
                continue
            if reached:
                keep[i] = False
                continue
            cum += p[i]
            reached = cum >= top_p - 1e-12
        p = renorm(p)
    if min_p > 0:
        m = max(p)
        for i in range(n):
            keep[i] = keep[i] and p[i] >= min_p * m
        p = renorm(p)
    return p


SAMPLING_CASES = [(1, 0, 1, 0), (0.7, 0, 1, 0), (1, 1, 1, 0), (1.5, 5, 0.9, 0), (1, 0, 0.5, 0), (1, 0, 1, 0.2),
                  (0, 0, 1, 0), (2, 3, 0.8, 0.1)]


@pytest.mark.parametrize("temperature,top_k,top_p,min_p", SAMPLING_CASES)
def test_sampling(page, temperature, top_k, top_p, min_p):
    _open(page)
    root = _root(page, "sampling")
    for name, value in (("temperature", temperature), ("top_k", top_k), ("top_p", top_p), ("min_p", min_p)):
        _set(root, name, value)
    expected = _reference_sampling(temperature, top_k, top_p, min_p)
    got = [_value(root, f"prob_{i}") for i in range(len(expected))]
    assert sum(got) == pytest.approx(1.0, abs=1e-12)
    assert got == pytest.approx(expected, abs=1e-12)
    kept = sum(1 for x in expected if x > 0)
    assert _value(root, "kept") == kept
    assert root.locator("tr.expl-masked").count() == len(expected) - kept
    if top_k == 1 or temperature == 0:
        assert kept == 1 and _value(root, "top_prob") == 1.0
    assert _errors(root) == []
    _clean(root)
    assert page.errors == [] and page.foreign == []


# --- roofline ---------------------------------------------------------------------------------------

ROOFLINE_CASES = [("h100-sxm", "bf16", "llama-3.1-8b", 1, 2048), ("h100-sxm", "fp8", "llama-3.1-70b", 64, 512),
                  ("a100-sxm-80gb", "bf16", "qwen3-32b", 256, 8192)]


@pytest.mark.parametrize("gpu,dtype,model,batch,prompt", ROOFLINE_CASES)
def test_roofline(page, gpu, dtype, model, batch, prompt):
    _open(page)
    root = _root(page, "roofline")
    for name, value in (("gpu", gpu), ("dtype", dtype), ("model", model), ("batch_size", batch),
                        ("prompt_tokens", prompt)):
        _set(root, name, value)
    g, h = data.gpu(gpu), data.model(model).hidden_size
    ridge = formulas.ridge_point(gpu, dtype)
    peak = formulas.peak_flops(gpu, dtype)
    dec = formulas.gemm_intensity(batch, h, h, dtype)
    pre = formulas.gemm_intensity(prompt, h, h, dtype)
    assert _value(root, "ridge_point") == pytest.approx(ridge, rel=1e-12)
    assert _value(root, "decode_intensity") == pytest.approx(dec, rel=1e-12)
    assert _value(root, "prefill_intensity") == pytest.approx(pre, rel=1e-12)
    assert _value(root, "decode_attainable") == pytest.approx(min(peak, dec * g.memory_bandwidth), rel=1e-12)
    assert _value(root, "prefill_attainable") == pytest.approx(min(peak, pre * g.memory_bandwidth), rel=1e-12)
    if dtype == "bf16" and batch <= 64:
        assert dec == pytest.approx(batch, rel=0.05)  # decode GEMM intensity ≈ batch at BF16
    assert root.locator('[data-figure="roofline"] svg polyline').count() == 1
    assert _errors(root) == []
    _clean(root)
    assert page.errors == [] and page.foreign == []


# --- batching ------------------------------------------------------------------------------------------


def _batching(root, policy, chunked, max_batch):
    _set(root, "policy", policy)
    _set(root, "chunked", chunked)
    _set(root, "max_batch", max_batch)
    ids = [r[0] for r in widgets.STREAM]
    ttft = {i: _value(root, f"ttft_{i}") for i in ids}
    e2e = {i: _value(root, f"e2e_{i}") for i in ids}
    return ttft, e2e


@pytest.mark.parametrize("max_batch", [1, 4, 8])
def test_batching(page, max_batch):
    _open(page)
    root = _root(page, "batching")
    model = widgets.step_model()
    means = {}
    for policy in ("static", "dynamic", "continuous"):
        for chunked in (False, True):
            ttft, e2e = _batching(root, policy, chunked, max_batch)
            for rid, _arrival, prompt, output in widgets.STREAM:
                floor = (model["base_ms"] + model["per_token_ms"] * prompt) / 1e3
                assert ttft[rid] >= floor * (1 - 1e-9) or chunked, (policy, rid)
                assert e2e[rid] >= ttft[rid] + (output - 1) * model["base_ms"] / 1e3 * (1 - 1e-9), (policy, rid)
            assert _value(root, "mean_ttft") == pytest.approx(sum(ttft.values()) / len(ttft), rel=1e-9)
            assert _value(root, "mean_e2e") == pytest.approx(sum(e2e.values()) / len(e2e), rel=1e-9)
            assert _value(root, "makespan") >= max(a / 1e3 + e2e[r] for r, a, _, _ in widgets.STREAM) - 1e-9
            assert root.locator('[data-figure="grid"] svg rect').count() > max_batch
            assert _errors(root) == []
            _clean(root)
            means[policy, chunked] = _value(root, "mean_e2e")
    # The first request finds an idle GPU: its TTFT is one prefill step of its whole prompt.
    _, arrival, prompt, _ = widgets.STREAM[0]
    ttft, _ = _batching(root, "continuous", False, max_batch)
    assert ttft["A"] == pytest.approx((model["base_ms"] + model["per_token_ms"] * prompt) / 1e3, rel=1e-12)
    assert means["continuous", False] <= means["static", False]
    assert means["continuous", True] <= means["static", True]
    if max_batch == 1:  # one slot: every policy serves the stream the same way
        assert means["static", False] == pytest.approx(means["continuous", False], rel=1e-12)
    assert page.errors == [] and page.foreign == []


# --- bad input, labels, navigation --------------------------------------------------------------------------

BAD = [("batching", "max_batch", "abc"), ("batching", "max_batch", "0"), ("batching", "max_batch", "9"),
       ("batching", "max_batch", "2.5"), ("roofline", "batch_size", ""), ("roofline", "prompt_tokens", "-4"),
       ("roofline", "batch_size", "1e400")]


@pytest.mark.parametrize("name,field,value", BAD)
def test_bad_input_shows_inline_message(page, name, field, value):
    _open(page)
    root = _root(page, name)
    good = root.locator(f'[name="{field}"]').input_value()
    _set(root, field, value)
    message = root.locator(f'.expl-error[data-error-for="{field}"]')
    assert message.inner_text().strip(), (field, value)
    assert root.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
    for out in root.locator("[data-result]").all():
        assert out.get_attribute("data-value") == ""
    _clean(root)
    _set(root, field, good)
    assert message.inner_text().strip() == ""
    assert _errors(root) == []
    assert page.errors == [] and page.foreign == []


def test_gpu_without_precision(page):
    _open(page)
    root = _root(page, "roofline")
    _set(root, "gpu", "a100-sxm-80gb")
    _set(root, "dtype", "fp8")
    assert "no dense FP8" in root.locator('.expl-error[data-error-for="dtype"]').inner_text()
    assert _value(root, "ridge_point") is None
    _clean(root)
    _set(root, "dtype", "bf16")
    assert _value(root, "ridge_point") == pytest.approx(formulas.ridge_point("a100-sxm-80gb", "bf16"), rel=1e-12)
    assert page.errors == []


def test_labels_and_keyboard(page):
    _open(page)
    controls = page.locator("[data-explainer] input, [data-explainer] select").all()
    assert len(controls) == 16  # 3 + 4 + 4 + 5 controls
    for control in controls:
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f'label[for="{control_id}"]').count() == 1
    root = _root(page, "latency-timeline")
    root.locator('[name="output_tokens"]').focus()
    before = _value(root, "e2e")
    page.keyboard.press("ArrowRight")
    assert _value(root, "e2e") == pytest.approx(before + 0.025, rel=1e-9)
    root = _root(page, "batching")
    root.locator('[name="chunked"]').focus()
    page.keyboard.press("Space")
    assert root.locator('[name="chunked"]').is_checked()
    assert page.errors == []


@pytest.mark.parametrize("path,name", [("optimizations/batching/", "batching"),
                                       ("metrics/latency/", "latency-timeline"),
                                       ("concepts/decoding-and-sampling/", "sampling"),
                                       ("concepts/roofline/", "roofline")])
def test_embedded_on_its_page(page, path, name):
    _open(page, path)
    assert page.locator("#try-it").count() == 1
    root = _root(page, name)
    assert root.get_attribute("data-expl-ready") == "1"
    assert any(v is not None for v in (_value(root, k) for k in ("mean_e2e", "ttft", "kept", "ridge_point")
                                       if root.locator(f'[data-result="{k}"]').count()))
    assert page.errors == [] and page.foreign == []


def test_survives_instant_navigation(page):
    _open(page)
    page.start_material()  # instant navigation is Material's: from the first interaction on
    page.evaluate("window.__stayed = true")
    page.locator('article a[href$="/reference/models/"]').first.click()
    page.wait_for_url(re.compile(r"/reference/models/$"))
    page.locator('.md-nav a[href$="/reference/calculators/"]').first.click()
    page.wait_for_url(re.compile(r"/reference/calculators/$"))
    page.wait_for_selector('[data-explainer="roofline"][data-expl-ready="1"]')
    assert page.evaluate("window.__stayed === true"), "navigation reloaded the page: instant navigation is off"
    root = _root(page, "latency-timeline")
    _set(root, "queue_ms", 500)
    _set(root, "prefill_ms", 120)
    assert _value(root, "ttft") == pytest.approx(0.62, rel=1e-12)
    root = _root(page, "sampling")
    _set(root, "top_k", 1)
    assert _value(root, "kept") == 1
    root = _root(page, "roofline")
    _set(root, "gpu", "h100-sxm")
    _set(root, "dtype", "bf16")
    assert _value(root, "ridge_point") == pytest.approx(formulas.ridge_point("h100-sxm", "bf16"), rel=1e-12)
    _, e2e = _batching(_root(page, "batching"), "continuous", False, 4)
    assert all(v is not None and v > 0 for v in e2e.values())
    assert page.errors == [] and page.foreign == []


# --- phone width (375 px) and the single-page edition ---------------------------------------------------

PHONE = {"width": 375, "height": 800}

FIGURE_TEXT = """box => { const svg = box.querySelector('svg'), frame = svg.getBoundingClientRect();
    const scale = frame.width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map(t => { const r = t.getBoundingClientRect();
        return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale, left: r.left - frame.left,
                right: r.right - frame.left, top: r.top - frame.top, bottom: r.bottom - frame.top,
                width: frame.width, height: frame.height}; }); }"""


def _overlap(a, b) -> bool:
    return (a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1
            and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1)


def _legible(page, root, figure) -> list[dict]:
    """Every label of the figure: at least 11 CSS px, inside the drawing (nothing cut at an edge)."""
    box = root.locator(f'[data-figure="{figure}"]')
    # figures are drawn at their box's width once it is known (a ResizeObserver, then a frame)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("box => { const svg = box.querySelector('svg'), want = Math.min(720, box.clientWidth);"
                               " return svg && Math.abs(svg.viewBox.baseVal.width - Math.max(280, want)) < 1.5; }",
                               arg=box.element_handle(), timeout=5000)
    except PlaywrightTimeout:
        pytest.fail(f"{figure}: not drawn at the width of its box, so its labels scale with the screen")
    labels = box.evaluate(FIGURE_TEXT)
    assert labels, figure
    for label in labels:
        assert label["px"] >= 10.9, f"{figure}: {label['text']!r} drawn at {label['px']:.1f} px"
        assert label["left"] >= -0.5 and label["right"] <= label["width"] + 0.5, f"{figure}: {label['text']!r} is cut"
        assert label["top"] >= -0.5 and label["bottom"] <= label["height"] + 0.5, f"{figure}: {label['text']!r} is cut"
    return labels


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("gpu,dtype,model,batch,prompt", ROOFLINE_CASES)
def test_roofline_is_legible_at_phone_and_desktop_width(page, width, gpu, dtype, model, batch, prompt):
    page.set_viewport_size({"width": width, "height": 800})
    _open(page, "concepts/roofline/")
    root = _root(page, "roofline")
    for name, value in (("gpu", gpu), ("dtype", dtype), ("model", model), ("batch_size", batch),
                        ("prompt_tokens", prompt)):
        _set(root, name, value)
    labels = _legible(page, root, "roofline")
    ticks = [t for t in labels if re.fullmatch(r"[\d.,]+", t["text"])]
    assert len(ticks) >= 5, ticks
    clashes = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:] if _overlap(a, b)]
    assert clashes == [], clashes
    assert page.errors == []


def test_figures_redraw_for_a_phone_when_the_window_narrows(page):
    _open(page)  # 1280 px wide: the calculators page has all three figures
    page.set_viewport_size(PHONE)
    for name, figure in (("batching", "grid"), ("latency-timeline", "timeline"), ("roofline", "roofline")):
        _legible(page, _root(page, name), figure)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_batching_table_keeps_its_columns_apart(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    _open(page, "optimizations/batching/")
    root = _root(page, "batching")
    rows = root.locator('[data-rows="requests"] tr').evaluate_all("""rows => rows.map(tr => [...tr.cells].map(c => {
        const range = document.createRange(); range.selectNodeContents(c);
        const r = range.getBoundingClientRect();
        const lines = Math.round(r.height / parseFloat(getComputedStyle(c).lineHeight));
        return {left: r.left, right: r.right, lines: lines}; }))""")
    assert len(rows) == len(widgets.STREAM)
    for cells in rows:
        assert all(c["lines"] == 1 for c in cells), cells  # "125.3 ms" on one line, not "125.3 / ms"
        gaps = [b["left"] - a["right"] for a, b in zip(cells, cells[1:])]
        assert min(gaps) >= 8, f"cell texts {min(gaps):.1f} px apart: {gaps}"  # never "125.3 ms667.5 ms"
    box = root.locator(".expl-scroll")
    assert box.get_attribute("tabindex") == "0"
    if width == PHONE["width"]:
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table should scroll inside its box on a phone"
        box.focus()
        page.keyboard.press("ArrowRight")
        # the browser may scroll smoothly: wait for the box to move rather than read it at once
        box.evaluate("b => new Promise(done => { const t = Date.now(); (function check() {"
                     " if (b.scrollLeft > 0 || Date.now() - t > 3000) done();"
                     " else requestAnimationFrame(check); })(); })")
        assert box.evaluate("b => b.scrollLeft") > 0
    assert page.errors == []


def test_every_control_has_an_accessible_name_on_the_single_page_edition(page):
    """print_page/ repeats a widget that two chapters embed, ids and all; a <label for> names only the first copy,
    so each control names itself too (axe: select-name, label)."""
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "print_page/", wait_until="load")
    assert page.locator('[data-explainer="roofline"]').count() >= 2, "the widget no longer repeats: test another page"
    result = Axe().run(page, options={"runOnly": ["select-name", "label"], "resultTypes": ["violations"]})
    found = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]
    assert found == [], found
