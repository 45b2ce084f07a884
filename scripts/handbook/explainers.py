"""Interactive explainers, as block placeholders (issue 9).

A page writes one of these on a line of its own:

    {{< explainer batching >}}          static / dynamic / continuous batching on one request stream
    {{< explainer latency-timeline >}}  one request's timeline and its TTFT, TPOT, ITL, E2E latency
    {{< explainer sampling >}}          temperature, top-k, top-p and min-p on a toy distribution
    {{< explainer roofline >}}          a GPU's roofline with decode and prefill placed on it

The block writes HTML only; docs/javascripts/explainers.js runs it. Data travels in a
`data-expl-data` attribute (Material's instant navigation re-runs inline scripts).
"""
from __future__ import annotations

import html
import json
from collections.abc import Callable

from handbook import DATA, data, formulas

MEASUREMENTS = DATA / "measurements"   # HANDBOOK_DATA points tests at another data folder

# --- the batching explainer's request stream and step-time model -------------------

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
    decode = json.loads((MEASUREMENTS / "decode.json").read_text(encoding="utf-8"))
    prefill = json.loads((MEASUREMENTS / "prefill.json").read_text(encoding="utf-8"))
    lean = {(p["batch"], p["context"]): p["graph"]["median"] for p in decode["results"]["lean"]}
    base = lean[(1, 512)]
    per_seq = (lean[(64, 512)] - base) / 63
    points = {p["tokens"]: p["ttft"]["median"] for p in prefill["results"]["points"]}
    per_token = points[8192] / 8192
    return {"base_ms": base * 1e3, "per_seq_ms": per_seq * 1e3, "per_token_ms": per_token * 1e3,
            "gpu": decode["provenance"]["gpu"], "date": decode["provenance"]["date_utc"][:10]}


# --- the sampling explainer's toy distribution ------------------------------------------

TOKENS = [("the", 3.2), ("a", 2.8), ("this", 2.1), ("my", 1.9), ("one", 1.4),
          ("our", 1.0), ("that", 0.6), ("its", 0.2), ("every", -0.4), ("banana", -1.5)]

# --- markup helpers --------------------------------------------------------------------


def _label(control_id: str, text: str) -> str:
    return f'<label for="{control_id}">{html.escape(text)}</label>'


def _error(name: str) -> str:
    return f'<span class="expl-error" data-error-for="{name}" role="status" aria-live="polite"></span>'


def _field(inner: str, name: str) -> str:
    return f'<div class="expl-field">{inner}{_error(name)}</div>'


# Each control also names itself (aria-label, the text of its <label>): the single-page edition print_page/ shows an
# explainer twice when two chapters embed it, the ids repeat, and a <label for=id> then names only the first copy
# (axe: select-name, label).
def _named(label: str) -> str:
    return f'aria-label="{html.escape(label)}"'


def _select(prefix: str, name: str, label: str, options: list[tuple[str, str]], selected: str) -> str:
    cid = f"{prefix}-{name}"
    opts = "".join(f'<option value="{html.escape(v)}"{" selected" if v == selected else ""}>{html.escape(t)}</option>'
                   for v, t in options)
    return _field(_label(cid, label) + f'<select name="{name}" id="{cid}" {_named(label)}>{opts}</select>', name)


def _number(prefix: str, name: str, label: str, value: str, mode: str = "numeric") -> str:
    cid = f"{prefix}-{name}"
    control = (f'<input type="text" name="{name}" id="{cid}" value="{value}" inputmode="{mode}" '
               f'autocomplete="off" spellcheck="false" {_named(label)}>')
    return _field(_label(cid, label) + control, name)


def _checkbox(prefix: str, name: str, label: str) -> str:
    cid = f"{prefix}-{name}"
    return _field(f'<span class="expl-check"><input type="checkbox" name="{name}" id="{cid}" {_named(label)}>'
                  f'{_label(cid, label)}</span>', name)


def _range(prefix: str, name: str, label: str, lo: float, hi: float, step: float, value: float, unit: str) -> str:
    cid = f"{prefix}-{name}"
    control = (f'<span class="expl-range"><input type="range" name="{name}" id="{cid}" min="{lo}" max="{hi}" '
               f'step="{step}" value="{value}" {_named(label)}>'
               f'<output for="{cid}" data-readout="{name}">{value}</output>'
               f'<span class="expl-unit">{html.escape(unit)}</span></span>')
    return _field(_label(cid, label) + control, name)


def _result(name: str, label: str) -> str:
    return (f'<div class="expl-result"><span class="expl-result-label">{html.escape(label)}</span> '
            f'<output data-result="{name}" data-value="">—</output></div>')


# --- the four explainers ---------------------------------------------------------------------


def _batching(prefix: str) -> tuple[str, dict, str]:
    model = step_model()
    fields = [
        _select(prefix, "policy", "Batching policy",
                [("static", "Static"), ("dynamic", "Dynamic (waits up to 20 ms)"), ("continuous", "Continuous")],
                "continuous"),
        _checkbox(prefix, "chunked", f"Chunked prefill ({CHUNK_TOKENS} tokens per step)"),
        _number(prefix, "max_batch", "Max batch (sequences, 1–8)", "4"),
    ]
    body = (f'<div class="expl-inputs">{"".join(fields)}</div>'
            '<div class="expl-figure" data-figure="grid"></div>'
            '<div class="expl-results">'
            + _result("mean_ttft", "Mean TTFT") + _result("mean_e2e", "Mean end-to-end latency")
            + _result("makespan", "All requests done at") + '</div>'
            '<div class="expl-scroll" tabindex="0" role="region" aria-label="Per-request latencies">'
            '<table class="expl-table"><caption>Each request: arrival, lengths, TTFT and end-to-end latency'
            '</caption><thead><tr><th scope="col">Request</th><th scope="col">Arrives</th>'
            '<th scope="col">Prompt tokens</th><th scope="col">Output tokens</th><th scope="col">TTFT</th>'
            '<th scope="col">End-to-end</th></tr></thead><tbody data-rows="requests"></tbody></table></div>'
            '<p class="expl-note">Step-time model (derived from the lab\'s measurements on an '
            f'{html.escape(model["gpu"])}, '
            f'{model["date"]}, Llama 3.1 8B shape, BF16): one step takes {model["base_ms"]:.2f} ms + '
            f'{model["per_seq_ms"]:.3f} ms per decoding sequence + {model["per_token_ms"]:.4f} ms per prefill token. '
            'A step that finishes a prompt emits that request\'s first token; each decode step emits one token per '
            'sequence. Static batching starts a batch when it is full (or when no more requests will come) and runs '
            f'it until its longest request ends; dynamic batching also starts when the oldest request has waited '
            f'{DYNAMIC_WAIT_MS} ms. Continuous batching admits waiting requests into free slots every step; without '
            'chunked prefill a step with new prompts runs only those prompts (decodes pause), with it each step '
            f'carries every decode plus up to {CHUNK_TOKENS} tokens in all of prompt chunks. Memory limits, '
            'preemption and network are left out.</p>')
    payload = {"stream": [{"id": i, "arrival": a, "prompt": p, "output": o} for i, a, p, o in STREAM],
               "model": model, "chunk": CHUNK_TOKENS, "wait": DYNAMIC_WAIT_MS}
    return body, payload, "Batching policies on one request stream"


def _latency(prefix: str) -> tuple[str, dict, str]:
    fields = [
        _range(prefix, "queue_ms", "Queue time", 0, 2000, 10, 200, "ms"),
        _range(prefix, "prefill_ms", "Prefill time", 1, 2000, 1, 300, "ms"),
        _range(prefix, "token_ms", "Time per decode step", 1, 200, 1, 25, "ms"),
        _range(prefix, "output_tokens", "Output tokens", 1, 1000, 1, 40, "tokens"),
    ]
    body = (f'<div class="expl-inputs">{"".join(fields)}</div>'
            '<div class="expl-figure" data-figure="timeline"></div>'
            '<div class="expl-results">'
            + _result("ttft", "TTFT = queue + prefill") + _result("tpot", "TPOT = (E2E − TTFT) / (output − 1)")
            + _result("itl", "ITL (every gap)") + _result("e2e", "End-to-end latency") + '</div>'
            '<p class="expl-note">Assumed: the step that finishes the prompt also emits the first token, every later '
            'token takes one decode step, and the network adds nothing; so each inter-token gap equals the decode '
            'step and TPOT equals it too. With one output token TPOT and ITL are not defined.</p>')
    return body, {}, "One request's latency timeline"


def _sampling(prefix: str) -> tuple[str, dict, str]:
    fields = [
        _range(prefix, "temperature", "Temperature (0 = greedy)", 0, 2, 0.05, 1, ""),
        _range(prefix, "top_k", "Top-k (0 = off)", 0, 10, 1, 0, "tokens"),
        _range(prefix, "top_p", "Top-p (1 = off)", 0.05, 1, 0.05, 1, ""),
        _range(prefix, "min_p", "Min-p (0 = off)", 0, 1, 0.01, 0, ""),
    ]
    body = (f'<div class="expl-inputs">{"".join(fields)}</div>'
            '<div class="expl-scroll" tabindex="0" role="region" aria-label="Next-token probabilities">'
            '<table class="expl-table expl-bars"><caption>Next token after “I put it in …”: logit, probability '
            'after sampling settings</caption><thead><tr><th scope="col">Token</th><th scope="col">Logit</th>'
            '<th scope="col">Probability</th><th scope="col" class="expl-barcol">Bar</th></tr></thead>'
            '<tbody data-rows="tokens"></tbody></table></div>'
            '<div class="expl-results">' + _result("kept", "Tokens that can be sampled")
            + _result("top_prob", "Probability of the most likely token") + '</div>'
            '<p class="expl-note">Order applied here: divide logits by the temperature, softmax, then top-k, then '
            'top-p (smallest set of most likely tokens whose probabilities sum to at least p), then min-p (drop '
            'tokens below min-p × the top probability), renormalizing after each. Engines differ in the order; the '
            'logits are made up.</p>')
    return body, {"tokens": [{"text": t, "logit": v} for t, v in TOKENS]}, "Sampling settings on a toy distribution"


ROOFLINE_DTYPES = ("bf16", "fp16", "fp8", "fp4")


def _roofline(prefix: str) -> tuple[str, dict, str]:
    gpus = data.load_gpus()
    models = data.load_models()
    fields = [
        _select(prefix, "gpu", "GPU", [(g.id, g.name) for g in gpus.values()], "h100-sxm"),
        _select(prefix, "dtype", "Precision", [(d, d.upper()) for d in ROOFLINE_DTYPES], "bf16"),
        _select(prefix, "model", "Model", [(m.id, m.name) for m in models.values()], "llama-3.1-8b"),
        _number(prefix, "batch_size", "Decode batch (sequences)", "1"),
        _number(prefix, "prompt_tokens", "Prefill prompt (tokens)", "2048"),
    ]
    body = (f'<div class="expl-inputs">{"".join(fields)}</div>'
            '<div class="expl-figure" data-figure="roofline"></div>'
            '<div class="expl-results">'
            + _result("ridge_point", "Ridge point (FLOP/byte)")
            + _result("decode_intensity", "Decode GEMM intensity (FLOP/byte)")
            + _result("decode_attainable", "Decode attainable throughput")
            + _result("prefill_intensity", "Prefill GEMM intensity (FLOP/byte)")
            + _result("prefill_attainable", "Prefill attainable throughput") + '</div>'
            '<p class="expl-note">Derived from data/gpus.yml with the handbook\'s formulas: ridge point = dense peak '
            'FLOP/s ÷ memory bandwidth; a GEMM of m tokens by the model\'s hidden × hidden weight has intensity '
            '2mnk / ((mk + kn + mn) × bytes per element), about the batch size at BF16 for decode (m = batch) and '
            'about the prompt length, capped by the hidden size, for prefill (m = prompt tokens). Attainable = '
            'min(peak, intensity × bandwidth). Attention, the KV cache and MoE routing are left out.</p>')
    payload = {
        "dtype_bytes": formulas.DTYPE_BYTES, "compute_precision": formulas.COMPUTE_PRECISION,
        "gpus": {g.id: {"name": g.name, "memory_bandwidth": g.memory_bandwidth, "dense": dict(g.dense)}
                 for g in gpus.values()},
        "models": {m.id: {"name": m.name, "hidden_size": m.hidden_size} for m in models.values()},
    }
    return body, payload, "Roofline: where decode and prefill fall"


EXPLAINERS: dict[str, Callable[[str], tuple[str, dict, str]]] = {
    "batching": _batching, "latency-timeline": _latency, "sampling": _sampling, "roofline": _roofline,
}


def explainer(name: str = "") -> str:
    if name not in EXPLAINERS:
        raise KeyError(f"unknown explainer {name!r}; known: {', '.join(EXPLAINERS)}")
    prefix = f"expl-{name}"
    body, payload, title = EXPLAINERS[name](prefix)
    blob = html.escape(json.dumps(payload, separators=(",", ":")), quote=True)
    return (f'<div class="explainer" data-explainer="{name}" data-expl-data="{blob}" role="group" '
            f'aria-labelledby="{prefix}-title">'
            f'<p class="expl-title" id="{prefix}-title"><strong>{html.escape(title)}</strong></p>'
            f'<form class="expl-form" novalidate>{body}</form>'
            f'<p class="expl-error expl-general" role="status" aria-live="polite"></p>'
            f'<noscript><p>This explainer needs JavaScript; the text around it explains the same idea.</p></noscript>'
            f'</div>\n')
