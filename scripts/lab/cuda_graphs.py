"""Experiment 11: the decode step with and without CUDA graph capture, batch 1 to 256.

The lean Llama-3.1-8B-shaped decode step (random BF16 weights) at one context
length, for each batch size:

- eager: the Python step, every kernel launched by the host (CUDA events around
  the step, as a serving loop would see it with no host work besides the step);
- graph: the same step captured once and replayed;
- GPU kernel time: the sum of the step's kernel durations from torch.profiler
  (what the GPU itself spends, without gaps between kernels), at a few batches;
- host enqueue time: wall clock of the eager call and of ``replay()`` without
  waiting for the GPU (what the CPU spends to issue the work).

The launch overhead share is 1 - graph / eager: the fraction of the eager step
that capture removes.
"""
from __future__ import annotations

import time

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, sync, time_fn, timed
from .model import decode_bytes, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "context": 1024, "batches": [1, 2, 4, 8, 16, 32, 64, 128, 256],
             "profile_batches": [1, 16, 256], "warmup": 3, "eager_reps": 10, "graph_reps": 30, "host_reps": 10},
    "smoke": {"shape": "llama-3.1-8b-shaped", "context": 512, "batches": [1, 16], "profile_batches": [1],
              "warmup": 1, "eager_reps": 2, "graph_reps": 3, "host_reps": 2},
    "tiny": {"shape": "tiny", "context": 16, "batches": [1, 4], "profile_batches": [], "warmup": 1, "eager_reps": 2,
             "graph_reps": 2, "host_reps": 2},
}


def host_time(fn, device, reps: int) -> list[float]:
    """Wall-clock seconds for the host to issue ``fn`` with the GPU idle before each call."""
    out = []
    for _ in range(reps):
        sync(device)
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    sync(device)
    return out


def run(cfg: dict, device: str, command: str) -> dict:
    from .decode import _capture, _count_kernels
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    ctx = cfg["context"]
    model.allocate_cache(max(cfg["batches"]), ctx + 1)
    points = []
    for b in cfg["batches"]:
        tok = torch.randint(0, s.vocab, (b,), device=device)

        def step():
            return model.decode_step(tok, ctx)
        with torch.no_grad():
            eager = time_fn(step, device, cfg["warmup"], cfg["eager_reps"])
            p = {"batch": b, "context": ctx, "eager": timed(eager),
                 "host_eager": timed(host_time(step, device, cfg["host_reps"]))}
            if device != "cpu":
                g = _capture(step, device)
                p["graph"] = timed(time_fn(g.replay, device, cfg["warmup"], cfg["graph_reps"]))
                p["host_graph"] = timed(host_time(g.replay, device, cfg["host_reps"]))
                del g
            if b in cfg["profile_batches"]:
                try:
                    k = _count_kernels(step, device)
                    if k:
                        p["kernels"] = k["kernels"]
                        p["gpu_kernel_time_s"] = sum(v["gpu_time_s"] for v in k["by_kind"].values())
                except Exception as exc:
                    p["profile_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        p["bytes_min"] = decode_bytes(s, b, ctx + 1, 2)
        p["bound_spec_s"] = p["bytes_min"] / spec["memory_bandwidth"]
        if "graph" in p:
            p["speedup"] = p["eager"]["median"] / p["graph"]["median"]
            p["overhead_share"] = 1 - p["graph"]["median"] / p["eager"]["median"]
        points.append(p)
        log(f"cuda_graphs b={b}: eager {p['eager']['median'] * 1e3:.2f} ms"
            + (f", graph {p['graph']['median'] * 1e3:.2f} ms, overhead {p['overhead_share'] * 100:.0f}%"
               if "graph" in p else ""))
    model.cache = None
    if device != "cpu":
        torch.cuda.empty_cache()
    with_graph = [p for p in points if "graph" in p]
    summary = {"context": ctx}
    if with_graph:
        summary.update({
            "overhead_share": {str(p["batch"]): p["overhead_share"] for p in with_graph},
            "speedup": {str(p["batch"]): p["speedup"] for p in with_graph},
            "host_eager_s_median": summarize([p["host_eager"]["median"] for p in with_graph])["median"],
            "largest_batch_over_half": max((p["batch"] for p in with_graph if p["overhead_share"] > 0.5),
                                           default=None)})
    results = {"model": s.as_dict(), "dtype": str(dtype).replace("torch.", ""), "points": points}
    notes = ["The graph is captured per batch with the position baked in; an engine captures per batch size "
             "and passes positions as tensors.",
             "Host enqueue time of the eager step can exceed its GPU time, so the eager step time measures the host; "
             "the host here is the lent machine's CPU, and a faster or slower host moves the eager numbers."]
    return record("cuda_graphs", cfg, prov, results, summary, spec, notes)
