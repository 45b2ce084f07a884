"""Experiment 8: what a speculative verification pass costs against a plain decode step.

The target model checks gamma drafted tokens with one forward pass over gamma + 1
positions per sequence: it reads the weights once and each sequence's KV cache
once, as a decode step does, but does gamma + 1 times the matmul work. While the
pass is memory-bound it costs about one decode step ("almost free"); once the
matmul work outgrows the bytes it turns compute-bound and costs up to gamma + 1
steps. The KV read grows with batch x context and moves that crossover to larger
batches at long context.

For the lean Llama-3.1-8B-shaped model (random BF16 weights), at each context and
batch that fits: the plain decode step (lab.model.LeanLlama.decode_step) and the
verification pass over gamma + 1 positions (``verify_logits`` below: every
position's logits, K/V written at context .. context + gamma), both captured in a
CUDA graph. The ratio verify / plain is set beside the handbook's roofline
(handbook.formulas.spec_verify_step_time over its draft_tokens=0 value).

Verification attention folds the query heads that share a KV head and the gamma + 1
positions into one query block per KV head, with a mask that keeps each position
causal among the drafts, so the cache is read once per KV head as in decode.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .common import gpu_spec, log, provenance, record, shape, time_fn, timed
from .model import rmsnorm, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "contexts": [1024, 4096, 16384, 32768],
             "batches": [1, 4, 16, 64, 256], "gammas": [1, 3, 7], "warmup": 3, "reps": 12,
             "reserve_bytes": 8 * 2**30, "free_threshold": 1.10},
    "smoke": {"shape": "llama-3.1-8b-shaped", "contexts": [1024], "batches": [1, 16], "gammas": [3], "warmup": 1,
              "reps": 2, "reserve_bytes": 8 * 2**30, "free_threshold": 1.10},
    "tiny": {"shape": "tiny", "contexts": [16, 64], "batches": [1, 4], "gammas": [1, 3], "warmup": 1, "reps": 2,
             "reserve_bytes": 0, "free_threshold": 1.10},
}

_MASKS: dict = {}


def draft_mask(group: int, positions: int, start: int, device) -> torch.Tensor:
    """Boolean mask (group x positions, start + positions) for the folded query block:
    row j * positions + p (query head j of the KV group, draft position p) may see
    cached keys 0 .. start + p."""
    key = (group, positions, start, str(device))
    if key not in _MASKS:
        end = start + positions
        p = torch.arange(positions, device=device).repeat(group)            # (group * positions,)
        t = torch.arange(end, device=device)
        _MASKS.clear()
        _MASKS[key] = (t[None, :] <= (start + p)[:, None])[None, None]      # (1, 1, gL, end)
    return _MASKS[key]


def verify_logits(m, tokens: torch.Tensor, start: int, force_mask: bool = False) -> torch.Tensor:
    """One target pass over ``tokens`` (B, L) at positions start .. start + L - 1 of
    every sequence, after ``start`` cached tokens: writes their K/V and returns the
    logits of all L positions, (B, L, vocab), as verification needs them. With L = 1
    no mask is needed; ``force_mask`` passes an all-true one anyway, so that a
    one-position pass runs the same attention kernel as the multi-position ones."""
    s, D = m.s, m.s.head_dim
    B, L = tokens.shape
    g = m.hq // m.hkv
    nq, nk = m.hq * D, m.hkv * D
    end = start + L
    x = m.embed[tokens]                                                     # (B, L, H)
    cos, sin = m.cos[start:end, None], m.sin[start:end, None]               # (L, 1, D)
    mask = draft_mask(g, L, start, m.device) if (L > 1 or force_mask) else None
    for i, lay in enumerate(m.layers):
        h = rmsnorm(x, lay["ln1"], s.norm_eps)
        qkv = h @ lay["wqkv"]
        q = m._rope(qkv[..., :nq].view(B, L, m.hq, D), cos, sin)
        k = m._rope(qkv[..., nq:nq + nk].view(B, L, m.hkv, D), cos, sin)
        v = qkv[..., nq + nk:].view(B, L, m.hkv, D)
        kc, vc = m.cache[i, 0, :B], m.cache[i, 1, :B]
        kc[:, :, start:end] = k.transpose(1, 2)
        vc[:, :, start:end] = v.transpose(1, 2)
        qg = q.view(B, L, m.hkv, g, D).permute(0, 2, 3, 1, 4).reshape(B, m.hkv, g * L, D)
        o = F.scaled_dot_product_attention(qg, kc[:, :, :end], vc[:, :, :end], attn_mask=mask)
        o = o.view(B, m.hkv, g, L, D).permute(0, 3, 1, 2, 4).reshape(B, L, nq)
        x = x + m._all_reduce(o @ lay["wo"])
        h = rmsnorm(x, lay["ln2"], s.norm_eps)
        gu = h @ lay["wgu"]
        a = F.silu(gu[..., :m.inter]) * gu[..., m.inter:]
        x = x + m._all_reduce(a @ lay["wd"])
    x = rmsnorm(x, m.lnf, s.norm_eps)
    return m._gather_logits(x @ m.lm_head)


def _timer(fn, device, cfg):
    """Seconds per call: a CUDA graph replay on the GPU, the eager call on the CPU."""
    if device != "cpu":
        from .decode import _capture
        g = _capture(fn, device)
        ts = time_fn(g.replay, device, cfg["warmup"], cfg["reps"])
        del g
        return ts
    return time_fn(fn, device, cfg["warmup"], cfg["reps"])


def formula_ratio(batch: int, context: int, gamma: int) -> dict | None:
    """The handbook's roofline for the same pass (Llama 3.1 8B on the H100 SXM from data/):
    verify time, plain step time and their ratio; None when the data layer is absent."""
    try:
        from handbook import formulas as f
    except Exception:
        return None
    plain = f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", batch, context, 0)
    verify = f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", batch, context, gamma)
    return {"plain_s": plain, "verify_s": verify, "ratio": verify / plain}


def _backends(m, device) -> dict:
    """Which SDPA backends accept the masked, folded verification attention (the
    dispatcher picks among those that do)."""
    if device == "cpu":
        return {}
    from torch.nn.attention import SDPBackend, sdpa_kernel
    g, L, start = m.hq // m.hkv, 4, 64
    q = torch.randn(1, m.hkv, g * L, m.s.head_dim, device=device, dtype=m.dtype)
    k = torch.randn(1, m.hkv, start + L, m.s.head_dim, device=device, dtype=m.dtype)
    out = {}
    for name in ("FLASH_ATTENTION", "EFFICIENT_ATTENTION", "CUDNN_ATTENTION", "MATH"):
        try:
            with sdpa_kernel([getattr(SDPBackend, name)]):
                F.scaled_dot_product_attention(q, k, k, attn_mask=draft_mask(g, L, start, device))
            out[name.lower()] = True
        except Exception:
            out[name.lower()] = False
    return out


def run(cfg: dict, device: str, command: str) -> dict:
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    kvb = s.kv_bytes_per_token(torch.tensor([], dtype=dtype).element_size())
    gmax = max(cfg["gammas"])
    points, skipped = [], []
    for ctx in cfg["contexts"]:
        free = (torch.cuda.mem_get_info()[0] - cfg["reserve_bytes"]) if device != "cpu" else float("inf")
        batches = [b for b in cfg["batches"] if b * (ctx + gmax + 1) * kvb <= free]
        skipped += [{"batch": b, "context": ctx, "reason": "KV cache does not fit next to the weights"}
                    for b in cfg["batches"] if b not in batches]
        if not batches:
            continue
        model.allocate_cache(max(batches), ctx + gmax + 1)
        for b in batches:
            tok = torch.randint(0, s.vocab, (b,), device=device)
            with torch.no_grad():
                plain = timed(_timer(lambda: model.decode_step(tok, ctx), device, cfg))
                one = tok[:, None]
                same = timed(_timer(lambda: verify_logits(model, one, ctx, force_mask=True).argmax(-1), device, cfg))
                att = timed(_timer(model.attention_only(b, ctx), device, cfg))
                row = {"batch": b, "context": ctx, "plain": plain, "one_position_masked": same,
                       "plain_attention_only": att, "kv_bytes": b * (ctx + 1) * kvb, "verify": []}
                for gamma in cfg["gammas"]:
                    drafts = torch.randint(0, s.vocab, (b, gamma + 1), device=device)
                    t = timed(_timer(lambda: verify_logits(model, drafts, ctx).argmax(-1), device, cfg))
                    v = {"gamma": gamma, "positions": gamma + 1, "time": t, "ratio": t["median"] / plain["median"],
                         "ratio_same_kernel": t["median"] / same["median"]}
                    fr = formula_ratio(b, ctx, gamma)
                    if fr:
                        v["formula"] = fr
                    row["verify"].append(v)
            points.append(row)
            log(f"spec_verify ctx={ctx} b={b}: plain {plain['median'] * 1e3:.2f} ms, one position masked "
                f"{same['median'] * 1e3:.2f} ms; "
                + ", ".join(f"gamma {v['gamma']} x{v['ratio']:.2f} (x{v['ratio_same_kernel']:.2f})"
                            for v in row["verify"]))
        model.cache = None
        if device != "cpu":
            torch.cuda.empty_cache()
    # where verification stops being almost free: the first batch, per context and gamma,
    # whose pass costs more than free_threshold one-position passes of the same kernel
    thr = cfg["free_threshold"]
    crossover = []
    for ctx in cfg["contexts"]:
        rows = [p for p in points if p["context"] == ctx]
        for gamma in cfg["gammas"]:
            over = [p["batch"] for p in rows for v in p["verify"]
                    if v["gamma"] == gamma and v["ratio_same_kernel"] > thr]
            crossover.append({"context": ctx, "gamma": gamma,
                              "first_batch_over": min(over) if over else None,
                              "largest_batch_measured": max((p["batch"] for p in rows), default=None)})
    summary = {"free_threshold": thr, "crossover": crossover}
    results = {"model": s.as_dict(), "dtype": str(dtype).replace("torch.", ""), "points": points,
               "masked_attention_backends": _backends(model, device),
               "skipped": skipped,
               "timing": "CUDA graph replay of each pass" if device != "cpu" else "eager (CPU)"}
    notes = ["plain is the lean decode step (one position, unmasked attention); one_position_masked is the "
             "verification code over one position with an all-true mask, so ratio_same_kernel isolates the cost "
             "of the extra positions from the change of attention kernel.",
             "verify computes the logits of all gamma + 1 "
             "positions and their greedy tokens, as a verifier needs.",
             "The draft model's own cost is not part of this measurement.",
             "Verification attention uses SDPA with an explicit boolean mask (causal among the drafts), "
             "which selects a different kernel from the unmasked decode step."]
    return record("spec_verify", cfg, prov, results, summary, spec, notes)
