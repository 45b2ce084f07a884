"""Experiment 2: decode step time and tokens/s against batch size and context.

Three implementations of one Llama-3.1-8B-shaped model (random BF16 weights):

(a) transformers' eager ``LlamaForCausalLM`` (SDPA attention, its dynamic KV
    cache), driven by a manual loop: one forward call with ``past_key_values``
    per generated token, greedy argmax, each step timed with CUDA events. A
    ``generate`` call (``min_new_tokens = max_new_tokens``) cross-checks one point.
(b) the lean step of lab.model: preallocated KV cache, fused QKV and gate/up
    matmuls, SDPA over the cache, run eagerly;
(c) the same step captured once in a CUDA graph and replayed.

"Context" is the number of tokens already in the KV cache; the step writes one
more and attends to context + 1 tokens. The bound is the bytes a step must read
(every weight but the embedding table, plus the KV cache) over the datasheet
bandwidth, and over the measured bandwidth from experiment 1.
The breakdown counts kernels per step (torch.profiler), times bare kernel
launches, and times the same Python step on a 32-layer model of width 64 (all
launches, almost no work) and the attention calls alone.
"""
from __future__ import annotations

import gc
from dataclasses import replace

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, time_fn, timed
from .model import LeanLlama, attention_paths, decode_bytes, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "contexts": [512, 2048, 8192],
             "batches": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], "eager_reps": 10, "graph_reps": 30, "warmup": 3,
             "reserve_bytes": 6 * 2**30,
             "hf": {"contexts": [512, 2048], "batches": [1, 4, 16, 64], "steps": 12, "warmup": 3,
                    "generate_tokens": 64},
             "breakdown": {"context": 2048, "batches": [1, 64], "attention_batches": [1, 8, 32], "launches": 2000},
             "summary_context": 2048},
    "smoke": {"shape": "llama-3.1-8b-shaped", "contexts": [512], "batches": [1, 8], "eager_reps": 2, "graph_reps": 3,
              "warmup": 1, "reserve_bytes": 6 * 2**30,
              "hf": {"contexts": [128], "batches": [1, 2], "steps": 2, "warmup": 1, "generate_tokens": 4},
              "breakdown": {"context": 512, "batches": [1], "attention_batches": [1], "launches": 100},
              "summary_context": 512},
    "tiny": {"shape": "tiny", "contexts": [16, 32], "batches": [1, 2, 4], "eager_reps": 2, "graph_reps": 2,
             "warmup": 1, "reserve_bytes": 0,
             "hf": {"contexts": [8], "batches": [1, 2], "steps": 2, "warmup": 1, "generate_tokens": 3},
             "breakdown": {"context": 16, "batches": [1], "attention_batches": [1], "launches": 50},
             "summary_context": 16},
}


def _dtype(device):
    return torch.bfloat16 if device != "cpu" else torch.float32


def _capture(fn, device):
    """Capture ``fn`` in a CUDA graph (after warm-up on a side stream)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    return g


# --- (a) transformers ---------------------------------------------------------------

def _hf_model(s, device, dtype):
    from transformers import LlamaConfig, LlamaForCausalLM
    conf = LlamaConfig(vocab_size=s.vocab, hidden_size=s.hidden, intermediate_size=s.intermediate,
                       num_hidden_layers=s.layers, num_attention_heads=s.heads, num_key_value_heads=s.kv_heads,
                       head_dim=s.head_dim, max_position_embeddings=32768, rope_theta=s.rope_theta,
                       rms_norm_eps=s.norm_eps, tie_word_embeddings=False)
    old = torch.get_default_dtype()
    torch.manual_seed(0)
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = LlamaForCausalLM(conf)
    finally:
        torch.set_default_dtype(old)
    model = model.to(device=device, dtype=dtype).eval()
    return model


def _hf_forward(model, ids, past):
    try:
        return model(input_ids=ids, past_key_values=past, use_cache=True, logits_to_keep=1)
    except TypeError:
        return model(input_ids=ids, past_key_values=past, use_cache=True)


def _hf(cfg, s, device, dtype):
    h = cfg["hf"]
    model = _hf_model(s, device, dtype)
    out = {"method": "manual loop: model(input_ids=next_token, past_key_values=cache, use_cache=True) per step; "
                     "greedy argmax; CUDA events around each step",
           "attn_implementation": getattr(model.config, "_attn_implementation", None), "points": []}
    with torch.no_grad():
        for ctx in h["contexts"]:
            for b in h["batches"]:
                ids = torch.randint(0, s.vocab, (b, ctx), device=device)
                res = _hf_forward(model, ids, None)
                past = res.past_key_values
                nxt = res.logits[:, -1].argmax(-1, keepdim=True)
                times = []
                for i in range(h["warmup"] + h["steps"]):
                    if device != "cpu":
                        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                        e0.record()
                    else:
                        import time as _t
                        t0 = _t.perf_counter()
                    res = _hf_forward(model, nxt, past)
                    past = res.past_key_values
                    nxt = res.logits[:, -1].argmax(-1, keepdim=True)
                    if device != "cpu":
                        e1.record()
                        torch.cuda.synchronize()
                        dt = e0.elapsed_time(e1) / 1000.0
                    else:
                        dt = _t.perf_counter() - t0
                    if i >= h["warmup"]:
                        times.append(dt)
                st = timed(times)
                out["points"].append({"batch": b, "context": ctx, "step": st,
                                      "tokens_per_s": b / st["median"]})
                del past, res
                log(f"decode/hf ctx={ctx} b={b}: {st['median'] * 1e3:.2f} ms")
        # generate() cross-check at batch 1 and the first context
        try:
            ctx, n = h["contexts"][0], h["generate_tokens"]
            ids = torch.randint(0, s.vocab, (1, ctx), device=device)
            import time as _t
            pre = []
            for _ in range(3):
                from .common import sync
                sync(device)
                t0 = _t.perf_counter()
                _hf_forward(model, ids, None)
                sync(device)
                pre.append(_t.perf_counter() - t0)
            gen = []
            for _ in range(2):
                sync(device)
                t0 = _t.perf_counter()
                o = model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                                   pad_token_id=0, attention_mask=torch.ones_like(ids))
                sync(device)
                gen.append(_t.perf_counter() - t0)
            assert o.shape[1] == ctx + n
            pre_s, gen_s = summarize(pre)["median"], min(gen)
            out["generate"] = {"batch": 1, "context": ctx, "new_tokens": n, "total_s": gen, "prefill_s": pre,
                               "per_token_s": (gen_s - pre_s) / (n - 1),
                               "method": "wall clock around generate(max_new_tokens=min_new_tokens=n, greedy), "
                                         "minus a separately timed prefill, over n-1 decode steps"}
        except Exception as exc:
            out["generate"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    del model
    gc.collect()
    if device != "cpu":
        torch.cuda.empty_cache()
    return out


# --- (b, c) lean step -----------------------------------------------------------------

def _lean(cfg, s, device, dtype, model):
    kvb = s.kv_bytes_per_token(torch.tensor([], dtype=dtype).element_size())
    points = []
    skipped = []
    for ctx in cfg["contexts"]:
        if device != "cpu":
            free = torch.cuda.mem_get_info()[0] - cfg["reserve_bytes"]
        else:
            free = float("inf")
        batches = [b for b in cfg["batches"] if b * (ctx + 1) * kvb <= free]
        skipped += [{"batch": b, "context": ctx, "reason": "KV cache does not fit"}
                    for b in cfg["batches"] if b not in batches]
        if not batches:
            continue
        model.allocate_cache(max(batches), ctx + 1)
        for b in batches:
            tokens = torch.randint(0, s.vocab, (b,), device=device)
            with torch.no_grad():
                eager = time_fn(lambda: model.decode_step(tokens, ctx), device, cfg["warmup"], cfg["eager_reps"])
                p = {"batch": b, "context": ctx, "eager": timed(eager)}
                if device != "cpu":
                    g = _capture(lambda: model.decode_step(tokens, ctx), device)
                    graph = time_fn(g.replay, device, cfg["warmup"], cfg["graph_reps"])
                    p["graph"] = timed(graph)
                    del g
            nbytes = decode_bytes(s, b, ctx + 1, 2)
            p["bytes_min"] = nbytes
            points.append(p)
            log(f"decode/lean ctx={ctx} b={b}: eager {p['eager']['median'] * 1e3:.2f} ms"
                + (f", graph {p['graph']['median'] * 1e3:.2f} ms" if "graph" in p else ""))
        model.cache = None
        if device != "cpu":
            torch.cuda.empty_cache()
    return points, skipped


def _count_kernels(fn, device):
    if device == "cpu":
        return None
    from torch.profiler import ProfilerActivity, profile
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    kinds = {"matmul": [0, 0.0], "attention": [0, 0.0], "other": [0, 0.0]}
    n = 0
    for e in prof.events():
        if getattr(e.device_type, "name", str(e.device_type)).upper().endswith("CUDA") and not e.is_async:
            name = e.name.lower()
            if any(k in name for k in ("gemm", "gemv", "cutlass", "sm90_xmma", "nvjet", "cublas", "splitk")):
                kind = "matmul"
            elif any(k in name for k in ("flash", "attention", "fmha", "sdpa")):
                kind = "attention"
            else:
                kind = "other"
            kinds[kind][0] += 1
            t = getattr(e, "device_time", None)
            if t is None:
                t = getattr(e, "cuda_time", 0.0)
            kinds[kind][1] += t / 1e6
            n += 1
    return {"kernels": n, "by_kind": {k: {"kernels": v[0], "gpu_time_s": v[1]} for k, v in kinds.items()}}


def _breakdown(cfg, s, device, dtype, model):
    bd = cfg["breakdown"]
    ctx = bd["context"]
    out = {"context": ctx, "profiles": [], "attention_only": []}
    with torch.no_grad():
        model.allocate_cache(max(bd["batches"] + bd["attention_batches"]), ctx + 1)
        for b in bd["batches"]:
            tokens = torch.randint(0, s.vocab, (b,), device=device)
            try:
                k = _count_kernels(lambda: model.decode_step(tokens, ctx), device)
            except Exception as exc:
                k = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            out["profiles"].append({"batch": b, **(k or {})})
        for b in bd["attention_batches"]:
            fn = model.attention_only(b, ctx)
            if device != "cpu":
                g = _capture(fn, device)
                ts = time_fn(g.replay, device, 2, cfg["graph_reps"])
                del g
            else:
                ts = time_fn(fn, device, 1, cfg["eager_reps"])
            kv = b * (ctx + 1) * s.kv_bytes_per_token(2)
            out["attention_only"].append({"batch": b, "time": timed(ts), "kv_bytes": kv,
                                          "bytes_per_s": kv / summarize(ts)["median"]})
        model.cache = None
        # bare launches: one tiny in-place kernel at a time
        x = torch.zeros(1, device=device)
        n = bd["launches"]

        def launches():
            for _ in range(n):
                x.add_(1.0)
        eager = time_fn(launches, device, 1, 5)
        out["launch"] = {"kernels_per_sample": n, "eager_per_kernel": timed([t / n for t in eager])}
        if device != "cpu":
            g = _capture(launches, device)
            ts = time_fn(g.replay, device, 1, 5)
            out["launch"]["graph_per_kernel"] = timed([t / n for t in ts])
            del g
        # the same step with almost no work: 32 layers of width 64
        hollow_shape = replace(shape("tiny"), layers=s.layers, name="hollow")
        hollow = LeanLlama(hollow_shape, device, dtype, seed=1)
        hollow.allocate_cache(1, ctx + 1)
        tok = torch.randint(0, hollow_shape.vocab, (1,), device=device)
        eager = time_fn(lambda: hollow.decode_step(tok, ctx), device, 3, cfg["eager_reps"])
        out["hollow_step"] = {"shape": hollow_shape.as_dict(), "eager": timed(eager)}
        if device != "cpu":
            g = _capture(lambda: hollow.decode_step(tok, ctx), device)
            out["hollow_step"]["graph"] = timed(time_fn(g.replay, device, 3, cfg["graph_reps"]))
            del g
        del hollow
    return out


def run(cfg: dict, device: str, command: str, measured: dict | None = None) -> dict:
    """``measured``: the ceilings record (for the measured-bandwidth bound), if any."""
    s = shape(cfg["shape"])
    dtype = _dtype(device)
    spec = gpu_spec()
    prov = provenance(device, command, uses_transformers=True)
    results = {"model": s.as_dict(), "dtype": str(dtype).replace("torch.", "")}
    log("decode: transformers eager")
    try:
        results["hf_eager"] = _hf(cfg, s, device, dtype)
    except Exception as exc:
        results["hf_eager"] = {"error": f"{type(exc).__name__}: {str(exc)[:500]}", "points": []}
        log(f"decode: transformers failed: {results['hf_eager']['error']}")
    log("decode: lean model")
    model = shared_model(s, device, dtype)
    results["weight_bytes"] = model.weight_bytes()
    points, skipped = _lean(cfg, s, device, dtype, model)
    results["lean"] = points
    results["skipped"] = skipped
    log("decode: breakdown")
    results["breakdown"] = _breakdown(cfg, s, device, dtype, model)
    results["attention_paths"] = attention_paths()
    model.cache = None

    meas_bw = None
    if measured:
        meas_bw = measured["summary"].get("hbm_read_Bps") or measured["summary"].get("hbm_copy_Bps")
    results["measured_bandwidth_Bps"] = meas_bw
    for p in points:
        p["bound_spec_s"] = p["bytes_min"] / spec["memory_bandwidth"]
        p["bound_measured_s"] = p["bytes_min"] / meas_bw if meas_bw else None
        best = p.get("graph", p["eager"])["median"]
        p["tokens_per_s"] = {"eager": p["batch"] / p["eager"]["median"]}
        if "graph" in p:
            p["tokens_per_s"]["graph"] = p["batch"] / p["graph"]["median"]
        p["bandwidth_utilization"] = p["bytes_min"] / best / spec["memory_bandwidth"]

    sc = cfg["summary_context"]
    summary = {"context": sc}

    def pick(seq, b, c):
        return next((p for p in seq if p["batch"] == b and p["context"] == c), None)
    b1 = pick(points, 1, sc)
    hf1 = pick(results["hf_eager"].get("points", []), 1, sc) or next(
        (p for p in results["hf_eager"].get("points", []) if p["batch"] == 1), None)
    if b1:
        summary.update({"batch1_lean_eager_s": b1["eager"]["median"],
                        "batch1_lean_graph_s": b1.get("graph", {}).get("median"),
                        "batch1_bound_spec_s": b1["bound_spec_s"], "batch1_bound_measured_s": b1["bound_measured_s"]})
    if hf1:
        summary["batch1_hf_eager_s"] = hf1["step"]["median"]
        summary["batch1_hf_eager_context"] = hf1["context"]
    best = max(points, key=lambda p: p["tokens_per_s"].get("graph", p["tokens_per_s"]["eager"]), default=None)
    if best:
        summary["best_tokens_per_s"] = best["tokens_per_s"].get("graph", best["tokens_per_s"]["eager"])
        summary["best_at"] = {"batch": best["batch"], "context": best["context"]}
    notes = ["Random weights: timing does not depend on the values, but zeros are never used.",
             "Llama 3.1's RoPE frequency scaling is left out; it changes no cost.",
             "The CUDA graph is captured per (batch, context): a serving engine captures per batch size "
             "and passes positions and lengths as tensors, with a paged-attention kernel."]
    return record("decode", cfg, prov, results, summary, spec, notes)
