"""Experiment 9: FP8 against BF16, for single matmuls and for a whole decode step.

(a) GEMMs at the lean model's layer shapes (QKV, attention output, gate/up,
    down) for M = tokens in the batch from decode sizes (1 to 256) to prefill
    sizes (up to 8192): BF16 ``x @ W`` against FP8 E4M3 ``torch._scaled_mm`` with
    one scale per tensor, both operands already in FP8 (the quantization of the
    activations is left out here). Prediction: the roofline time of each,
    max(2MNK / dense peak, bytes moved / bandwidth), with A and B read once and C
    written once in BF16.
(b) The decode step of the lean Llama-3.1-8B-shaped model with every layer's
    weights in FP8 (one scale per matrix; embedding table and LM head stay BF16,
    as FP8 checkpoints commonly keep them) against the same step in BF16. Two FP8
    variants: activations quantized with a scale computed at every call
    (``dynamic``: an absolute-maximum reduction, a division and a cast before each
    matmul) and with a fixed scale (``static``, calibrated once). The step is the
    unchanged LeanLlama.decode_step: the FP8 weight object implements ``x @ w``.
    Each step is captured in a CUDA graph. Prediction: the ratio of the two
    bandwidth bounds, (BF16 bytes) / (FP8 bytes), which is what the roofline
    promises while the step is memory-bound.
"""
from __future__ import annotations

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, time_fn, timed
from .model import shared_model

E4M3_MAX = 448.0
PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "gemm_m": [1, 16, 64, 256, 1024, 4096, 8192], "warmup": 3,
             "reps": 10, "inner_small": 20, "decode_context": 1024, "decode_batches": [1, 4, 16, 64, 256],
             "decode_reps": 20, "reserve_bytes": 6 * 2**30},
    "smoke": {"shape": "llama-3.1-8b-shaped", "gemm_m": [1, 1024], "warmup": 1, "reps": 2, "inner_small": 2,
              "decode_context": 512, "decode_batches": [1, 16], "decode_reps": 3, "reserve_bytes": 6 * 2**30},
    "tiny": {"shape": "tiny", "gemm_m": [1, 16, 64], "warmup": 1, "reps": 2, "inner_small": 1,
             "decode_context": 16, "decode_batches": [1, 4], "decode_reps": 2, "reserve_bytes": 0},
}
FP8 = getattr(torch, "float8_e4m3fn", None)


def layer_shapes(s) -> list[dict]:
    """(K, N) of the four matmuls of one layer, weights stored (in, out)."""
    D = s.head_dim
    return [{"name": "qkv", "k": s.hidden, "n": (s.heads + 2 * s.kv_heads) * D},
            {"name": "attn_out", "k": s.heads * D, "n": s.hidden},
            {"name": "gate_up", "k": s.hidden, "n": 2 * s.intermediate},
            {"name": "down", "k": s.intermediate, "n": s.hidden}]


def _scale(t: torch.Tensor) -> torch.Tensor:
    return (t.abs().amax().float() / E4M3_MAX).clamp(min=1e-12)


def quantize(t: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (t / scale).clamp(-E4M3_MAX, E4M3_MAX).to(FP8)


class FP8Weight:
    """A weight matrix (K, N) held in FP8 E4M3 with one scale, column-major as
    torch._scaled_mm wants its second operand. ``x @ w`` (through __rmatmul__)
    quantizes x to FP8 with one scale, multiplies on the FP8 tensor cores and
    returns x's dtype. ``act_scale=None`` computes x's scale at every call."""

    def __init__(self, w: torch.Tensor, act_scale: torch.Tensor | None = None):
        self.scale = _scale(w)
        self.w = quantize(w, self.scale).t().contiguous().t()
        self.act_scale = act_scale
        self.shape = tuple(w.shape)

    def nbytes(self) -> int:
        return self.w.numel() * self.w.element_size()

    def __rmatmul__(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        x2 = x.reshape(-1, x.shape[-1])
        xs = self.act_scale if self.act_scale is not None else _scale(x2)
        out = torch._scaled_mm(quantize(x2, xs), self.w, scale_a=xs, scale_b=self.scale, out_dtype=x.dtype)
        return out.reshape(*lead, out.shape[-1])


def fp8_available(device: str) -> tuple[bool, str]:
    if FP8 is None or not hasattr(torch, "_scaled_mm"):
        return False, "this PyTorch has no float8_e4m3fn or _scaled_mm"
    try:
        a = torch.ones(16, 32, device=device).to(FP8)
        b = torch.ones(32, 16, device=device).to(FP8).t().contiguous().t()
        one = torch.ones((), device=device)
        torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
        return True, ""
    except Exception as exc:
        return False, f"{type(exc).__name__}: {str(exc)[:200]}"


def _roofline(m, n, k, peak, bw, a_bytes):
    flops = 2 * m * n * k
    moved = (m * k + k * n) * a_bytes + m * n * 2
    return max(flops / peak, moved / bw), flops, moved


def _gemms(cfg, s, device, spec):
    rows = []
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    one = torch.ones((), device=device)
    for ls in layer_shapes(s):
        k, n = ls["k"], ls["n"]
        w = torch.randn(k, n, device=device, dtype=dtype) * 0.02
        w8 = quantize(w, _scale(w)).t().contiguous().t()
        for m in cfg["gemm_m"]:
            x = torch.randn(m, k, device=device, dtype=dtype)
            x8 = quantize(x, _scale(x))
            inner = cfg["inner_small"] if m <= 256 else 1
            tb = time_fn(lambda: x @ w, device, cfg["warmup"], cfg["reps"], inner)
            t8 = time_fn(lambda: torch._scaled_mm(x8, w8, scale_a=one, scale_b=one, out_dtype=dtype), device,
                         cfg["warmup"], cfg["reps"], inner)
            pb, flops, bytes_b = _roofline(m, n, k, spec["bf16_dense"], spec["memory_bandwidth"], 2)
            p8, _, bytes_8 = _roofline(m, n, k, spec["fp8_dense"], spec["memory_bandwidth"], 1)
            row = {"layer": ls["name"], "m": m, "k": k, "n": n, "flops": flops,
                   "bf16": timed(tb), "fp8": timed(t8),
                   "bf16_flops_per_s": summarize([flops / t for t in tb]),
                   "fp8_flops_per_s": summarize([flops / t for t in t8]),
                   "bytes_bf16": bytes_b, "bytes_fp8": bytes_8,
                   "roofline_bf16_s": pb, "roofline_fp8_s": p8, "predicted_speedup": pb / p8}
            row["speedup"] = row["bf16"]["median"] / row["fp8"]["median"]
            rows.append(row)
            log(f"fp8 gemm {ls['name']} m={m}: bf16 {row['bf16']['median'] * 1e6:.1f} us, fp8 "
                f"{row['fp8']['median'] * 1e6:.1f} us, x{row['speedup']:.2f} "
                f"(roofline x{row['predicted_speedup']:.2f})")
            del x, x8
        del w, w8
    return rows


def _decode(cfg, s, device, spec, model):
    from .spec_verify import _timer
    kvb = s.kv_bytes_per_token(2)
    ctx = cfg["decode_context"]
    original = [dict(layer) for layer in model.layers]
    names = ("wqkv", "wo", "wgu", "wd")
    # calibrate one static activation scale per matrix from a forward pass in BF16 (a batch of 4 prompts' worth
    # of decode tokens is enough for random weights; real deployments calibrate on data)
    fp8_layers = {"dynamic": [], "static": []}
    for layer in model.layers:
        fp8_layers["dynamic"].append({k: FP8Weight(layer[k]) for k in names})
    fp8_bytes_layers = sum(w.nbytes() for layer in fp8_layers["dynamic"] for w in layer.values())
    bf16_bytes_layers = sum(layer[k].numel() * 2 for layer in model.layers for k in names)
    other = s.params_read_per_step() * 2 - bf16_bytes_layers   # LM head, norms: BF16 in both

    # static scales: one per matrix, from an activation amax seen while running the BF16 step once
    seen: dict = {}

    class Probe:
        def __init__(self, key, w):
            self.key, self.w = key, w

        def __rmatmul__(self, x):
            seen[self.key] = max(seen.get(self.key, 0.0), float(x.abs().amax()))
            return x @ self.w
    for i, layer in enumerate(model.layers):
        for k in names:
            layer[k] = Probe((i, k), original[i][k])
    model.allocate_cache(1, ctx + 1)
    with torch.no_grad():
        model.decode_step(torch.randint(0, s.vocab, (1,), device=device), ctx)
    for i, layer in enumerate(model.layers):
        for k in names:
            layer[k] = original[i][k]
    for i, layer in enumerate(fp8_layers["dynamic"]):
        static = {}
        for k in names:
            w = layer[k]
            sw = FP8Weight.__new__(FP8Weight)
            sw.scale, sw.w, sw.shape = w.scale, w.w, w.shape
            sw.act_scale = torch.tensor(max(seen[(i, k)], 1e-6) * 2 / E4M3_MAX, device=device)  # 2x headroom
            static[k] = sw
        fp8_layers["static"].append(static)

    free = (torch.cuda.mem_get_info()[0] - cfg["reserve_bytes"]) if device != "cpu" else float("inf")
    batches = [b for b in cfg["decode_batches"] if b * (ctx + 1) * kvb <= free]
    model.allocate_cache(max(batches), ctx + 1)
    points = []
    for b in batches:
        tok = torch.randint(0, s.vocab, (b,), device=device)
        row = {"batch": b, "context": ctx}
        with torch.no_grad():
            for variant in ("bf16", "dynamic", "static"):
                for i, layer in enumerate(model.layers):
                    layer.update(original[i] if variant == "bf16" else fp8_layers[variant][i])
                row[variant] = timed(_timer(lambda: model.decode_step(tok, ctx), device,
                                            {"warmup": cfg["warmup"], "reps": cfg["decode_reps"]}))
            for i, layer in enumerate(model.layers):
                layer.update(original[i])
        kv = b * (ctx + 1) * kvb
        row["bytes_bf16"] = bf16_bytes_layers + other + kv
        row["bytes_fp8"] = fp8_bytes_layers + other + kv
        row["bound_bf16_s"] = row["bytes_bf16"] / spec["memory_bandwidth"]
        row["bound_fp8_s"] = row["bytes_fp8"] / spec["memory_bandwidth"]
        row["predicted_speedup"] = row["bytes_bf16"] / row["bytes_fp8"]
        row["speedup_dynamic"] = row["bf16"]["median"] / row["dynamic"]["median"]
        row["speedup_static"] = row["bf16"]["median"] / row["static"]["median"]
        points.append(row)
        log(f"fp8 decode b={b} ctx={ctx}: bf16 {row['bf16']['median'] * 1e3:.2f} ms, fp8 dynamic "
            f"{row['dynamic']['median'] * 1e3:.2f} ms (x{row['speedup_dynamic']:.2f}), static "
            f"{row['static']['median'] * 1e3:.2f} ms (x{row['speedup_static']:.2f}); "
            f"roofline x{row['predicted_speedup']:.2f}")
    model.cache = None
    # numerical check: FP8 logits against BF16 logits at batch 1 (greedy agreement, relative error)
    check = None
    try:
        model.allocate_cache(4, ctx + 1)
        tok = torch.randint(0, s.vocab, (4,), device=device)
        with torch.no_grad():
            ref = model.decode_logits(tok, ctx).float()
            for i, layer in enumerate(model.layers):
                layer.update(fp8_layers["dynamic"][i])
            q = model.decode_logits(tok, ctx).float()
        check = {"relative_error": float((q - ref).norm() / ref.norm()),
                 "same_argmax_share": float((q.argmax(-1) == ref.argmax(-1)).float().mean())}
    finally:
        for i, layer in enumerate(model.layers):
            layer.update(original[i])
        model.cache = None
    return {"points": points, "weight_bytes_bf16_layers": bf16_bytes_layers,
            "weight_bytes_fp8_layers": fp8_bytes_layers, "weight_bytes_other_bf16": other, "check": check}


def run(cfg: dict, device: str, command: str) -> dict:
    s = shape(cfg["shape"])
    spec = gpu_spec()
    prov = provenance(device, command)
    ok, why = fp8_available(device)
    results = {"model": s.as_dict(), "fp8_available": ok, "fp8_format": "float8_e4m3fn, one scale per tensor"}
    if not ok:
        results["reason"] = why
        return record("fp8", cfg, prov, results, {"available": False}, spec, [why])
    log("fp8: GEMMs")
    results["gemm"] = _gemms(cfg, s, device, spec)
    log("fp8: decode step")
    model = shared_model(s, device, torch.bfloat16 if device != "cpu" else torch.float32)
    results["decode"] = _decode(cfg, s, device, spec, model)
    g = results["gemm"]
    d = results["decode"]["points"]
    summary = {"available": True,
               "gemm_speedup": {f"{r['layer']}@{r['m']}": r["speedup"] for r in g},
               "gemm_predicted_speedup": {f"{r['layer']}@{r['m']}": r["predicted_speedup"] for r in g},
               "decode_speedup_dynamic": {str(p["batch"]): p["speedup_dynamic"] for p in d},
               "decode_speedup_static": {str(p["batch"]): p["speedup_static"] for p in d},
               "decode_predicted_speedup": {str(p["batch"]): p["predicted_speedup"] for p in d}}
    notes = ["Weights quantized per tensor from random BF16 matrices; the GEMM timings do not depend on values.",
             "The FP8 GEMM rows time torch._scaled_mm with both operands already FP8; the decode rows include "
             "quantizing the activations before each matmul.",
             "Embedding table and LM head stay BF16 in the FP8 step; attention and the KV cache stay BF16."]
    return record("fp8", cfg, prov, results, summary, spec, notes)
