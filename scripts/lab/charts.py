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


RENDERERS = {"ceilings": ceilings, "decode": decode, "prefill": prefill, "kv_memory": kv_memory,
             "prefix_reuse": prefix_reuse, "batching": batching, "tensor_parallel": tensor_parallel}


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
