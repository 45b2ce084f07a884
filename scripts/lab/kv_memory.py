"""Experiment 4: KV cache memory.

Allocates the lean model's cache for several (batch, context) pairs and
compares the change in ``torch.cuda.memory_allocated`` with the formula
bytes = 2 x layers x kv_heads x head_dim x 2 bytes x tokens. Then, with the
weights resident, finds the largest batch whose cache fits at each context by
allocating it (keeping ``reserve_bytes`` free for activations) and proves it by
running one decode step at that batch.
"""
from __future__ import annotations

import gc

import torch

from .common import gpu_spec, log, provenance, record, shape

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "pairs": [[1, 8192], [8, 8192], [32, 8192], [1, 32768], [4, 32768]],
             "max_batch_contexts": [8192, 32768], "reserve_bytes": 2 * 2**30, "memory_utilization": 0.9},
    "smoke": {"shape": "llama-3.1-8b-shaped", "pairs": [[1, 8192]], "max_batch_contexts": [32768],
              "reserve_bytes": 2 * 2**30, "memory_utilization": 0.9},
    "tiny": {"shape": "tiny", "pairs": [[1, 64], [4, 128]], "max_batch_contexts": [64],
             "reserve_bytes": 0, "memory_utilization": 0.9, "cpu_budget_bytes": 2**20},
}


def _allocated(device):
    if device == "cpu":
        return 0
    torch.cuda.synchronize()
    return torch.cuda.memory_allocated()


def run(cfg: dict, device: str, command: str) -> dict:
    from .model import shared_model
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    esize = torch.tensor([], dtype=dtype).element_size()
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    model.cache = None
    gc.collect()
    if device != "cpu":
        torch.cuda.empty_cache()
    pairs = []
    for b, ctx in cfg["pairs"]:
        m0 = _allocated(device)
        cache = model.allocate_cache(b, ctx, fill=False)
        m1 = _allocated(device)
        formula = 2 * s.layers * s.kv_heads * s.head_dim * esize * b * ctx
        measured = (m1 - m0) if device != "cpu" else cache.numel() * cache.element_size()
        pairs.append({"batch": b, "context": ctx, "tokens": b * ctx, "formula_bytes": formula,
                      "measured_bytes": measured, "ratio": measured / formula})
        model.cache = None
        del cache
        log(f"kv_memory b={b} ctx={ctx}: {measured / 2**30:.3f} GiB (formula {formula / 2**30:.3f} GiB)")
    if device != "cpu":
        torch.cuda.empty_cache()
        free, total = torch.cuda.mem_get_info()
    else:
        total = free = cfg["cpu_budget_bytes"]
    weight_bytes = model.weight_bytes()
    per_token = s.kv_bytes_per_token(esize)
    maxes = []
    for ctx in cfg["max_batch_contexts"]:
        predicted = int((free - cfg["reserve_bytes"]) // (per_token * (ctx + 1)))
        # datasheet prediction: 90% of the nominal memory, minus weights (as engines budget it)
        datasheet = int((spec["memory_bytes"] * cfg["memory_utilization"] - weight_bytes) // (per_token * ctx))
        tried = []

        def fits(b):
            try:
                model.allocate_cache(b, ctx + 1, fill=False)
                if device != "cpu":
                    keep = torch.empty(cfg["reserve_bytes"], dtype=torch.uint8, device=device)
                    del keep
                tok = torch.randint(0, s.vocab, (b,), device=device)
                with torch.no_grad():
                    model.decode_step(tok, ctx)
                if device != "cpu":
                    torch.cuda.synchronize()
                ok = True
            except torch.OutOfMemoryError:
                ok = False
            model.cache = None
            if device != "cpu":
                torch.cuda.empty_cache()
            tried.append({"batch": b, "ok": ok})
            return ok

        b = max(predicted, 1)
        if fits(b):
            while b < predicted + 8 and fits(b + 1):
                b += 1
            found = b
        else:
            while b > 1 and not fits(b - 1):
                b -= 1
            found = b - 1
        model.cache = None
        if device != "cpu":
            torch.cuda.empty_cache()
        maxes.append({"context": ctx, "free_bytes_after_weights": free, "reserve_bytes": cfg["reserve_bytes"],
                      "predicted_from_free": predicted, "predicted_from_datasheet": datasheet,
                      "largest_batch_that_ran": found, "attempts": tried})
        log(f"kv_memory ctx={ctx}: largest batch {found} (predicted {predicted}, datasheet {datasheet})")
    summary = {"kv_bytes_per_token": per_token, "weight_bytes": weight_bytes, "gpu_total_bytes": total,
               "free_after_weights_bytes": free,
               "max_ratio_error": max(abs(p["ratio"] - 1) for p in pairs),
               "largest_batch": {str(m["context"]): m["largest_batch_that_ran"] for m in maxes}}
    notes = ["memory_allocated counts what tensors hold; the caching allocator reserves in 2 MiB pages, so "
             "memory_reserved can be a little more.",
             "The largest batch must also hold one decode step's activations and logits; "
             "reserve_bytes stays free for them."]
    results = {"model": s.as_dict(), "dtype": str(dtype).replace("torch.", ""), "pairs": pairs, "max_batch": maxes}
    return record("kv_memory", cfg, prov, results, summary, spec, notes)
