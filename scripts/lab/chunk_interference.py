"""Experiment 10: how much a prefill chunk that joins a decode step delays it.

With chunked prefill a scheduler puts the decode tokens of the running batch and
a chunk of one new prompt into the same forward pass: every matmul runs over
batch + chunk rows, the decode rows attend to their caches, the chunk attends
causally to itself (and to the earlier chunks of its prompt). The running
sequences wait for the whole step, so their inter-token latency (ITL) for that
step is the mixed step's time.

For the lean Llama-3.1-8B-shaped model (random BF16 weights), a running batch of
B sequences at a fixed context, and chunks of 256 to 8192 tokens:

- decode only: the mixed step with no chunk (this is the ITL without interference);
- mixed: decode rows plus a chunk of C tokens, the first chunk of its prompt
  (``chunk_start`` 0) and a later one that follows ``later_prefix`` cached tokens
  of the same prompt;
- chunk only: the same chunk with no decode rows.

All captured in CUDA graphs. The ITL spike is mixed - decode only; the extra is
mixed - (decode only + chunk only), negative when the shared weight read saves
time. The prediction is the roofline of the mixed step: the larger of
(weights + decode KV + chunk prefix KV) / bandwidth and the step's FLOPs / dense
BF16 peak.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .common import gpu_spec, log, provenance, record, shape
from .common import timed as _timed
from .model import causal_attention, rmsnorm, shared_model

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "context": 2048, "batches": [1, 16, 64],
             "chunks": [256, 512, 1024, 2048, 4096, 8192], "later_prefix": 4096, "later_batches": [16],
             "warmup": 2, "reps": 10},
    "smoke": {"shape": "llama-3.1-8b-shaped", "context": 512, "batches": [8], "chunks": [256, 2048],
              "later_prefix": 1024, "later_batches": [8], "warmup": 1, "reps": 2},
    "tiny": {"shape": "tiny", "context": 16, "batches": [1, 4], "chunks": [8, 32], "later_prefix": 16,
             "later_batches": [4], "warmup": 1, "reps": 2},
}


def mixed_logits(m, dec_tokens, pos: int, chunk, chunk_cache, chunk_start: int = 0):
    """One forward pass over B decode tokens (``dec_tokens`` (B,), each sequence with
    ``pos`` cached tokens in m.cache) and C prompt tokens of one new sequence
    (``chunk`` (C,), positions chunk_start .. chunk_start + C - 1, its K/V in
    ``chunk_cache`` of shape (layers, 2, 1, KV heads, tokens, head_dim)). Returns the
    logits of the B decode rows and of the chunk's last token, (B + 1, vocab), or
    (B, vocab) without a chunk. B or C may be 0."""
    s, D = m.s, m.s.head_dim
    B, C = int(dec_tokens.shape[0]), int(chunk.shape[0])
    nq, nk = m.hq * D, m.hkv * D
    g = m.hq // m.hkv
    end = chunk_start + C
    x = m.embed[torch.cat([dec_tokens, chunk])]                             # (B + C, H)
    cd, sd = m.cos[pos], m.sin[pos]
    cc, sc = m.cos[chunk_start:end, None], m.sin[chunk_start:end, None]
    for i, lay in enumerate(m.layers):
        h = rmsnorm(x, lay["ln1"], s.norm_eps)
        qkv = h @ lay["wqkv"]                                               # one matmul over all rows
        outs = []
        if B:
            q = m._rope(qkv[:B, :nq].view(B, m.hq, D), cd, sd)
            k = m._rope(qkv[:B, nq:nq + nk].view(B, m.hkv, D), cd, sd)
            kc, vc = m.cache[i, 0, :B], m.cache[i, 1, :B]
            kc[:, :, pos] = k
            vc[:, :, pos] = qkv[:B, nq + nk:].view(B, m.hkv, D)
            o = F.scaled_dot_product_attention(q.view(B, m.hkv, g, D), kc[:, :, :pos + 1], vc[:, :, :pos + 1])
            outs.append(o.reshape(B, nq))
        if C:
            q = m._rope(qkv[B:, :nq].view(C, m.hq, D), cc, sc).transpose(0, 1)[None]      # (1, Hq, C, D)
            k = m._rope(qkv[B:, nq:nq + nk].view(C, m.hkv, D), cc, sc).transpose(0, 1)
            kc, vc = chunk_cache[i, 0, 0], chunk_cache[i, 1, 0]                             # (Hkv, T, D)
            kc[:, chunk_start:end] = k
            vc[:, chunk_start:end] = qkv[B:, nq + nk:].view(C, m.hkv, D).transpose(0, 1)
            o = causal_attention(q, kc[None, :, :end], vc[None, :, :end], prefix=chunk_start)
            outs.append(o[0].transpose(0, 1).reshape(C, nq))
        o = torch.cat(outs) if len(outs) > 1 else outs[0]
        x = x + m._all_reduce(o @ lay["wo"])
        h = rmsnorm(x, lay["ln2"], s.norm_eps)
        gu = h @ lay["wgu"]
        a = F.silu(gu[:, :m.inter]) * gu[:, m.inter:]
        x = x + m._all_reduce(a @ lay["wd"])
    rows = x[:B] if not C else torch.cat([x[:B], x[B + C - 1:]])
    return m._gather_logits(rmsnorm(rows, m.lnf, s.norm_eps) @ m.lm_head)


def step_flops(s, batch: int, context: int, chunk: int, chunk_start: int) -> float:
    """FLOPs of the mixed step as the lean model executes it: layer matmuls for
    every row, the LM head for B + 1 rows, attention of each decode row over
    context + 1 keys and of each chunk token over its prefix and the chunk tokens
    up to itself."""
    rows = batch + chunk
    matmul = 2 * s.layers * s.layer_matmul_params() * rows + 2 * s.hidden * s.vocab * (batch + (1 if chunk else 0))
    attended = batch * (context + 1) + chunk_start * chunk + chunk * (chunk + 1) / 2
    return matmul + 4 * s.layers * s.attention_width() * attended


def step_bytes(s, batch: int, context: int, chunk: int, chunk_start: int) -> float:
    """Bytes the mixed step reads at least: weights but the embedding, the decode KV
    caches, the chunk's own cached prefix."""
    return s.params_read_per_step() * 2 + (batch * (context + 1) + chunk_start) * s.kv_bytes_per_token(2)


def run(cfg: dict, device: str, command: str) -> dict:
    from .spec_verify import _timer
    s = shape(cfg["shape"])
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    spec = gpu_spec()
    prov = provenance(device, command)
    model = shared_model(s, device, dtype)
    ctx, later = cfg["context"], cfg["later_prefix"]
    cmax = max(cfg["chunks"])
    model.allocate_cache(max(cfg["batches"] + cfg["later_batches"]), ctx + 1)
    chunk_cache = torch.empty((s.layers, 2, 1, s.kv_heads, later + cmax, s.head_dim), device=device, dtype=dtype)
    chunk_cache.normal_(0.0, 1.0)
    empty = torch.zeros(0, dtype=torch.long, device=device)

    def measure(b, c, start):
        dec = torch.randint(0, s.vocab, (b,), device=device) if b else empty
        ch = torch.randint(0, s.vocab, (c,), device=device) if c else empty
        with torch.no_grad():
            t = _timed(_timer(lambda: mixed_logits(model, dec, ctx, ch, chunk_cache, start).argmax(-1), device,
                              cfg))
        bound = max(step_bytes(s, b, ctx, c, start) / spec["memory_bandwidth"],
                    step_flops(s, b, ctx, c, start) / spec["bf16_dense"])
        return {"time": t, "bound_spec_s": bound, "flops": step_flops(s, b, ctx, c, start),
                "bytes_min": step_bytes(s, b, ctx, c, start)}

    chunk_only = {}
    for c in cfg["chunks"]:
        chunk_only[c] = measure(0, c, 0)
        log(f"chunk only C={c}: {chunk_only[c]['time']['median'] * 1e3:.2f} ms")
    chunk_only_later = {}
    points = []
    for start, batches in ((0, cfg["batches"]), (later, cfg["later_batches"])):
        for b in batches:
            base = measure(b, 0, 0)
            log(f"decode only B={b}: {base['time']['median'] * 1e3:.2f} ms")
            for c in cfg["chunks"]:
                if start and c not in chunk_only_later:
                    chunk_only_later[c] = measure(0, c, start)
                alone = (chunk_only_later if start else chunk_only)[c]
                mx = measure(b, c, start)
                p = {"batch": b, "context": ctx, "chunk": c, "chunk_start": start, "decode_only": base["time"],
                     "decode_only_bound_s": base["bound_spec_s"], "chunk_only": alone["time"], "mixed": mx["time"],
                     "mixed_bound_s": mx["bound_spec_s"], "mixed_flops": mx["flops"]}
                p["itl_spike_s"] = mx["time"]["median"] - base["time"]["median"]
                p["itl_ratio"] = mx["time"]["median"] / base["time"]["median"]
                p["extra_over_separate_s"] = mx["time"]["median"] - base["time"]["median"] - alone["time"]["median"]
                p["chunk_tokens_per_s"] = c / mx["time"]["median"]
                points.append(p)
                log(f"mixed B={b} C={c} start={start}: {mx['time']['median'] * 1e3:.2f} ms "
                    f"(x{p['itl_ratio']:.2f} the decode-only step)")
    model.cache = None
    del chunk_cache
    if device != "cpu":
        torch.cuda.empty_cache()
    summary = {"context": ctx,
               "itl_ratio": {f"{p['batch']}@{p['chunk']}@{p['chunk_start']}": p["itl_ratio"] for p in points}}
    results = {"model": s.as_dict(), "dtype": str(dtype).replace("torch.", ""), "points": points,
               "chunk_only": [{"chunk": c, "chunk_start": 0, "time": v["time"], "bound_spec_s": v["bound_spec_s"]}
                              for c, v in chunk_only.items()]
               + [{"chunk": c, "chunk_start": later, "time": v["time"], "bound_spec_s": v["bound_spec_s"]}
                  for c, v in chunk_only_later.items()],
               "timing": "CUDA graph replay of each step" if device != "cpu" else "eager (CPU)"}
    notes = ["The chunk is one prompt's; engines may split a step's token budget over several prompts.",
             "Attention for decode rows and for the chunk are separate kernels, as in engines without a fused "
             "varlen kernel; the matmuls run once over all rows.",
             "No scheduler, no sampling beyond greedy argmax, no paged KV cache."]
    return record("chunk_interference", cfg, prov, results, summary, spec, notes)
