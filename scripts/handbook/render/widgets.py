"""The in-page widgets, calculators and explainers, as block placeholders.

A page writes one of these on a line of its own:

    {{< calculator kv-cache >}}         one calculator (the names: CALCULATORS, and planner)
    {{< explainer batching >}}          static / dynamic / continuous batching on one request stream
    {{< explainer latency-timeline >}}  one request's timeline and its TTFT, TPOT, ITL, E2E latency
    {{< explainer sampling >}}          temperature, top-k, top-p and min-p on a toy distribution
    {{< explainer roofline >}}          a GPU's roofline with decode and prefill placed on it

Both kinds are written with the same markup helpers, as HTML only: a shell with a title, the data as JSON in an
attribute and a <noscript> note; controls, each with its label and its error slot; outputs. In the browser
docs/javascripts/widgets-common.js reads the controls, shows the errors and writes the outputs; calculators.js and
explainers.js hold only the formulas and the drawings. Every number comes from data/ through
scripts/handbook/formulas/.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import NamedTuple

from handbook import data, formulas
from handbook.data import measurements
from handbook.formulas import planner

# --- markup helpers, one set for both kinds -------------------------------------------------------


class Form:
    """The widget being written: `css` starts its class names (calc, expl), `key` its ids (calc-kv-cache).

    Controls are numbered in the order they are written (calc-kv-cache-0, -1, ...): ids made of the control names
    made the calculators page, with its ten widgets, about 230 bytes heavier after gzip."""

    def __init__(self, css: str, key: str):
        self.css, self.key, self.count = css, key, 0

    def new_id(self) -> str:
        self.count += 1
        return f"{self.key}-{self.count - 1}"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# Each control carries its label twice: <label for=id> (click to focus) and aria-label (its accessible name). A page
# that shows the same widget twice, such as the single-page edition print_page/, repeats the id, and a label's `for`
# then names only the first copy: the second would have no name (axe: select-name, label).
def _control(cid: str, name: str, label: str, kind: str = "", attrs: str = "") -> str:
    """The opening tag of an <input type=kind>, or of a <select> without a kind; `attrs` go before aria-label."""
    tag = f'input type="{kind}"' if kind else "select"
    return f'<{tag} name="{name}" id="{cid}"{attrs} aria-label="{_esc(label)}">'


def _label(cid: str, label: str) -> str:
    return f'<label for="{cid}">{_esc(label)}</label>'


def field(f: Form, name: str, inner: str) -> str:
    """A control with its label (in `inner`) and the slot where widgets-common.js writes its error."""
    return (f'<div class="{f.css}-field">{inner}'
            f'<span class="{f.css}-error" data-error-for="{name}" role="status" aria-live="polite"></span></div>')


def select(f: Form, name: str, label: str, options: list[tuple[str, str]], selected: str) -> str:
    cid = f.new_id()
    opts = "".join(f'<option value="{_esc(v)}"{" selected" if v == selected else ""}>{_esc(t)}</option>'
                   for v, t in options)
    return field(f, name, _label(cid, label) + _control(cid, name, label) + opts + "</select>")


def number(f: Form, name: str, label: str, value: str, whole: bool = True) -> str:
    """A text box for a number (type=text: the script, not the browser, says what is wrong with it)."""
    cid = f.new_id()
    attrs = f' value="{value}" inputmode="{"numeric" if whole else "decimal"}" autocomplete="off" spellcheck="false"'
    return field(f, name, _label(cid, label) + _control(cid, name, label, "text", attrs))


def checkbox(f: Form, name: str, label: str) -> str:
    cid = f.new_id()
    return field(f, name, f'<span class="{f.css}-check">{_control(cid, name, label, "checkbox")}'
                 f'{_label(cid, label)}</span>')


def slider(f: Form, name: str, label: str, bounds: tuple[float, float, float], value: float, unit: str = "") -> str:
    """A range input (bounds: min, max, step) with a readout of its value that widgets-common.js keeps current."""
    cid, (lo, hi, step) = f.new_id(), bounds
    control = _control(cid, name, label, "range", f' min="{lo}" max="{hi}" step="{step}" value="{value}"')
    return field(f, name, _label(cid, label) + f'<span class="{f.css}-range">{control}'
                 f'<output for="{cid}" data-readout="{name}">{value}</output>'
                 f'<span class="{f.css}-unit">{_esc(unit)}</span></span>')


def results(f: Form, outputs: list[tuple[str, str]], live: bool = False) -> str:
    """Labelled outputs; the script writes the text and the raw number (data-value, empty when there is none)."""
    rows = "".join(f'<div class="{f.css}-result"><span class="{f.css}-result-label">{_esc(label)}</span> '
                   f'<output data-result="{key}" data-value="">—</output></div>' for key, label in outputs)
    live_attr = ' aria-live="polite"' if live else ""
    return f'<div class="{f.css}-results"{live_attr}>{rows}</div>'


def widget(kind: str, f: Form, name: str, title: str, payload: dict, inner: str, noscript: str) -> str:
    """The outer shell: a named group with its title, its data and a note for readers without JavaScript.

    The data is an attribute, not <script type="application/json">: Material's instant navigation re-runs every
    <script> in the new page as JavaScript, type or not."""
    blob = _esc(json.dumps(payload, separators=(",", ":")))
    return (f'<div class="{kind}" data-{kind}="{name}" data-{f.css}-data="{blob}" role="group" '
            f'aria-labelledby="{f.key}-title">'
            f'<p class="{f.css}-title" id="{f.key}-title"><strong>{_esc(title)}</strong></p>{inner}'
            f'<noscript><p>This {kind} needs JavaScript; {noscript}</p></noscript></div>\n')


def _known(table: dict, kind: str, name: str):
    if name not in table:
        raise KeyError(f"unknown {kind} {name!r}; known: {', '.join(table)}")
    return table[name]


# --- data and controls the widgets share -------------------------------------------------------------

KV_DTYPES = ("bf16", "fp16", "fp8")
WEIGHT_DTYPES = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")
ROOFLINE_DTYPES = ("bf16", "fp16", "fp8", "fp4")
# What calculators.js reads of a model (attention shape for the KV cache, parameters for weights and FLOPs) and of
# a GPU; a page with several widgets repeats these, so each widget sends only what its script reads.
MODEL_FIELDS = ("name", "params_total", "params_active", "attention", "num_layers", "num_attention_heads",
                "num_kv_heads", "head_dim", "kv_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "sliding_window",
                "num_sliding_layers", "layer_groups",  # layer_groups: data.layer_groups, what the formulas iterate
                "hidden_size", "vocab_size", "tie_word_embeddings")  # the input embedding rows a decode step skips
GPU_FIELDS = ("name", "memory_bytes", "memory_bandwidth", "dense")
FIELD_NAMES = {"memory_bytes": "memory"}   # JSON key -> field of data.GPU or data.Model, where the two differ


def payload(**fields: tuple[str, ...]) -> dict:
    """Bytes per precision, then, for models= and gpus= in the order given, these fields of every model or GPU."""
    out: dict = {"dtype_bytes": formulas.DTYPE_BYTES, "compute_precision": formulas.COMPUTE_PRECISION}
    loaders = {"models": data.load_models, "gpus": data.load_gpus}
    for table, keys in fields.items():
        rows = loaders[table]().values()
        out[table] = {row.id: {k: row.get(FIELD_NAMES.get(k, k)) for k in keys
                               if row.get(FIELD_NAMES.get(k, k)) is not None} for row in rows}
    return out


def _dtypes(dtypes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(d, d.upper()) for d in dtypes]


def _model(f: Form, label: str = "Model") -> str:
    return select(f, "model", label, [(m.id, m.name) for m in data.load_models().values()], "llama-3.1-8b")


def _gpu(f: Form) -> str:
    return select(f, "gpu", "GPU", [(g.id, g.name) for g in data.load_gpus().values()], "h100-sxm")


def _weights(f: Form) -> str:
    return select(f, "weight_dtype", "Weight precision", _dtypes(WEIGHT_DTYPES), "bf16")


def _kv(f: Form) -> str:
    return select(f, "kv_dtype", "KV cache precision", _dtypes(KV_DTYPES), "bf16")


def _context(f: Form, cached: bool = False) -> str:
    if cached:
        return number(f, "context_tokens", "Context length (tokens already cached)", "1024")
    return number(f, "context_tokens", "Context length (tokens per sequence)", "8192")


def _batch(f: Form, label: str = "Sequences (batch size)", value: str = "1") -> str:
    return number(f, "batch_size", label, value)


# --- calculators -------------------------------------------------------------------------------------


class Calculator(NamedTuple):
    title: str
    fields: Callable[[Form], list[str]]
    results: list[tuple[str, str]]
    models: bool = False     # the payload carries the models (MODEL_FIELDS)
    gpus: bool = False       # ... and the GPUs (GPU_FIELDS)


CALCULATORS: dict[str, Calculator] = {
    "kv-cache": Calculator(
        "KV cache size", lambda f: [_model(f), _kv(f), _context(f), _batch(f)],
        [("bytes_per_token", "KV cache per token (average over the context)"),
         ("total_bytes", "KV cache for the batch")], models=True),
    "gpu-memory": Calculator(
        "GPU memory budget",
        lambda f: [_model(f), _weights(f), _gpu(f), number(f, "gpu_count", "GPUs (tensor parallel)", "1"), _kv(f),
                   _context(f), number(f, "memory_utilization",
                                       "Share of memory for weights and KV cache (fraction; 0.9 assumed)", "0.9",
                                       whole=False)],
        [("weight_bytes", "Weights"), ("kv_budget_bytes", "Left for the KV cache"),
         ("max_sequences", "Sequences of this length that fit"), ("fits", "Fits?")], models=True, gpus=True),
    "decode-bound": Calculator(
        "Decode step lower bound", lambda f: [_model(f), _weights(f), _gpu(f), _batch(f), _context(f, cached=True)],
        [("step_time_s", "Decode step, at least"), ("tokens_per_s", "Output tokens/s, at most")],
        models=True, gpus=True),
    "speculative": Calculator(
        "Speculative decoding",
        lambda f: [number(f, "acceptance_rate", "Acceptance rate α (fraction 0–1)", "0.8", whole=False),
                   number(f, "draft_tokens", "Draft tokens k", "4"),
                   number(f, "draft_cost_ratio", "Draft step cost / target step cost", "0.05", whole=False),
                   _model(f, "Target model"), _weights(f), _gpu(f), _kv(f),
                   _batch(f, "Sequences (batch size; memory not checked)", "256"), _context(f, cached=True)],
        [("tokens_per_step", "Tokens per target pass"),
         ("speedup", "Speedup if verification costs one plain step (small batch)"),
         ("verify_cost_ratio", "Verification pass at this batch and context (bound)"),
         ("speedup_at_batch", "Speedup at this batch and context (roofline bound)"),
         ("crossover_batch", "Speculation costs throughput from (same context)")], models=True, gpus=True),
    "cost": Calculator(
        "Cost per million tokens",
        lambda f: [number(f, "gpu_hourly_usd", "Price per GPU-hour (USD)", "2.5", whole=False),
                   number(f, "gpu_count", "GPUs", "1"),
                   number(f, "tokens_per_s", "Tokens/s while busy (all GPUs together)", "2000", whole=False),
                   number(f, "utilization", "Utilization (fraction of the time busy)", "0.6", whole=False)],
        [("usd_per_million_tokens", "USD per million tokens")]),
    "capacity": Calculator(
        "GPUs for a traffic level",
        lambda f: [number(f, "requests_per_s", "Peak requests/s", "20", whole=False),
                   number(f, "capacity_per_gpu", "SLO-constrained capacity per GPU (requests/s)", "1.5", whole=False),
                   number(f, "headroom", "Headroom (fraction, e.g. 0.3)", "0.3", whole=False)],
        [("gpus", "GPUs needed")]),
}


# --- the serving planner: a calculator with its own script (planner.js) and a working shown under the results --------

PLANNER_MODEL_FIELDS = MODEL_FIELDS + ("intermediate_size", "num_experts", "experts_per_token",
                                       "v_head_dim")
PLANNER_GPU_FIELDS = GPU_FIELDS + ("interconnect",)


def _planner_fields(f: Form) -> list[str]:
    return [select(f, "model", "Model", [(m.id, m.name) for m in data.load_models().values()], "llama-3.1-70b"),
            _gpu(f), _weights(f), _kv(f),
            number(f, "requests_per_s", "Peak requests/s (with bursts)", "20", whole=False),
            number(f, "prompt_tokens", "Prompt tokens (mean)", "2000"),
            number(f, "output_tokens", "Output tokens (mean)", "300"),
            number(f, "ttft_p99_s", "p99 TTFT limit (seconds)", "1", whole=False),
            number(f, "tpot_p99_s", "TPOT limit (seconds, e.g. 0.05)", "0.05", whole=False),
            number(f, "headroom", "Headroom (fraction, e.g. 0.3)", "0.3", whole=False),
            number(f, "gpu_hourly_usd", "Price per GPU-hour (USD)", "2.5", whole=False)]


PLANNER_RESULTS = [("gpus", "GPUs"), ("replicas", "Replicas"), ("tensor_parallel", "Tensor parallel"),
                   ("ttft_p99_s", "TTFT at the load"), ("tpot_s", "TPOT at the load"),
                   ("tokens_per_s", "Output tokens/s at the load"), ("usd_per_million_tokens", "Cost"),
                   ("binding", "Binding constraint")]


def planner_payload() -> dict:
    """What planner.js reads: the models and GPUs, the lab's measured fractions with the planner's slowdown, and the
    planner's assumed constants."""
    out = payload(models=PLANNER_MODEL_FIELDS, gpus=PLANNER_GPU_FIELDS)
    out["lab"] = planner.calibrated_lab()
    out["planner"] = {"memory_utilization": planner.MEMORY_UTILIZATION, "workspace_bytes": planner.WORKSPACE_BYTES,
                      "chunk_tokens": planner.CHUNK_TOKENS, "kv_transfer_Bps": planner.KV_TRANSFER_BPS}
    return out


def _planner() -> str:
    f = Form("calc", "calc-planner")
    working = ('<details class="calc-working"><summary>The working: every step and the numbers it used</summary>'
               '<div data-figure="working"></div></details>')
    inner = (f'<form class="calc-inputs" novalidate>{"".join(_planner_fields(f))}</form>'
             '<p class="calc-error calc-general" data-error-for="" role="status" aria-live="polite"></p>'
             + results(f, PLANNER_RESULTS, live=True) + working)
    return widget("calculator", f, "planner", "Serving planner", planner_payload(), inner,
                  "the page works the same example step by step.")


def calculator(name: str = "") -> str:
    if name == "planner":
        return _planner()
    spec = _known(CALCULATORS, "calculator", name)
    f = Form("calc", f"calc-{name}")
    inner = (f'<form class="calc-inputs" novalidate>{"".join(spec.fields(f))}</form>'
             + results(f, spec.results, live=True))
    tables = {"models": MODEL_FIELDS} if spec.models else {}
    if spec.gpus:
        tables["gpus"] = GPU_FIELDS
    return widget("calculator", f, name, spec.title, payload(**tables), inner, "the formula is given beside it.")


# --- explainers: the batching explainer's request stream and step-time model -----------------------------

# (id, arrival ms, prompt tokens, output tokens): fixed, so the page and the tests agree.
STREAM = [
    ("A", 0, 512, 24), ("B", 10, 2048, 8), ("C", 25, 256, 40), ("D", 40, 1024, 16),
    ("E", 60, 4096, 12), ("F", 80, 512, 32), ("G", 100, 128, 20), ("H", 130, 1024, 28),
]
CHUNK_TOKENS = 512      # token budget per step with chunked prefill
DYNAMIC_WAIT_MS = 20    # dynamic batching: longest a request waits for the batch to fill


def step_model() -> dict:
    """Step time = base + per_seq x decoding sequences + per_token x prefill tokens (ms),
    fitted to the lab's H100 measurements of a Llama-3.1-8B-shaped model (BF16, CUDA graphs)."""
    decode = measurements.load("decode")
    prefill = measurements.load("prefill")
    lean = {(p["batch"], p["context"]): p["graph"]["median"] for p in decode["results"]["lean"]}
    base = lean[(1, 512)]
    per_seq = (lean[(64, 512)] - base) / 63
    points = {p["tokens"]: p["ttft"]["median"] for p in prefill["results"]["points"]}
    per_token = points[8192] / 8192
    return {"base_ms": base * 1e3, "per_seq_ms": per_seq * 1e3, "per_token_ms": per_token * 1e3,
            "gpu": decode["provenance"]["gpu"], "date": decode["provenance"]["date_utc"][:10]}


# The sampling explainer's toy distribution: (token, logit).
TOKENS = [("the", 3.2), ("a", 2.8), ("this", 2.1), ("my", 1.9), ("one", 1.4),
          ("our", 1.0), ("that", 0.6), ("its", 0.2), ("every", -0.4), ("banana", -1.5)]


class Explainer(NamedTuple):
    """What an explainer's function returns: the controls, then the rest of the form (figure, outputs, note)."""

    title: str
    fields: list[str]
    body: str
    payload: dict


def _figure(name: str) -> str:
    return f'<div class="expl-figure" data-figure="{name}"></div>'


def _note(text: str) -> str:
    return f'<p class="expl-note">{text}</p>'


def _table(label: str, caption: str, columns: list[str], rows: str, bars: bool = False) -> str:
    """A table the script fills (tbody data-rows), in a box that scrolls sideways on a phone; `bars` adds a column
    for a bar per row."""
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in columns)
    if bars:
        head += '<th scope="col" class="expl-barcol">Bar</th>'
    return (f'<div class="expl-scroll" tabindex="0" role="region" aria-label="{_esc(label)}">'
            f'<table class="expl-table{" expl-bars" if bars else ""}"><caption>{_esc(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody data-rows="{rows}"></tbody></table></div>')


def _batching(f: Form) -> Explainer:
    model = step_model()
    policies = [("static", "Static"), ("dynamic", f"Dynamic (waits up to {DYNAMIC_WAIT_MS} ms)"),
                ("continuous", "Continuous")]
    fields = [select(f, "policy", "Batching policy", policies, "continuous"),
              checkbox(f, "chunked", f"Chunked prefill ({CHUNK_TOKENS} tokens per step)"),
              number(f, "max_batch", "Max batch (sequences, 1–8)", "4")]
    body = (_figure("grid")
            + results(f, [("mean_ttft", "Mean TTFT"), ("mean_e2e", "Mean end-to-end latency"),
                          ("makespan", "All requests done at")])
            + _table("Per-request latencies", "Each request: arrival, lengths, TTFT and end-to-end latency",
                     ["Request", "Arrives", "Prompt tokens", "Output tokens", "TTFT", "End-to-end"], "requests")
            + _note('Step-time model (derived from the lab\'s measurements on an '
                    f'{_esc(model["gpu"])}, '
                    f'{model["date"]}, Llama 3.1 8B shape, BF16): one step takes {model["base_ms"]:.2f} ms + '
                    f'{model["per_seq_ms"]:.3f} ms per decoding sequence + {model["per_token_ms"]:.4f} ms per prefill '
                    'token. A step that finishes a prompt emits that request\'s first token; each decode step emits '
                    'one token per sequence. Static batching starts a batch when it is full (or when no more requests '
                    'will come) and runs it until its longest request ends; dynamic batching also starts when the '
                    f'oldest request has waited {DYNAMIC_WAIT_MS} ms. Continuous batching admits waiting requests into '
                    'free slots every step; without chunked prefill a step with new prompts runs only those prompts '
                    '(decodes pause), with it each step carries every decode plus up to '
                    f'{CHUNK_TOKENS} tokens in all of prompt chunks. Memory limits, preemption and network are left '
                    'out.'))
    stream = [{"id": i, "arrival": a, "prompt": p, "output": o} for i, a, p, o in STREAM]
    return Explainer("Batching policies on one request stream", fields, body,
                     {"stream": stream, "model": model, "chunk": CHUNK_TOKENS, "wait": DYNAMIC_WAIT_MS})


def _latency(f: Form) -> Explainer:
    fields = [slider(f, "queue_ms", "Queue time", (0, 2000, 10), 200, "ms"),
              slider(f, "prefill_ms", "Prefill time", (1, 2000, 1), 300, "ms"),
              slider(f, "token_ms", "Time per decode step", (1, 200, 1), 25, "ms"),
              slider(f, "output_tokens", "Output tokens", (1, 1000, 1), 40, "tokens")]
    body = (_figure("timeline")
            + results(f, [("ttft", "TTFT = queue + prefill"), ("tpot", "TPOT = (E2E − TTFT) / (output − 1)"),
                          ("itl", "ITL (every gap)"), ("e2e", "End-to-end latency")])
            + _note('Assumed: the step that finishes the prompt also emits the first token, every later token takes '
                    'one decode step, and the network adds nothing; so each inter-token gap equals the decode step '
                    'and TPOT equals it too. With one output token TPOT and ITL are not defined.'))
    return Explainer("One request's latency timeline", fields, body, {})


def _sampling(f: Form) -> Explainer:
    fields = [slider(f, "temperature", "Temperature (0 = greedy)", (0, 2, 0.05), 1),
              slider(f, "top_k", "Top-k (0 = off)", (0, 10, 1), 0, "tokens"),
              slider(f, "top_p", "Top-p (1 = off)", (0.05, 1, 0.05), 1),
              slider(f, "min_p", "Min-p (0 = off)", (0, 1, 0.01), 0)]
    body = (_table("Next-token probabilities",
                   "Next token after “I put it in …”: logit, probability after sampling settings",
                   ["Token", "Logit", "Probability"], "tokens", bars=True)
            + results(f, [("kept", "Tokens that can be sampled"), ("top_prob", "Probability of the most likely token")])
            + _note('Order applied here: divide logits by the temperature, softmax, then top-k, then top-p (smallest '
                    'set of most likely tokens whose probabilities sum to at least p), then min-p (drop tokens below '
                    'min-p × the top probability), renormalizing after each. Engines differ in the order; the logits '
                    'are made up.'))
    return Explainer("Sampling settings on a toy distribution", fields, body,
                     {"tokens": [{"text": t, "logit": v} for t, v in TOKENS]})


def _roofline(f: Form) -> Explainer:
    fields = [_gpu(f), select(f, "dtype", "Precision", _dtypes(ROOFLINE_DTYPES), "bf16"), _model(f),
              _batch(f, "Decode batch (sequences)"), number(f, "prompt_tokens", "Prefill prompt (tokens)", "2048")]
    body = (_figure("roofline")
            + results(f, [("ridge_point", "Ridge point (FLOP/byte)"),
                          ("decode_intensity", "Decode GEMM intensity (FLOP/byte)"),
                          ("decode_attainable", "Decode attainable throughput"),
                          ("prefill_intensity", "Prefill GEMM intensity (FLOP/byte)"),
                          ("prefill_attainable", "Prefill attainable throughput")])
            + _note('Derived from data/gpus.yml with the handbook\'s formulas: ridge point = dense peak FLOP/s ÷ '
                    'memory bandwidth; a GEMM of m tokens by the model\'s hidden × hidden weight has intensity '
                    '2mnk / ((mk + kn + mn) × bytes per element), about the batch size at BF16 for decode (m = batch) '
                    'and about the prompt length, capped by the hidden size, for prefill (m = prompt tokens). '
                    'Attainable = min(peak, intensity × bandwidth). Attention, the KV cache and MoE routing are left '
                    'out.'))
    return Explainer("Roofline: where decode and prefill fall", fields, body,
                     payload(gpus=("name", "memory_bandwidth", "dense"), models=("name", "hidden_size")))


EXPLAINERS: dict[str, Callable[[Form], Explainer]] = {
    "batching": _batching, "latency-timeline": _latency, "sampling": _sampling, "roofline": _roofline,
}


def explainer(name: str = "") -> str:
    build = _known(EXPLAINERS, "explainer", name)
    f = Form("expl", f"expl-{name}")
    spec = build(f)
    # The last error slot takes what belongs to no one control (data-error-for="").
    inner = (f'<form class="expl-form" novalidate><div class="expl-inputs">{"".join(spec.fields)}</div>'
             f'{spec.body}</form>'
             '<p class="expl-error expl-general" data-error-for="" role="status" aria-live="polite"></p>')
    return widget("explainer", f, name, spec.title, spec.payload, inner,
                  "the text around it explains the same idea.")


# --- one copy of the data that several widgets of a page carry -------------------------------------------------------

_WIDGET_DATA = re.compile(r'data-(calc|expl)-data="([^"]*)"')
SHARED_MIN_CHARS = 1000   # smaller values are cheaper inline than as a reference


def share_repeated_data(page_html: str) -> str:
    """Each calculator carries the models and GPUs it needs; six calculators on one page repeated 18 KB each. A value
    that two or more widgets of the page carry is written once, in `<div hidden data-hb-shared="KEY"
    data-hb-json="...">` before the first of them, and each widget's data holds `{"$shared": "KEY"}` in its place;
    widgets-common.js puts the value back before a widget starts. KEY is a hash of the value, so the single-page
    edition, which joins every page, may repeat a block but never confuses two."""
    import hashlib

    found = [(m, json.loads(html.unescape(m.group(2)))) for m in _WIDGET_DATA.finditer(page_html)]
    counts: dict[str, int] = {}
    for _m, payload in found:
        for value in payload.values():
            text = json.dumps(value, separators=(",", ":"), sort_keys=True)
            if len(text) >= SHARED_MIN_CHARS:
                counts[text] = counts.get(text, 0) + 1
    shared = {text: "hbs-" + hashlib.sha1(text.encode()).hexdigest()[:12] for text, n in counts.items() if n >= 2}
    if not shared:
        return page_html
    out, last, written = [], 0, set()
    for match, payload in found:
        blocks = []
        for key, value in payload.items():
            text = json.dumps(value, separators=(",", ":"), sort_keys=True)
            if text in shared:
                payload[key] = {"$shared": shared[text]}
                if shared[text] not in written:
                    written.add(shared[text])
                    blocks.append(f'<div hidden data-hb-shared="{shared[text]}" data-hb-json="{_esc(text)}"></div>')
        start = page_html.rfind("<div", 0, match.start())   # the widget's own opening tag
        out.append(page_html[last:start])
        out.extend(blocks)
        attribute = f'data-{match.group(1)}-data="{_esc(json.dumps(payload, separators=(",", ":")))}"'
        out.append(page_html[start:match.start()] + attribute)
        last = match.end()
    out.append(page_html[last:])
    return "".join(out)
