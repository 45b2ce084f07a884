"""Experiment 5: prefix reuse. Time to first token for a prompt of L tokens
when the first f x L tokens are already in the KV cache: only the suffix is
prefilled, attending to the cached prefix (SDPA with a lower-right causal mask).
f = 0 is the no-cache baseline. The prefix cache is filled by a real, untimed
prefill of the prefix.

Prediction: the baseline time scaled by the suffix's share of the executed
FLOPs (prefill is compute-bound at these lengths).
"""
from __future__ import annotations

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, time_fn, timed
from .model import attention_paths, prefill_flops_executed, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "lengths": [4096, 8192], "fractions": [0, 0.25, 0.5, 0.75, 0.9],
             "warmup": 2, "reps": 6},
    "smoke": {"shape": "llama-3.1-8b-shaped", "lengths": [1024], "fractions": [0, 0.5], "warmup": 1, "reps": 2},
    "tiny": {"shape": "tiny", "lengths": [32], "fractions": [0, 0.5, 0.75], "warmup": 1, "reps": 2},
}


def run(cfg: dict, device: str, command: str) -> dict:
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    points = []
    check = []
    for L in cfg["lengths"]:
        model.allocate_cache(1, L, fill=False)
        tokens = torch.randint(0, s.vocab, (1, L), device=device)
        base = None
        for f in cfg["fractions"]:
            P = int(round(f * L))
            with torch.no_grad():
                if P:
                    model.prefill(tokens[:, :P], 0)  # fill the cache with the real prefix
                suffix = tokens[:, P:]
                ts = time_fn(lambda: model.prefill(suffix, P), device, cfg["warmup"], cfg["reps"])
                if P and len(check) < 2:
                    # the cached path must give the same next token as a full prefill
                    a = model.prefill_logits(suffix, P).float()
                    model.prefill(tokens[:, :P], 0)
                    b = model.prefill_logits(tokens, 0).float()
                    check.append({"tokens": L, "prefix": P,
                                  "relative_error": float((a - b).norm() / b.norm())})
            t = summarize(ts)["median"]
            fl = prefill_flops_executed(s, L - P, prefix=P)
            if P == 0:
                base = (t, fl)
            p = {"tokens": L, "fraction": f, "prefix_tokens": P, "suffix_tokens": L - P, "ttft": timed(ts),
                 "flops_executed": fl}
            if base:
                p["predicted_s"] = base[0] * fl / base[1]
                p["speedup"] = base[0] / t
                p["ideal_speedup_1_minus_f"] = 1.0 / (1.0 - f) if f < 1 else None
            points.append(p)
            log(f"prefix L={L} f={f}: {t * 1e3:.2f} ms")
        model.cache = None
    summary = {"ttft_s": {f"{p['tokens']}@{p['fraction']}": p["ttft"]["median"] for p in points},
               "speedup": {f"{p['tokens']}@{p['fraction']}": p.get("speedup") for p in points}}
    results = {"model": s.as_dict(), "batch": 1, "points": points, "consistency": check,
               "attention_paths": attention_paths()}
    notes = ["The prefix is reused in place (same cache tensor); an engine would also look up and pin blocks, "
             "which costs microseconds."]
    return record("prefix_reuse", cfg, prov, results, summary, spec, notes)
