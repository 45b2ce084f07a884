"""Experiment 3: prefill time (time to first token without queueing) against
prompt length at batch 1, for the lean Llama-3.1-8B-shaped model (BF16, SDPA
causal attention, only the last position's logits).

Prediction: the larger of compute time (executed FLOPs over the dense BF16
peak) and memory time (weight bytes over the memory bandwidth), with datasheet
and with measured ceilings. MFU here is executed FLOPs / time / datasheet dense
BF16 peak; the handbook formula's FLOPs (which count the LM head for every
token) are recorded beside them.
"""
from __future__ import annotations

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, time_fn, timed
from .model import attention_paths, prefill_flops_executed, prefill_flops_formula, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "lengths": [128, 256, 512, 1024, 2048, 4096, 8192, 16384],
             "warmup": 2, "reps": 6, "graph_max_tokens": 4096, "profile_tokens": 512},
    "smoke": {"shape": "llama-3.1-8b-shaped", "lengths": [128, 1024], "warmup": 1, "reps": 2,
              "graph_max_tokens": 1024, "profile_tokens": 128},
    "tiny": {"shape": "tiny", "lengths": [8, 16, 32], "warmup": 1, "reps": 2, "graph_max_tokens": 0,
             "profile_tokens": 16},
}


def run(cfg: dict, device: str, command: str, measured: dict | None = None) -> dict:
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    weight_read = (s.params() - s.vocab * s.hidden) * 2
    meas_bw = meas_peak = None
    if measured:
        meas_bw = measured["summary"].get("hbm_read_Bps")
        meas_peak = measured["summary"].get("bf16_dense_best_flops_per_s")
    points = []
    for L in cfg["lengths"]:
        model.allocate_cache(1, L, fill=False)
        tokens = torch.randint(0, s.vocab, (1, L), device=device)
        with torch.no_grad():
            ts = time_fn(lambda: model.prefill(tokens, 0), device, cfg["warmup"], cfg["reps"])
            g = None
            if device != "cpu" and L <= cfg["graph_max_tokens"]:
                from .decode import _capture
                g = _capture(lambda: model.prefill(tokens, 0), device)
                gts = time_fn(g.replay, device, cfg["warmup"], cfg["reps"])
                del g
        t = summarize(ts)["median"]
        fl = prefill_flops_executed(s, L)
        p = {"tokens": L, "ttft": timed(ts), "flops_executed": fl, "flops_formula": prefill_flops_formula(s, L),
             "weight_bytes_read": weight_read,
             "compute_bound_spec_s": fl / spec["bf16_dense"],
             "memory_bound_spec_s": weight_read / spec["memory_bandwidth"],
             "mfu": fl / t / spec["bf16_dense"],
             "mfu_formula_flops": prefill_flops_formula(s, L) / t / spec["bf16_dense"],
             "tokens_per_s": L / t}
        p["bound_spec_s"] = max(p["compute_bound_spec_s"], p["memory_bound_spec_s"])
        if device != "cpu" and L <= cfg["graph_max_tokens"]:
            p["ttft_graph"] = timed(gts)
        if meas_bw and meas_peak:
            p["bound_measured_s"] = max(fl / meas_peak, weight_read / meas_bw)
        points.append(p)
        log(f"prefill L={L}: {t * 1e3:.2f} ms, MFU {p['mfu'] * 100:.1f}%")
        model.cache = None
    # where the time goes at a short prompt: kernels and the host's busiest operators
    results_profile = None
    if device != "cpu":
        try:
            L = cfg["profile_tokens"]
            model.allocate_cache(1, L, fill=False)
            tokens = torch.randint(0, s.vocab, (1, L), device=device)
            from torch.profiler import ProfilerActivity, profile
            with torch.no_grad():
                model.prefill(tokens, 0)
                torch.cuda.synchronize()
                with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                    model.prefill(tokens, 0)
                    torch.cuda.synchronize()
            kernels = sum(1 for e in prof.events()
                          if getattr(e.device_type, "name", "").upper() == "CUDA" and not e.is_async)
            top = sorted(prof.key_averages(), key=lambda a: a.self_cpu_time_total, reverse=True)[:12]
            results_profile = {"tokens": L, "kernels": kernels,
                               "top_host_ops": [{"name": a.key, "calls": a.count,
                                                 "self_cpu_s": a.self_cpu_time_total / 1e6} for a in top]}
            model.cache = None
        except Exception as exc:
            results_profile = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    # prompt length where compute time overtakes weight-read time (datasheet figures)
    per_token = 2 * s.layers * s.layer_matmul_params()
    crossover = weight_read / spec["memory_bandwidth"] * spec["bf16_dense"] / per_token
    summary = {"crossover_tokens_spec": crossover,
               "max_mfu": max(p["mfu"] for p in points),
               "max_mfu_at": max(points, key=lambda p: p["mfu"])["tokens"],
               "ttft_s": {str(p["tokens"]): p["ttft"]["median"] for p in points}}
    if meas_bw and meas_peak:
        summary["crossover_tokens_measured"] = weight_read / meas_bw * meas_peak / per_token
    results = {"model": s.as_dict(), "batch": 1, "points": points, "attention_paths": attention_paths(),
               "measured_ceilings": {"bandwidth_Bps": meas_bw, "bf16_flops_per_s": meas_peak},
               "profile": results_profile}
    notes = ["ttft is the eager run; ttft_graph (prompts up to graph_max_tokens) replays the same prefill "
             "captured in a CUDA graph, which removes the host's per-operator cost.",
             "The time covers embedding to first greedy token; no tokenizer, no queueing, no network."]
    return record("prefill", cfg, prov, results, summary, spec, notes)
