"""Experiment 12: the handbook's formulas against the lab's measurements.

    PYTHONPATH=scripts python -m lab.formula_check          # write data/measurements/formula_check.json
    PYTHONPATH=scripts python -m lab.formula_check --check  # exit 1 if the committed file is stale

Pure Python, no GPU: for every measured point where a formula of
handbook.formulas (or the all-reduce cost model of the interconnects page)
predicts the same quantity, the prediction, the measurement and their ratio
measured / predicted. Each series names the formula, what the formula assumes,
and the band of ratios those assumptions allow (``BANDS``); tests/test_lab_formulas.py
fails when a point leaves its band.

The formulas are evaluated for the real model and GPU of data/ (Llama 3.1 8B,
H100 SXM), not the lab's shape, so differences in what is counted (the embedding
table, the LM head) show up here as they would on a page.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import MEASUREMENTS, SCHEMA, read_json

MODEL, GPU = "llama-3.1-8b", "h100-sxm"
SOURCES = ("decode", "prefill", "kv_memory", "tensor_parallel", "spec_verify", "fp8", "chunk_interference",
           "cuda_graphs")

# series -> (formula, what it assumes, allowed band of measured / predicted)
BANDS = {
    "kv_bytes": ("formulas.kv_bytes", "exact: 2 x layers x KV heads x head_dim x bytes per token; no block rounding",
                 (0.999, 1.001)),
    "decode_graph": ("formulas.decode_step_time",
                     "lower bound at datasheet bandwidth; counts every weight but the input embedding table, of "
                     "which it reads one row per sequence (since 2026-12-07); "
                     "a CUDA-graph step of plain PyTorch reaches at least 40% of it up to 8K context",
                     (0.97, 2.5)),
    "decode_long_context": ("formulas.decode_step_time",
                            "as decode_graph, and the attention kernel reads the KV cache at near full bandwidth; "
                            "SDPA's decode kernel does not at batch 1 to 4 (one thread block per KV head), "
                            "so the band is wider at 16K and 32K tokens",
                            (0.97, 4.0)),
    "decode_eager": ("formulas.decode_step_time",
                     "leaves out kernel launches, so it claims no more than a lower bound for an eager step, which "
                     "the host's launches set at small batch (no upper limit on the ratio)",
                     (0.97, None)),
    "prefill": ("formulas.prefill_time",
                "lower bound at dense BF16 peak; counts the LM head for every token (the lab runs it for the last); "
                "PyTorch eager reaches at least 30% MFU from 512 tokens",
                (0.97, 4.0)),
    "allreduce_graph": ("figures.ring_allreduce_time (interconnects page)",
                        "assumed 10 us fixed cost and bus bandwidth equal to NVLink's peak per direction; two "
                        "GPUs measured, inside a CUDA graph",
                        (0.97, 3.0)),
    "allreduce_eager": ("figures.ring_allreduce_time (interconnects page)",
                        "as allreduce_graph; launched one by one from Python, which adds about 40 us each",
                        (0.97, 6.0)),
    "spec_verify": ("formulas.spec_verify_step_time",
                    "lower bound; verification attention at full bandwidth (the lab's masked SDPA kernel reads "
                    "the cache at well under it at long context and small batch)",
                    (0.97, 7.0)),
    "spec_verify_ratio": ("spec_verify_step_time(gamma) / spec_verify_step_time(0)",
                          "both passes at the same fraction of their roofs; measured, the plain step uses a faster "
                          "attention kernel than the masked verification pass, and the compute-bound passes reach "
                          "a smaller fraction of dense peak than the plain step reaches of bandwidth",
                          (0.9, 2.0)),
    "fp8_speedup": ("decode_step_time(bf16) / decode_step_time(fp8)",
                    "every weight in FP8, the LM head and embedding included, at full bandwidth; no cost to "
                    "quantize activations",
                    (0.4, 1.05)),
    "chunk_mixed": ("max((weights + KV) / bandwidth, (prefill_flops(C) + B x flops_per_token) / peak)",
                    "lower bound built from handbook.formulas; the chunk's matmuls at dense peak",
                    (0.97, 3.5)),  # 3.0 until 2026-12-07, when the weights stopped counting the unread embedding rows
}


def _formulas():
    from handbook import data, formulas
    from handbook.render import figures
    return data, formulas, figures


def _row(series, label, measured, predicted, **params):
    lo, hi = BANDS[series][2]
    ratio = measured / predicted
    return {"series": series, "label": label, **params, "measured": measured, "predicted": predicted,
            "ratio": ratio, "within_band": lo <= ratio and (hi is None or ratio <= hi)}


def build(measurements: Path = MEASUREMENTS) -> dict:
    data, F, figures = _formulas()
    recs = {n: read_json(Path(measurements) / f"{n}.json") for n in SOURCES}
    missing = [n for n, r in recs.items() if r is None]
    if missing:
        raise FileNotFoundError(f"measurement files missing: {', '.join(missing)}")
    rows = []

    # KV cache bytes
    for p in recs["kv_memory"]["results"]["pairs"]:
        rows.append(_row("kv_bytes", f"batch {p['batch']}, context {p['context']}", p["measured_bytes"],
                         F.kv_bytes(MODEL, "bf16", p["context"], p["batch"]), batch=p["batch"], context=p["context"]))

    # decode step: CUDA graph and eager (experiment 2), long context (experiment 8), batch sweep (experiment 11)
    for p in recs["decode"]["results"]["lean"]:
        pred = F.decode_step_time(MODEL, GPU, "bf16", p["batch"], p["context"] + 1)
        if "graph" in p:
            rows.append(_row("decode_graph", f"batch {p['batch']}, context {p['context']}", p["graph"]["median"],
                             pred, batch=p["batch"], context=p["context"], source="decode"))
        rows.append(_row("decode_eager", f"batch {p['batch']}, context {p['context']}", p["eager"]["median"], pred,
                         batch=p["batch"], context=p["context"], source="decode"))
    for p in recs["cuda_graphs"]["results"]["points"]:
        pred = F.decode_step_time(MODEL, GPU, "bf16", p["batch"], p["context"] + 1)
        rows.append(_row("decode_graph", f"batch {p['batch']}, context {p['context']}", p["graph"]["median"], pred,
                         batch=p["batch"], context=p["context"], source="cuda_graphs"))
        rows.append(_row("decode_eager", f"batch {p['batch']}, context {p['context']}", p["eager"]["median"], pred,
                         batch=p["batch"], context=p["context"], source="cuda_graphs"))
    for p in recs["spec_verify"]["results"]["points"]:
        pred = F.decode_step_time(MODEL, GPU, "bf16", p["batch"], p["context"] + 1)
        series = "decode_graph" if p["context"] <= 8192 else "decode_long_context"
        rows.append(_row(series, f"batch {p['batch']}, context {p['context']}", p["plain"]["median"], pred,
                         batch=p["batch"], context=p["context"], source="spec_verify"))
        for v in p["verify"]:
            g = v["gamma"]
            pv = F.spec_verify_step_time(MODEL, GPU, "bf16", p["batch"], p["context"], g)
            rows.append(_row("spec_verify", f"batch {p['batch']}, context {p['context']}, gamma {g}",
                             v["time"]["median"], pv, batch=p["batch"], context=p["context"], gamma=g))
            pr = pv / F.spec_verify_step_time(MODEL, GPU, "bf16", p["batch"], p["context"], 0)
            rows.append(_row("spec_verify_ratio", f"batch {p['batch']}, context {p['context']}, gamma {g}",
                             v["ratio"], pr, batch=p["batch"], context=p["context"], gamma=g))

    # prefill (experiment 3): the CUDA-graph time where there is one, else eager
    for p in recs["prefill"]["results"]["points"]:
        t = (p.get("ttft_graph") or p["ttft"])["median"]
        rows.append(_row("prefill", f"{p['tokens']} tokens", t, F.prefill_time(MODEL, GPU, p["tokens"]),
                         tokens=p["tokens"], timing="graph" if p.get("ttft_graph") else "eager"))

    # all-reduce between two GPUs (experiment 7) against the interconnects page's cost model
    g = data.gpu(GPU)
    busbw = g.interconnect / (2 if g.interconnect_direction == "total" else 1)
    world = recs["tensor_parallel"]["config"]["world"]
    for a in recs["tensor_parallel"]["results"]["allreduce"]:
        pred = figures.ring_allreduce_time(a["bytes"], world, busbw, figures.ALLREDUCE_LATENCY_S)
        rows.append(_row("allreduce_eager", f"{a['bytes']} bytes", a["time"]["median"], pred, bytes=a["bytes"]))
    for a in recs["tensor_parallel"]["results"].get("allreduce_graph") or []:
        pred = figures.ring_allreduce_time(a["bytes"], world, busbw, figures.ALLREDUCE_LATENCY_S)
        rows.append(_row("allreduce_graph", f"{a['bytes']} bytes", a["per_op"]["median"], pred, bytes=a["bytes"]))

    # FP8 decode speedup (experiment 9)
    for p in recs["fp8"]["results"]["decode"]["points"]:
        pred = (F.decode_step_time(MODEL, GPU, "bf16", p["batch"], p["context"] + 1)
                / F.decode_step_time(MODEL, GPU, "fp8", p["batch"], p["context"] + 1))
        for variant in ("static", "dynamic"):
            rows.append(_row("fp8_speedup", f"batch {p['batch']}, {variant} activation scale",
                             p[f"speedup_{variant}"], pred, batch=p["batch"], context=p["context"], variant=variant))

    # mixed decode + prefill-chunk step (experiment 10)
    wbytes = F.weight_bytes(MODEL, "bf16")
    bw, peak = g.memory_bandwidth, F.peak_flops(g, "bf16")
    for p in recs["chunk_interference"]["results"]["points"]:
        b, c, ctx, start = p["batch"], p["chunk"], p["context"], p["chunk_start"]
        unread = F.embedding_unread_bytes(MODEL, "bf16", b + c)   # the batch's and the chunk's embedding rows
        moved = wbytes - unread + F.kv_bytes(MODEL, "bf16", ctx + 1, b) + F.kv_bytes(MODEL, "bf16", start, 1)
        work = (F.prefill_flops(MODEL, start + c) - F.prefill_flops(MODEL, start)
                + b * F.flops_per_token(MODEL, ctx))
        rows.append(_row("chunk_mixed", f"batch {b}, chunk {c}, prefix {start}", p["mixed"]["median"],
                         max(moved / bw, work / peak), batch=b, chunk=c, chunk_start=start))

    series = {}
    for name, (formula, assumes, band) in BANDS.items():
        sel = [r for r in rows if r["series"] == name]
        if not sel:
            continue
        series[name] = {"formula": formula, "assumes": assumes, "band": list(band), "points": len(sel),
                        "ratio_min": min(r["ratio"] for r in sel), "ratio_max": max(r["ratio"] for r in sel),
                        "outside_band": sum(not r["within_band"] for r in sel)}
    sources = {n: {"date_utc": r["provenance"]["date_utc"], "gpu": r["provenance"].get("gpu"),
                   "pytorch": r["provenance"].get("pytorch")} for n, r in recs.items()}
    latest = max(s["date_utc"] for s in sources.values())
    return {
        "schema": SCHEMA,
        "experiment": "formula_check",
        "provenance": {"date_utc": latest, "command": "PYTHONPATH=scripts python -m lab.formula_check",
                       "device": "none: derived from the measurement files listed in config.sources",
                       "pytorch": None, "cuda": None, "gpu": None, "driver": None},
        "config": {"model": MODEL, "gpu": GPU, "sources": sources},
        "spec": {"memory_bandwidth": bw, "bf16_dense": peak, "fp8_dense": F.peak_flops(g, "fp8"),
                 "allreduce_busbw_assumed": busbw, "allreduce_latency_assumed_s": figures.ALLREDUCE_LATENCY_S,
                 "from": "data/gpus.yml, scripts/handbook/render/figures.py"},
        "results": {"rows": rows},
        "summary": {"series": series},
        "notes": ["ratio = measured / predicted; a lower bound holds when the ratio is at least 1.",
                  "Bands state what each formula's assumptions allow; see docs/lab/formulas.md."],
    }


def render(obj: dict) -> str:
    def clean(v):
        if isinstance(v, float):
            return float(f"{v:.12g}")
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(obj), indent=1) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lab.formula_check", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file differs")
    ap.add_argument("--measurements", default=str(MEASUREMENTS))
    args = ap.parse_args(argv)
    path = Path(args.measurements) / "formula_check.json"
    text = render(build(Path(args.measurements)))
    if args.check:
        if not path.exists() or path.read_text() != text:
            print(f"{path} is out of date; regenerate with: PYTHONPATH=scripts python -m lab.formula_check")
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
