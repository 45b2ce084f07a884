"""Render the lab's SVG charts (docs/lab/img/*.svg) from data/measurements/*.json.

    PYTHONPATH=scripts python -m lab.charts            # write the charts
    PYTHONPATH=scripts python -m lab.charts --check    # exit 1 if any is out of date

Pure Python; the output depends only on the JSON (tests/test_lab.py checks that
the committed charts are what this renders).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import MEASUREMENTS, ROOT, read_json
from .svg import COLORS, Bars, Chart, fmt_tick

IMG = ROOT / "docs" / "lab" / "img"
BLUE, ORANGE, GREEN, PURPLE, RED, GREY = COLORS[:6]


def fmt_bytes(v: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if v >= size:
            return f"{v / size:g} {unit}"
    return f"{v:g} B"


def pow2_ticks(lo: int, hi: int, step: int = 1):
    out, v = [], lo
    while v <= hi:
        out.append(v)
        v *= 2 ** step
    return out


def _gpu(rec) -> str:
    return rec["provenance"].get("gpu") or "CPU"


def med(d):
    return d["median"] if d else None


# --- 1. ceilings -------------------------------------------------------------------------

def ceilings(rec):
    s, spec = rec["summary"], rec["spec"]
    bars = Bars("Measured ceilings as a share of the datasheet",
                f"On an {_gpu(rec)}, a device-to-device copy reached {s['hbm_copy_fraction_of_spec'] * 100:.0f}% and a "
                f"read-only sum {s['hbm_read_fraction_of_spec'] * 100:.0f}% of the "
                f"{spec['memory_bandwidth'] / 1e12:g} TB/s datasheet bandwidth; the best dense BF16 matmul reached "
                f"{s['bf16_fraction_of_spec'] * 100:.0f}% of {spec['bf16_dense'] / 1e12:g} TFLOPS"
                + (f" and FP8 {s['fp8_fraction_of_spec'] * 100:.0f}% of {spec['fp8_dense'] / 1e12:g} TFLOPS."
                   if s.get("fp8_fraction_of_spec") else "."),
                "percent of the H100 SXM datasheet figure", xmax=110, ref=100, ref_label="datasheet")
    bars.add("HBM copy (read + write)", s["hbm_copy_fraction_of_spec"] * 100, BLUE,
             f"{s['hbm_copy_Bps'] / 1e12:.2f} TB/s")
    bars.add("HBM read (sum)", s["hbm_read_fraction_of_spec"] * 100, BLUE, f"{s['hbm_read_Bps'] / 1e12:.2f} TB/s")
    bars.add("BF16 matmul, dense", s["bf16_fraction_of_spec"] * 100, ORANGE,
             f"{s['bf16_dense_best_flops_per_s'] / 1e12:.0f} TFLOPS")
    if s.get("fp8_fraction_of_spec"):
        bars.add("FP8 E4M3 matmul, dense", s["fp8_fraction_of_spec"] * 100, GREEN,
                 f"{s['fp8_dense_best_flops_per_s'] / 1e12:.0f} TFLOPS")
    out = {"ceilings.svg": bars.render()}

    r = rec["results"]
    bf = r["bf16_square"]["points"]
    c = Chart("Dense matmul throughput against matrix size",
              f"Square N x N x N products. BF16 peaks at {max(p['flops_per_s']['median'] for p in bf) / 1e12:.0f} "
              f"TFLOPS against a {spec['bf16_dense'] / 1e12:g} TFLOPS datasheet figure.",
              "N (M = N = K)", "TFLOPS (dense)", xlog=True, xticks=[p["m"] for p in bf], ymin=0)
    c.add("BF16 measured", [p["m"] for p in bf], [p["flops_per_s"]["median"] / 1e12 for p in bf], BLUE,
          lo=[p["flops_per_s"]["p10"] / 1e12 for p in bf], hi=[p["flops_per_s"]["p90"] / 1e12 for p in bf])
    xs = [bf[0]["m"], bf[-1]["m"]]
    c.add("BF16 datasheet", xs, [spec["bf16_dense"] / 1e12] * 2, BLUE, dash="6 4", markers=False, width=1.5)
    fp = r["fp8_square"].get("points") or []
    if r["fp8_square"].get("available") and fp:
        c.add("FP8 measured", [p["m"] for p in fp], [p["flops_per_s"]["median"] / 1e12 for p in fp], GREEN,
              lo=[p["flops_per_s"]["p10"] / 1e12 for p in fp], hi=[p["flops_per_s"]["p90"] / 1e12 for p in fp])
        c.add("FP8 datasheet", xs, [spec["fp8_dense"] / 1e12] * 2, GREEN, dash="6 4", markers=False, width=1.5)
    out["gemm.svg"] = c.render()

    pts = r["roofline"]["points"]
    ais = [p["intensity_flop_per_byte"] for p in pts]
    lo_ai, hi_ai = min(ais), max(ais)
    grid = [lo_ai * (hi_ai / lo_ai) ** (i / 60) for i in range(61)]
    bw_m = max(s["hbm_copy_Bps"], s["hbm_read_Bps"])
    pk_m = s["bf16_dense_best_flops_per_s"]
    c = Chart("Measured roofline: BF16 (M x K) x (K x N) products",
              f"Achieved dense BF16 FLOP/s against arithmetic intensity as M grows from {pts[0]['m']} to "
              f"{pts[-1]['m']}. Small M follows the bandwidth slope; the ridge is near "
              f"{s['spec_ridge_flop_per_byte']:.0f} FLOPs/byte by the datasheet and "
              f"{s['measured_ridge_flop_per_byte']:.0f} by the measured ceilings.",
              "arithmetic intensity (FLOPs per byte of HBM traffic)", "TFLOPS (dense)", xlog=True, ylog=True)
    for i, kn in enumerate(sorted({p["k"] for p in pts})):
        sub = [p for p in pts if p["k"] == kn]
        c.add(f"measured, K = N = {kn}", [p["intensity_flop_per_byte"] for p in sub],
              [p["flops_per_s"]["median"] / 1e12 for p in sub], [BLUE, ORANGE, GREEN][i % 3])
    c.add("datasheet roofline", grid, [min(spec["memory_bandwidth"] * a, spec["bf16_dense"]) / 1e12 for a in grid],
          GREY, dash="6 4", markers=False, width=1.5)
    c.add("measured roofline", grid, [min(bw_m * a, pk_m) / 1e12 for a in grid], RED, dash="2 3", markers=False,
          width=1.5)
    out["roofline.svg"] = c.render()
    return out


# --- 2. decode ---------------------------------------------------------------------------

def decode(rec):
    r, s = rec["results"], rec["summary"]
    lean = r["lean"]
    ctxs = sorted({p["context"] for p in lean})
    batches = sorted({p["batch"] for p in lean})
    c = Chart("Decode step time against batch size (CUDA graph)",
              "Step time of the lean Llama-3.1-8B-shaped step replayed as a CUDA graph, for three context lengths, "
              "with the bandwidth bound (weights plus KV cache over the datasheet bandwidth) dashed. Time grows "
              "slowly with batch until the KV cache read dominates.",
              "batch size (sequences)", "step time (ms)", xlog=True, xticks=batches, ymin=0)
    for i, ctx in enumerate(ctxs):
        sub = [p for p in lean if p["context"] == ctx and "graph" in p]
        col = [BLUE, ORANGE, GREEN, PURPLE][i % 4]
        c.add(f"context {fmt_tick(ctx)}: measured", [p["batch"] for p in sub],
              [p["graph"]["median"] * 1e3 for p in sub],
              col, lo=[p["graph"]["p10"] * 1e3 for p in sub], hi=[p["graph"]["p90"] * 1e3 for p in sub])
        c.add(f"context {fmt_tick(ctx)}: bound", [p["batch"] for p in sub], [p["bound_spec_s"] * 1e3 for p in sub],
              col, dash="6 4", markers=False, width=1.5)
    out = {"decode_step.svg": c.render()}

    ctx = s["context"]
    sub = [p for p in lean if p["context"] == ctx]
    hf = [p for p in r["hf_eager"].get("points", []) if p["context"] == ctx]
    c = Chart(f"Decode throughput at context {fmt_tick(ctx)}",
              f"Generated tokens per second against batch size at context {ctx}: transformers eager, the lean step "
              "run eagerly, the lean step as a CUDA graph, and the bandwidth bound. At small batches the eager runs "
              "are limited by the host launching kernels, not by the GPU.",
              "batch size (sequences)", "tokens/s (generated)", xlog=True, ylog=True, xticks=[p["batch"] for p in sub])
    if hf:
        c.add("transformers eager", [p["batch"] for p in hf], [p["tokens_per_s"] for p in hf], RED)
    c.add("lean, eager", [p["batch"] for p in sub], [p["tokens_per_s"]["eager"] for p in sub], ORANGE)
    c.add("lean, CUDA graph", [p["batch"] for p in sub], [p["tokens_per_s"].get("graph") for p in sub], BLUE)
    c.add("bound (datasheet bandwidth)", [p["batch"] for p in sub], [p["batch"] / p["bound_spec_s"] for p in sub],
          GREY, dash="6 4", markers=False, width=1.5)
    out["decode_throughput.svg"] = c.render()

    bd = r["breakdown"]
    prof = next((p for p in bd["profiles"] if p.get("batch") == 1 and "by_kind" in p), None)
    b1 = next((p for p in lean if p["batch"] == 1 and p["context"] == bd["context"]), None)
    if prof and b1:
        k = prof["by_kind"]
        bars = Bars(f"Where a batch-1 decode step goes (context {fmt_tick(bd['context'])})",
                    f"The bound is {b1['bound_spec_s'] * 1e3:.2f} ms. The CUDA graph step takes "
                    f"{b1['graph']['median'] * 1e3:.2f} ms: matmul kernels {k['matmul']['gpu_time_s'] * 1e3:.2f} ms, "
                    f"attention {k['attention']['gpu_time_s'] * 1e3:.2f} ms, {k['other']['kernels']} small kernels "
                    f"{k['other']['gpu_time_s'] * 1e3:.2f} ms. Eagerly the host needs "
                    f"{bd['hollow_step']['eager']['median'] * 1e3:.1f} ms to launch the step's {prof['kernels']} "
                    "kernels even with no work in them.",
                    "milliseconds per step")
        bars.add("bound: bytes / 3.35 TB/s", b1["bound_spec_s"] * 1e3, GREY, f"{b1['bound_spec_s'] * 1e3:.2f} ms")
        bars.add(f"matmul kernels ({k['matmul']['kernels']})", k["matmul"]["gpu_time_s"] * 1e3, BLUE,
                 f"{k['matmul']['gpu_time_s'] * 1e3:.2f} ms")
        bars.add(f"attention kernels ({k['attention']['kernels']})", k["attention"]["gpu_time_s"] * 1e3, BLUE,
                 f"{k['attention']['gpu_time_s'] * 1e3:.2f} ms")
        bars.add(f"other kernels ({k['other']['kernels']})", k["other"]["gpu_time_s"] * 1e3, BLUE,
                 f"{k['other']['gpu_time_s'] * 1e3:.2f} ms")
        bars.add("hollow step, CUDA graph", med(bd["hollow_step"].get("graph")) * 1e3, PURPLE,
                 f"{med(bd['hollow_step'].get('graph')) * 1e3:.2f} ms")
        bars.add("full step, CUDA graph", b1["graph"]["median"] * 1e3, GREEN, f"{b1['graph']['median'] * 1e3:.2f} ms")
        bars.add("hollow step, eager", bd["hollow_step"]["eager"]["median"] * 1e3, PURPLE,
                 f"{bd['hollow_step']['eager']['median'] * 1e3:.1f} ms")
        bars.add("full step, eager", b1["eager"]["median"] * 1e3, ORANGE, f"{b1['eager']['median'] * 1e3:.1f} ms")
        hf1 = next((p for p in r["hf_eager"].get("points", []) if p["batch"] == 1 and p["context"] == bd["context"]),
                   None)
        if hf1:
            bars.add("transformers eager", hf1["step"]["median"] * 1e3, RED, f"{hf1['step']['median'] * 1e3:.1f} ms")
        out["decode_breakdown.svg"] = bars.render()
    return out


# --- 3. prefill --------------------------------------------------------------------------

def prefill(rec):
    r, spec = rec["results"], rec["spec"]
    pts = r["points"]
    L = [p["tokens"] for p in pts]
    c = Chart("Prefill time (TTFT) against prompt length, batch 1",
              "Time to first token without queueing for the lean Llama-3.1-8B-shaped model, eager and as a CUDA "
              "graph, against the larger of compute time and weight-read time (datasheet and measured ceilings). "
              "Short prompts cost about the same as reading the weights; past a few hundred tokens time grows "
              "linearly, then faster as attention's quadratic term grows.",
              "prompt length (tokens)", "TTFT (ms)", xlog=True, ylog=True, xticks=L)
    c.add("measured, eager", L, [p["ttft"]["median"] * 1e3 for p in pts], ORANGE,
          lo=[p["ttft"]["p10"] * 1e3 for p in pts], hi=[p["ttft"]["p90"] * 1e3 for p in pts])
    g = [p for p in pts if "ttft_graph" in p]
    if g:
        c.add("measured, CUDA graph", [p["tokens"] for p in g], [p["ttft_graph"]["median"] * 1e3 for p in g], BLUE)
    c.add("bound, datasheet", L, [p["bound_spec_s"] * 1e3 for p in pts], GREY, dash="6 4", markers=False, width=1.5)
    if all(p.get("bound_measured_s") for p in pts):
        c.add("bound, measured ceilings", L, [p["bound_measured_s"] * 1e3 for p in pts], RED, dash="2 3",
              markers=False, width=1.5)
    out = {"prefill.svg": c.render()}
    c = Chart("Prefill model FLOPs utilization (MFU)",
              f"Executed FLOPs over time over the {spec['bf16_dense'] / 1e12:g} TFLOPS dense BF16 datasheet peak. "
              f"MFU climbs with prompt length and levels off near {r['points'][-1]['mfu'] * 100:.0f}%.",
              "prompt length (tokens)", "MFU (% of dense BF16 peak)", xlog=True, xticks=L, ymin=0, ymax=100)
    c.add("eager", L, [p["mfu"] * 100 for p in pts], ORANGE)
    if g:
        c.add("CUDA graph", [p["tokens"] for p in g],
              [p["flops_executed"] / p["ttft_graph"]["median"] / spec["bf16_dense"] * 100 for p in g], BLUE)
    peak = r.get("measured_ceilings", {}).get("bf16_flops_per_s")
    if peak:
        c.add("best measured matmul", [L[0], L[-1]], [peak / spec["bf16_dense"] * 100] * 2, RED, dash="2 3",
              markers=False, width=1.5)
    out["prefill_mfu.svg"] = c.render()
    return out


# --- 4. KV memory --------------------------------------------------------------------------

def kv_memory(rec):
    r = rec["results"]
    pairs = r["pairs"]
    c = Chart("KV cache memory: measured against the formula",
              "Change in torch.cuda.memory_allocated when the cache is allocated, against "
              "2 x layers x KV heads x head_dim x 2 bytes x tokens. Every point lies on the line.",
              "formula (GiB)", "measured (GiB)", xlog=True, ylog=True)
    fx = [p["formula_bytes"] / 2**30 for p in pairs]
    c.add("formula = measured", [min(fx), max(fx)], [min(fx), max(fx)], GREY, dash="6 4", markers=False, width=1.5)
    c.add("measured", fx, [p["measured_bytes"] / 2**30 for p in pairs], BLUE)
    out = {"kv_memory.svg": c.render()}
    mb = r["max_batch"]
    bars = Bars("Largest batch whose KV cache fits next to the weights",
                "For each context length: the batch predicted from the free memory after the weights, the batch "
                "predicted from 90% of the 80 GB of the datasheet (decimal, as data/gpus.yml had it when measured), "
                "and the largest batch that allocated its cache and ran a decode step.",
                "sequences")
    for m in mb:
        ctx = fmt_tick(m["context"])
        bars.add(f"context {ctx}: 90% of 80 GB", m["predicted_from_datasheet"], GREY,
                 str(m["predicted_from_datasheet"]))
        bars.add(f"context {ctx}: from free memory", m["predicted_from_free"], ORANGE, str(m["predicted_from_free"]))
        bars.add(f"context {ctx}: ran", m["largest_batch_that_ran"], BLUE, str(m["largest_batch_that_ran"]))
    out["kv_max_batch.svg"] = bars.render()
    return out


# --- 5. prefix reuse ---------------------------------------------------------------------

def prefix_reuse(rec):
    pts = rec["results"]["points"]
    Ls = sorted({p["tokens"] for p in pts})
    fr = sorted({p["fraction"] for p in pts})
    c = Chart("Prefill time with a cached prefix",
              "Time to first token for prompts of " + " and ".join(str(x) for x in Ls) + " tokens when a fraction of "
              "the prompt is already in the KV cache, against the prediction from the share of FLOPs left to do.",
              "fraction of the prompt already cached", "TTFT (ms)", xticks=fr, ymin=0)
    for i, L in enumerate(Ls):
        sub = sorted([p for p in pts if p["tokens"] == L], key=lambda p: p["fraction"])
        col = [BLUE, ORANGE, GREEN][i % 3]
        c.add(f"{fmt_tick(L)} tokens: measured", [p["fraction"] for p in sub], [p["ttft"]["median"] * 1e3 for p in sub],
              col, lo=[p["ttft"]["p10"] * 1e3 for p in sub], hi=[p["ttft"]["p90"] * 1e3 for p in sub])
        c.add(f"{fmt_tick(L)} tokens: predicted", [p["fraction"] for p in sub],
              [p.get("predicted_s", 0) * 1e3 for p in sub], col, dash="6 4", markers=False, width=1.5)
    return {"prefix_reuse.svg": c.render()}


# --- 6. batching ----------------------------------------------------------------------------

def batching(rec):
    rows = rec["results"]["points"]
    rates = [r["rate_rps"] for r in rows]
    slo = rec["config"]["slo"]
    out = {}
    c = Chart("Simulated throughput: static against continuous batching",
              "Output tokens per second against request rate, simulated with step times fitted to this lab's "
              "decode and prefill measurements. Continuous batching keeps the GPU's batch full; static batching "
              "waits for the longest request of each batch.",
              "request rate (requests/s)", "output tokens/s", ymin=0)
    c.add("static", rates, [r["static"]["output_tokens_per_s"] for r in rows], ORANGE)
    c.add("continuous", rates, [r["continuous"]["output_tokens_per_s"] for r in rows], BLUE)
    out["batching_throughput.svg"] = c.render()
    c = Chart("Simulated latency: p50 and p99 time to first token",
              f"TTFT against request rate for both schedulers; the dashed line is the {slo['ttft_s']:g} s objective.",
              "request rate (requests/s)", "TTFT (s)", ylog=True)
    c.add("static p50", rates, [max(r["static"]["ttft_p50_s"], 1e-3) for r in rows], ORANGE)
    c.add("static p99", rates, [max(r["static"]["ttft_p99_s"], 1e-3) for r in rows], ORANGE, dash="3 3")
    c.add("continuous p50", rates, [max(r["continuous"]["ttft_p50_s"], 1e-3) for r in rows], BLUE)
    c.add("continuous p99", rates, [max(r["continuous"]["ttft_p99_s"], 1e-3) for r in rows], BLUE, dash="3 3")
    c.add("objective", [rates[0], rates[-1]], [slo["ttft_s"]] * 2, GREY, dash="6 4", markers=False, width=1.5)
    out["batching_ttft.svg"] = c.render()
    c = Chart("Simulated goodput under the objective",
              f"Requests per second that met both TTFT <= {slo['ttft_s']:g} s and time per output token <= "
              f"{slo['tpot_s'] * 1e3:g} ms, against the offered rate.",
              "request rate (requests/s)", "goodput (requests/s)", ymin=0)
    c.add("static", rates, [r["static"]["goodput_requests_per_s"] for r in rows], ORANGE)
    c.add("continuous", rates, [r["continuous"]["goodput_requests_per_s"] for r in rows], BLUE)
    c.add("offered rate", [rates[0], rates[-1]], [rates[0], rates[-1]], GREY, dash="6 4", markers=False, width=1.5)
    out["batching_goodput.svg"] = c.render()
    return out


# --- 7. tensor parallel -------------------------------------------------------------------

def tensor_parallel(rec):
    r = rec["results"]
    single, tp = r["single"], r["tp"]
    out = {}
    key = "graph" if all("graph" in p for p in single + tp) else "eager"
    xs = sorted({p["batch"] for p in single + tp})
    c = Chart(f"Decode step on one GPU and with tensor parallelism over two (context {fmt_tick(r['context'])})",
              "Step time of the lean step as a CUDA graph on one H100 and split over two with NCCL all-reduces, "
              "with each one's bandwidth bound dashed. Two GPUs read half the bytes each but add 64 all-reduces "
              "per step, so the step is far from twice as fast at small batches.",
              "batch size (sequences)", "step time (ms)", xlog=True, xticks=xs, ymin=0)
    c.add("1 GPU, measured", [p["batch"] for p in single], [p[key]["median"] * 1e3 for p in single], ORANGE)
    c.add("1 GPU, bound", [p["batch"] for p in single], [p["bound_spec_s"] * 1e3 for p in single], ORANGE,
          dash="6 4", markers=False, width=1.5)
    c.add("TP = 2, measured", [p["batch"] for p in tp], [p[key]["median"] * 1e3 for p in tp], BLUE)
    c.add("TP = 2, bound", [p["batch"] for p in tp], [p["bound_spec_s"] * 1e3 for p in tp], BLUE, dash="6 4",
          markers=False, width=1.5)
    out["tp_step.svg"] = c.render()
    ar = r["allreduce"]
    c = Chart("All-reduce latency between two H100s (NCCL)",
              "Time per all-reduce of a BF16 buffer against its size: launched one by one from Python, and "
              "replayed inside a CUDA graph as a decode step issues them. Up to a few MiB the time is a fixed cost.",
              "message size", "time per all-reduce (µs)", xlog=True, ylog=True,
              xticks=[2**k for k in range(10, 29, 3)], xfmt=fmt_bytes)
    c.add("eager", [a["bytes"] for a in ar], [a["time"]["median"] * 1e6 for a in ar], ORANGE,
          lo=[a["time"]["p10"] * 1e6 for a in ar], hi=[a["time"]["p90"] * 1e6 for a in ar])
    g = r.get("allreduce_graph") or []
    if g:
        c.add("inside a CUDA graph", [a["bytes"] for a in g], [a["per_op"]["median"] * 1e6 for a in g], BLUE)
    out["allreduce.svg"] = c.render()
    c = Chart("All-reduce bus bandwidth between two H100s (NCCL)",
              "Bus bandwidth, 2(n-1)/n x bytes / time with n = 2, against message size; decode-sized messages "
              "(batch x 4096 x 2 bytes) use a small fraction of the link.",
              "message size", "bus bandwidth (GB/s)", xlog=True, ylog=True,
              xticks=[2**k for k in range(10, 29, 3)], xfmt=fmt_bytes)
    c.add("eager", [a["bytes"] for a in ar], [a["bus_bandwidth_Bps"] / 1e9 for a in ar], ORANGE)
    out["allreduce_busbw.svg"] = c.render()
    return out


# --- 8. speculative verification ------------------------------------------------------------

def spec_verify(rec):
    pts = rec["results"]["points"]
    out = {}
    ctxs = sorted({p["context"] for p in pts})
    batches = sorted({p["batch"] for p in pts})
    gammas = sorted({v["gamma"] for p in pts for v in p["verify"]})
    c = Chart("Verification pass against a plain decode step",
              "Time of one target pass over gamma + 1 positions per sequence divided by the plain decode step, "
              f"gamma = {gammas[-1]}, against batch size for each context, with the handbook's roofline ratio "
              "dashed. Near 1 the drafts ride along almost free; the ratio climbs once the pass turns compute-bound.",
              "batch size (sequences)", "verify time / plain step time", xlog=True, xticks=batches, ymin=0)
    for i, ctx in enumerate(ctxs):
        sub = [p for p in pts if p["context"] == ctx]
        col = [BLUE, ORANGE, GREEN, PURPLE][i % 4]
        vs = [next(v for v in p["verify"] if v["gamma"] == gammas[-1]) for p in sub]
        c.add(f"context {fmt_tick(ctx)}: measured", [p["batch"] for p in sub], [v["ratio"] for v in vs], col)
        c.add(f"context {fmt_tick(ctx)}: roofline", [p["batch"] for p in sub], [v["formula"]["ratio"] for v in vs],
              col, dash="6 4", markers=False, width=1.5)
    out["spec_verify_ratio.svg"] = c.render()
    ctx = ctxs[0]
    sub = [p for p in pts if p["context"] == ctx]
    c = Chart(f"Verification cost by draft length (context {fmt_tick(ctx)})",
              "Pass time over one masked position (the verification code's own baseline) for gamma = "
              + ", ".join(str(g) for g in gammas) + ", against batch size; the plain decode step is the grey line. "
              "Up to batch 16 extra positions cost a few percent; at batch 64 and 256 the cost grows with gamma.",
              "batch size (sequences)", "step time (ms)", xlog=True, ylog=True, xticks=[p["batch"] for p in sub])
    c.add("plain decode step", [p["batch"] for p in sub], [p["plain"]["median"] * 1e3 for p in sub], GREY)
    c.add("one position, masked", [p["batch"] for p in sub],
          [p["one_position_masked"]["median"] * 1e3 for p in sub], RED, dash="3 3")
    for i, g in enumerate(gammas):
        c.add(f"gamma = {g}", [p["batch"] for p in sub],
              [next(v for v in p["verify"] if v["gamma"] == g)["time"]["median"] * 1e3 for p in sub],
              [BLUE, ORANGE, GREEN, PURPLE][i % 4])
    out["spec_verify_gamma.svg"] = c.render()
    return out


# --- 9. FP8 ---------------------------------------------------------------------------------

def fp8(rec):
    r = rec["results"]
    if not r.get("fp8_available"):
        return {}
    out = {}
    g = r["gemm"]
    ms = sorted({x["m"] for x in g})
    c = Chart("FP8 over BF16 matmul speedup at the model's layer shapes",
              "BF16 time over FP8 time (torch._scaled_mm, one scale per tensor, operands already FP8) for each "
              "of a layer's four matmuls against M, the tokens in the batch; the roofline predicts about 2x at "
              "every size. At decode sizes the attention matrices gain little or lose; the MLP matrices gain at "
              "every size.",
              "M (tokens in the batch)", "speedup (BF16 time / FP8 time)", xlog=True, xticks=ms, ymin=0, ymax=2.2)
    for i, name in enumerate(["qkv", "attn_out", "gate_up", "down"]):
        sub = sorted((x for x in g if x["layer"] == name), key=lambda x: x["m"])
        c.add(f"{name} ({sub[0]['k']} x {sub[0]['n']})", [x["m"] for x in sub], [x["speedup"] for x in sub],
              [BLUE, ORANGE, GREEN, PURPLE][i])
    c.add("roofline", ms, [max(x["predicted_speedup"] for x in g if x["m"] == m) for m in ms], GREY, dash="6 4",
          markers=False, width=1.5)
    c.add("no change", [ms[0], ms[-1]], [1, 1], RED, dash="2 3", markers=False, width=1)
    out["fp8_gemm.svg"] = c.render()
    d = r["decode"]["points"]
    bs = [p["batch"] for p in d]
    c = Chart(f"Decode step with FP8 weights (context {fmt_tick(d[0]['context'])})",
              "Speedup of the whole decode step (CUDA graph) with every layer's weights in FP8 over the same "
              "step in BF16, with activation scales computed every call (dynamic) or fixed (static), against "
              "the roofline's ratio of bytes read.",
              "batch size (sequences)", "speedup over BF16", xlog=True, xticks=bs, ymin=0, ymax=2.2)
    c.add("FP8, static activation scale", bs, [p["speedup_static"] for p in d], BLUE)
    c.add("FP8, dynamic activation scale", bs, [p["speedup_dynamic"] for p in d], ORANGE)
    c.add("roofline (bytes BF16 / bytes FP8)", bs, [p["predicted_speedup"] for p in d], GREY, dash="6 4",
          markers=False, width=1.5)
    c.add("no change", [bs[0], bs[-1]], [1, 1], RED, dash="2 3", markers=False, width=1)
    out["fp8_decode.svg"] = c.render()
    return out


# --- 10. chunked-prefill interference -------------------------------------------------------

def chunk_interference(rec):
    r = rec["results"]
    pts = r["points"]
    chunks = sorted({p["chunk"] for p in pts})
    out = {}
    c = Chart(f"Decode step time when a prefill chunk joins (context {fmt_tick(r['points'][0]['context'])})",
              "Step time of a running decode batch with a prefill chunk of 256 to 8192 tokens in the same forward "
              "pass, for three batch sizes (first chunk of its prompt) and one batch whose chunk follows 4096 "
              "cached prompt tokens; dashed: the same batch with no chunk. Every running sequence waits this long "
              "for its next token.",
              "chunk size (prompt tokens in the step)", "step time = inter-token latency (ms)", xlog=True, ylog=True,
              xticks=chunks)
    groups = sorted({(p["batch"], p["chunk_start"]) for p in pts})
    for i, (b, st) in enumerate(groups):
        sub = sorted((p for p in pts if p["batch"] == b and p["chunk_start"] == st), key=lambda p: p["chunk"])
        col = [BLUE, ORANGE, GREEN, PURPLE][i % 4]
        lab = f"batch {b}" + (f", after {fmt_tick(st)} cached" if st else "")
        c.add(lab, [p["chunk"] for p in sub], [p["mixed"]["median"] * 1e3 for p in sub], col,
              lo=[p["mixed"]["p10"] * 1e3 for p in sub], hi=[p["mixed"]["p90"] * 1e3 for p in sub])
        if not st:
            c.add(f"batch {b}, no chunk", [chunks[0], chunks[-1]], [sub[0]["decode_only"]["median"] * 1e3] * 2, col,
                  dash="6 4", markers=False, width=1.5)
    out["chunk_itl.svg"] = c.render()
    c = Chart("Added inter-token latency against chunk size",
              "Mixed step minus the decode-only step, next to the same chunk prefilled alone: the chunk adds "
              "about its own prefill time, minus the weight read it shares with the decode step.",
              "chunk size (prompt tokens in the step)", "milliseconds", xlog=True, ylog=True, xticks=chunks)
    alone = sorted((a for a in r["chunk_only"] if a["chunk_start"] == 0), key=lambda a: a["chunk"])
    c.add("chunk prefilled alone", [a["chunk"] for a in alone], [a["time"]["median"] * 1e3 for a in alone], GREY)
    for i, b in enumerate(sorted({p["batch"] for p in pts if p["chunk_start"] == 0})):
        sub = sorted((p for p in pts if p["batch"] == b and p["chunk_start"] == 0), key=lambda p: p["chunk"])
        c.add(f"added to batch {b}", [p["chunk"] for p in sub], [p["itl_spike_s"] * 1e3 for p in sub],
              [BLUE, ORANGE, GREEN][i % 3])
    out["chunk_spike.svg"] = c.render()
    return out


# --- 11. CUDA graphs ------------------------------------------------------------------------

def cuda_graphs(rec):
    pts = [p for p in rec["results"]["points"] if "graph" in p]
    if not pts:
        return {}
    bs = [p["batch"] for p in pts]
    c = Chart(f"Decode step eager and as a CUDA graph (context {fmt_tick(pts[0]['context'])})",
              "Step time of the lean Llama-3.1-8B-shaped decode step launched kernel by kernel from Python and "
              "replayed as one CUDA graph, with p10-p90 bars, and the host's time to issue the eager step. Eager "
              "stays near the host time until the GPU work outgrows it.",
              "batch size (sequences)", "step time (ms)", xlog=True, xticks=bs, ymin=0)
    c.add("eager", bs, [p["eager"]["median"] * 1e3 for p in pts], ORANGE,
          lo=[p["eager"]["p10"] * 1e3 for p in pts], hi=[p["eager"]["p90"] * 1e3 for p in pts])
    c.add("CUDA graph", bs, [p["graph"]["median"] * 1e3 for p in pts], BLUE,
          lo=[p["graph"]["p10"] * 1e3 for p in pts], hi=[p["graph"]["p90"] * 1e3 for p in pts])
    c.add("host issue time, eager", bs, [p["host_eager"]["median"] * 1e3 for p in pts], PURPLE,
          dash="3 3")
    c.add("bound (datasheet bandwidth)", bs, [p["bound_spec_s"] * 1e3 for p in pts], GREY, dash="6 4",
          markers=False, width=1.5)
    out = {"cuda_graphs_step.svg": c.render()}
    c = Chart("Share of the eager step that graph capture removes",
              "1 - graph time / eager time against batch size: about half the eager step or more up to batch "
              "128, a few percent at batch 256, where the GPU work outlasts the launches.",
              "batch size (sequences)", "launch overhead share (%)", xlog=True, xticks=bs, ymin=0, ymax=100)
    c.add("overhead share", bs, [p["overhead_share"] * 100 for p in pts], BLUE)
    out["cuda_graphs_share.svg"] = c.render()
    return out


# --- 12. formulas against measurements ------------------------------------------------------

def _fc_lines(c, rows, key, groups, label, colors, xscale=1.0, yscale=1e3):
    for i, gval in enumerate(groups):
        sub = sorted((r for r in rows if r.get(label) == gval), key=lambda r: r[key])
        col = colors[i % len(colors)]
        xs = [r[key] * xscale for r in sub]
        c.add(f"{label} {fmt_tick(gval)}: measured", xs, [r["measured"] * yscale for r in sub], col)
        c.add(f"{label} {fmt_tick(gval)}: formula", xs, [r["predicted"] * yscale for r in sub], col, dash="6 4",
              markers=False, width=1.5)


def formula_check(rec):
    rows = rec["results"]["rows"]
    out = {}

    def series(name, **match):
        return [r for r in rows if r["series"] == name and all(r.get(k) == v for k, v in match.items())]
    cols = [BLUE, ORANGE, GREEN, PURPLE]
    dec = [r for r in series("decode_graph", source="decode") if r["context"] in (512, 8192)] + \
        series("decode_long_context")
    c = Chart("Decode step: decode_step_time against the CUDA-graph measurement",
              "Measured step time (solid) and the handbook's lower bound (dashed) against batch size at contexts "
              "512 and 8192 (experiment 2) and 16K and 32K (experiment 8). The bound holds everywhere; the gap "
              "widens at long context and small batch, where the attention kernel is far from full bandwidth.",
              "batch size (sequences)", "step time (ms)", xlog=True, ylog=True)
    _fc_lines(c, dec, "batch", sorted({r["context"] for r in dec}), "context", cols)
    out["formula_decode.svg"] = c.render()

    pre = series("prefill")
    c = Chart("Prefill: prefill_time against the measured time to first token",
              "Measured TTFT (CUDA graph up to 4096 tokens, eager above) and the handbook's bound, max(FLOPs / "
              "dense peak, weights / bandwidth), against prompt length.",
              "prompt length (tokens)", "TTFT (ms)", xlog=True, ylog=True, xticks=[r["tokens"] for r in pre])
    c.add("measured", [r["tokens"] for r in pre], [r["measured"] * 1e3 for r in pre], BLUE)
    c.add("formula", [r["tokens"] for r in pre], [r["predicted"] * 1e3 for r in pre], GREY, dash="6 4",
          markers=False, width=1.5)
    out["formula_prefill.svg"] = c.render()

    kv = sorted(series("kv_bytes"), key=lambda r: r["predicted"])
    c = Chart("KV cache: kv_bytes against the allocated bytes",
              "Bytes torch.cuda.memory_allocated grew by when each cache was allocated, and the formula's bytes, "
              "for each batch and context of experiment 4: the two lines coincide.",
              "tokens in the cache (batch x context)", "GiB", xlog=True, ylog=True)
    c.add("measured", [r["batch"] * r["context"] for r in kv], [r["measured"] / 2**30 for r in kv], BLUE)
    c.add("formula", [r["batch"] * r["context"] for r in kv], [r["predicted"] / 2**30 for r in kv], GREY,
          dash="6 4", markers=False, width=1.5)
    out["formula_kv.svg"] = c.render()

    ae, ag = series("allreduce_eager"), series("allreduce_graph")
    c = Chart("All-reduce: the interconnects page's cost model against two H100s",
              "Measured time per all-reduce (eager, and inside a CUDA graph) and the model: 10 us plus size x "
              "2(n-1)/n over the assumed bus bandwidth, NVLink's peak per direction, for n = 2.",
              "message size", "time per all-reduce (µs)", xlog=True, ylog=True,
              xticks=[2**k for k in range(10, 29, 3)], xfmt=fmt_bytes)
    c.add("measured, eager", [r["bytes"] for r in ae], [r["measured"] * 1e6 for r in ae], ORANGE)
    c.add("measured, CUDA graph", [r["bytes"] for r in ag], [r["measured"] * 1e6 for r in ag], BLUE)
    c.add("formula", [r["bytes"] for r in ae], [r["predicted"] * 1e6 for r in ae], GREY, dash="6 4",
          markers=False, width=1.5)
    out["formula_allreduce.svg"] = c.render()

    sv = [r for r in series("spec_verify_ratio") if r["context"] == 1024]
    c = Chart("Speculative verification: spec_verify_step_time ratio against the measurement (context 1K)",
              "Verification pass over gamma + 1 positions divided by the plain decode step, measured (solid) and "
              "from the handbook's roofline (dashed), for gamma = 1, 3 and 7.",
              "batch size (sequences)", "verify time / plain step time", xlog=True,
              xticks=sorted({r["batch"] for r in sv}), ymin=0)
    for i, gm in enumerate(sorted({r["gamma"] for r in sv})):
        sub = sorted((r for r in sv if r["gamma"] == gm), key=lambda r: r["batch"])
        c.add(f"gamma {gm}: measured", [r["batch"] for r in sub], [r["measured"] for r in sub], cols[i])
        c.add(f"gamma {gm}: formula", [r["batch"] for r in sub], [r["predicted"] for r in sub], cols[i], dash="6 4",
              markers=False, width=1.5)
    out["formula_spec_verify.svg"] = c.render()

    f8 = series("fp8_speedup")
    c = Chart("FP8 decode: the roofline's speedup against the measurement",
              "decode_step_time in BF16 over the same in FP8 (every weight FP8), against the measured speedup of "
              "the lean step with FP8 layer weights, by batch size (context 1024).",
              "batch size (sequences)", "speedup over BF16", xlog=True, xticks=sorted({r["batch"] for r in f8}),
              ymin=0)
    for i, v in enumerate(("static", "dynamic")):
        sub = sorted((r for r in f8 if r["variant"] == v), key=lambda r: r["batch"])
        c.add(f"measured, {v} scale", [r["batch"] for r in sub], [r["measured"] for r in sub], cols[i])
    sub = sorted((r for r in f8 if r["variant"] == "static"), key=lambda r: r["batch"])
    c.add("formula", [r["batch"] for r in sub], [r["predicted"] for r in sub], GREY, dash="6 4", markers=False,
          width=1.5)
    out["formula_fp8.svg"] = c.render()

    ch = series("chunk_mixed", chunk_start=0)
    c = Chart("Mixed decode and prefill step: the roofline against the measurement",
              "Step time with a prefill chunk joined to a decode batch, measured (solid) and the bound built from "
              "handbook.formulas (dashed), against chunk size, for each batch.",
              "chunk size (prompt tokens in the step)", "step time (ms)", xlog=True, ylog=True,
              xticks=sorted({r["chunk"] for r in ch}))
    _fc_lines(c, ch, "chunk", sorted({r["batch"] for r in ch}), "batch", cols)
    out["formula_chunk.svg"] = c.render()

    cg = [r for r in rows if r.get("source") == "cuda_graphs"]
    c = Chart("CUDA graphs: decode_step_time against eager and graph steps (context 1024)",
              "The same lower bound against the eager step and the CUDA-graph step by batch size: the graph step "
              "follows the bound's shape; the eager step sits at the host's launch time until batch 256.",
              "batch size (sequences)", "step time (ms)", xlog=True, xticks=sorted({r["batch"] for r in cg}), ymin=0)
    for i, s in enumerate(("decode_eager", "decode_graph")):
        sub = sorted((r for r in cg if r["series"] == s), key=lambda r: r["batch"])
        c.add("eager" if s == "decode_eager" else "CUDA graph", [r["batch"] for r in sub],
              [r["measured"] * 1e3 for r in sub], [ORANGE, BLUE][i])
    sub = sorted((r for r in cg if r["series"] == "decode_graph"), key=lambda r: r["batch"])
    c.add("formula", [r["batch"] for r in sub], [r["predicted"] * 1e3 for r in sub], GREY, dash="6 4",
          markers=False, width=1.5)
    out["formula_cuda_graphs.svg"] = c.render()
    return out


RENDERERS = {"ceilings": ceilings, "decode": decode, "prefill": prefill, "kv_memory": kv_memory,
             "prefix_reuse": prefix_reuse, "batching": batching, "tensor_parallel": tensor_parallel,
             "spec_verify": spec_verify, "fp8": fp8, "chunk_interference": chunk_interference,
             "cuda_graphs": cuda_graphs, "formula_check": formula_check}


def render_all(measurements: Path = MEASUREMENTS) -> dict[str, str]:
    """{file name: SVG text} for every experiment whose JSON exists."""
    out = {}
    for name, fn in RENDERERS.items():
        rec = read_json(Path(measurements) / f"{name}.json")
        if rec:
            out.update(fn(rec))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lab.charts", description="Render docs/lab/img/*.svg from JSON.")
    ap.add_argument("--check", action="store_true", help="exit 1 if a chart differs from what would be rendered")
    ap.add_argument("--measurements", default=str(MEASUREMENTS))
    ap.add_argument("--out", default=str(IMG))
    args = ap.parse_args(argv)
    charts = render_all(Path(args.measurements))
    out = Path(args.out)
    stale = []
    for name, text in sorted(charts.items()):
        path = out / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale) + "\nregenerate with: PYTHONPATH=scripts python -m lab.charts")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
