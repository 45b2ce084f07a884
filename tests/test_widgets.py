"""The markup of the calculators and explainers (scripts/handbook/render/widgets.py), without a browser.

docs/javascripts/widgets-common.js finds a widget's controls by name, its error slots by data-error-for, its outputs
by data-result and its data in data-calc-data / data-expl-data; these tests keep the markup to that contract. The
browser tests (test_calculators_browser.py, test_explainers_browser.py) check the numbers.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from handbook import DOCS, data, formulas
from handbook.render import widgets

KINDS = {"calculator": ("calc", widgets.calculator, widgets.CALCULATORS, "calculators.js"),
         "explainer": ("expl", widgets.explainer, widgets.EXPLAINERS, "explainers.js")}
ALL = [(kind, name) for kind, (_, _, table, _) in KINDS.items() for name in table]


class Tags(HTMLParser):
    """Every start tag as (tag, attributes), and the text of each <label for=...>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.labels: dict[str, str] = {}
        self._label: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "label":
            self._label = attrs.get("for")
            self.labels[self._label] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, text):
        if self._label is not None:
            self.labels[self._label] += text

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        return [a for t, a in self.tags if (tag is None or t == tag)
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def controls(self) -> list[dict]:
        return [a for t, a in self.tags if t in ("input", "select")]


def render(kind: str, name: str) -> tuple[str, Tags]:
    text = KINDS[kind][1](name)
    return text, Tags(text)


def payload(kind: str, name: str) -> dict:
    _, tags = render(kind, name)
    (root,) = tags.find(**{f"data-{kind}": name})
    return json.loads(root[f"data-{KINDS[kind][0]}-data"])


@pytest.mark.parametrize("kind,name", ALL)
def test_shell(kind, name):
    text, tags = render(kind, name)
    css = KINDS[kind][0]
    assert text.endswith("</div>\n") and "\n" not in text.rstrip("\n")    # one line: Markdown leaves it alone
    assert "<script" not in text                                          # instant navigation would run it
    (root,) = tags.find("div", **{f"data-{kind}": name})
    assert root["class"] == kind and root["role"] == "group"
    (title,) = tags.find("p", id=root["aria-labelledby"])
    assert title["class"] == f"{css}-title"
    assert isinstance(json.loads(root[f"data-{css}-data"]), dict)
    assert "<noscript><p>This " + kind + " needs JavaScript;" in text
    (form,) = tags.find("form")
    assert "novalidate" in form                    # the script, not the browser, says what is wrong


@pytest.mark.parametrize("kind,name", ALL)
def test_every_control_has_an_id_a_label_an_accessible_name_and_an_error_slot(kind, name):
    _, tags = render(kind, name)
    css = KINDS[kind][0]
    controls = tags.controls()
    assert controls
    ids = [c.get("id") for c in controls]
    assert len(set(ids)) == len(ids)
    for index, control in enumerate(controls):
        cid, label = control.get("id"), control.get("aria-label")
        assert cid == f"{css}-{name}-{index}", control                     # numbered in order, unique on a page
        assert tags.labels.get(cid), f"no <label for={cid}>"
        assert label and label == tags.labels[cid], control           # the same name both ways
        (slot,) = tags.find("span", **{"data-error-for": control["name"]})
        assert slot["class"] == f"{css}-error" and slot["aria-live"] == "polite"


@pytest.mark.parametrize("kind,name", ALL)
def test_text_boxes_and_menus_start_valid(kind, name):
    _, tags = render(kind, name)
    for control in tags.find("input", type="text"):
        assert re.fullmatch(r"\d+(\.\d+)?", control["value"]), control
        assert control["inputmode"] in ("numeric", "decimal")
        assert control["inputmode"] == "decimal" or "." not in control["value"], control   # numeric: whole numbers
    for control in tags.find("input", type="range"):
        lo, hi, value = float(control["min"]), float(control["max"]), float(control["value"])
        assert lo <= value <= hi
        (readout,) = tags.find("output", **{"data-readout": control["name"]})
        assert readout["for"] == control["id"]
    selects = [a for t, a in tags.tags if t == "select"]
    options = [a for t, a in tags.tags if t == "option"]
    assert sum("selected" in o for o in options) == len(selects)     # each menu has its default


@pytest.mark.parametrize("name", widgets.CALCULATORS)
def test_calculator_outputs_are_its_results(name):
    _, tags = render("calculator", name)
    outputs = [a["data-result"] for a in tags.find("output") if "data-result" in a]
    assert outputs == [key for key, _ in widgets.CALCULATORS[name].results]
    assert all(a["data-value"] == "" for a in tags.find("output") if "data-result" in a)
    (box,) = tags.find("div", **{"class": "calc-results"})
    assert box["aria-live"] == "polite"


@pytest.mark.parametrize("name", widgets.EXPLAINERS)
def test_explainer_has_a_slot_for_errors_of_no_one_control(name):
    _, tags = render("explainer", name)
    (general,) = tags.find("p", **{"data-error-for": ""})
    assert general["class"] == "expl-error expl-general" and general["aria-live"] == "polite"


def test_calculator_payloads_carry_what_calculators_js_reads():
    models, gpus = data.load_models(), data.load_gpus()
    for name, spec in widgets.CALCULATORS.items():
        d = payload("calculator", name)
        assert d["dtype_bytes"] == json.loads(json.dumps(formulas.DTYPE_BYTES)), name
        assert d["compute_precision"] == formulas.COMPUTE_PRECISION, name
        assert ("models" in d) == spec.models and ("gpus" in d) == spec.gpus, name
    d = payload("calculator", "speculative")
    assert list(d["models"]) == list(models) and list(d["gpus"]) == list(gpus)
    llama = d["models"]["llama-3.1-8b"]
    assert llama["params_total"] == models["llama-3.1-8b"].params_total and llama["num_kv_heads"] == 8
    assert {"kv_lora_rank", "qk_rope_head_dim"} <= set(d["models"]["deepseek-v3"])   # MLA
    assert d["models"]["mistral-7b-v0.1"]["sliding_window"]                          # sliding window
    h100 = d["gpus"]["h100-sxm"]
    assert h100 == {"name": gpus["h100-sxm"].name, "memory_bytes": gpus["h100-sxm"].memory,
                    "memory_bandwidth": gpus["h100-sxm"].memory_bandwidth, "dense": dict(gpus["h100-sxm"].dense)}
    assert all(v is not None for m in d["models"].values() for v in m.values())


def test_explainer_payloads_carry_what_explainers_js_reads():
    roofline = payload("explainer", "roofline")
    assert roofline["models"]["llama-3.1-8b"] == {"name": "Llama 3.1 8B", "hidden_size": 4096}
    assert set(roofline["gpus"]["h100-sxm"]) >= {"name", "memory_bandwidth", "dense"}
    assert set(roofline["dtype_bytes"]) >= set(widgets.ROOFLINE_DTYPES)
    batching = payload("explainer", "batching")
    assert [r["id"] for r in batching["stream"]] == [r[0] for r in widgets.STREAM]
    assert batching["chunk"] == widgets.CHUNK_TOKENS and batching["wait"] == widgets.DYNAMIC_WAIT_MS
    assert set(batching["model"]) == {"base_ms", "per_seq_ms", "per_token_ms", "gpu", "date"}
    assert all(batching["model"][k] > 0 for k in ("base_ms", "per_seq_ms", "per_token_ms"))
    assert [t["text"] for t in payload("explainer", "sampling")["tokens"]] == [t for t, _ in widgets.TOKENS]
    assert payload("explainer", "latency-timeline") == {}


@pytest.mark.parametrize("kind", KINDS)
def test_the_script_and_the_markup_agree_on_names(kind):
    """Every control the script reads is in the markup of some widget of its kind, and the other way round; every
    widget name has its function in the script."""
    _, _, table, script = KINDS[kind]
    source = (DOCS / "javascripts" / script).read_text(encoding="utf-8")
    read = set(re.findall(r"\b(?:readNumber|readChoice|control)\(root, \"(\w+)\"", source))
    names = {c["name"] for name in table for c in render(kind, name)[1].controls()}
    assert read == names
    for name in table:
        assert re.search(rf'"{re.escape(name)}": (function|\w+)', source), name


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_names_raise_with_the_known_ones(kind):
    build, table = KINDS[kind][1], KINDS[kind][2]
    with pytest.raises(KeyError, match=f"unknown {kind} 'nope'; known: " + re.escape(", ".join(table))):
        build("nope")
    with pytest.raises(KeyError, match=f"unknown {kind} ''"):
        build()


def test_step_model_is_the_lab_measurement():
    model = widgets.step_model()
    assert all(model[k] > 0 for k in ("base_ms", "per_seq_ms", "per_token_ms"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", model["date"])


def test_data_that_several_widgets_carry_is_written_once():
    import html as html_lib
    import json

    big = {"m": "x" * 2000}
    one = html_lib.escape(json.dumps({"models": big, "k": 1}), quote=True)
    two = html_lib.escape(json.dumps({"models": big, "k": 2}), quote=True)
    page = (f'<p>a</p><div class="calculator" data-calculator="a" data-calc-data="{one}"></div>'
            f'<div class="calculator" data-calculator="b" data-calc-data="{two}"></div>')
    out = widgets.share_repeated_data(page)
    assert out.count("data-hb-shared=") == 1 and out.count("x" * 2000) == 1
    assert out.index("data-hb-shared=") < out.index('data-calculator="a"')
    datas = [json.loads(html_lib.unescape(v)) for v in re.findall(r'data-calc-data="([^"]*)"', out)]
    assert [d["k"] for d in datas] == [1, 2] and datas[0]["models"] == datas[1]["models"]
    assert set(datas[0]["models"]) == {"$shared"}
    assert widgets.share_repeated_data('<div data-calc-data="{&quot;k&quot;:1}"></div>') == \
        '<div data-calc-data="{&quot;k&quot;:1}"></div>'          # nothing repeated, nothing changed
