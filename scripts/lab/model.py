"""A lean Llama-style decoder in plain PyTorch, for timing.

Weights are random (normal, std 0.02) and generated layer by layer from a seeded
generator, so that a tensor-parallel shard is an exact slice of the one-GPU
model. Matrices are stored (in, out) and applied as ``x @ W``. Q, K and V are one
fused matrix, as are the MLP's gate and up projections. The KV cache is one
preallocated tensor of shape (layers, 2, batch, kv_heads, max_tokens, head_dim).

Decode attention folds the query heads that share a KV head into the query
length: q has shape (batch, kv_heads, group, head_dim) and attends to all cached
positions, so SDPA needs neither a mask nor repeated K/V. Prefill attention uses
SDPA with a causal mask (lower-right aligned when a cached prefix precedes the
new tokens).

Tensor parallelism (Megatron-style): each rank holds heads/world query heads,
kv_heads/world KV heads, intermediate/world MLP columns and vocab/world LM head
rows; the attention output and MLP down projections are followed by an
all-reduce, and the logits by an all-gather.

Left out, because they do not change the cost: Llama 3.1's RoPE frequency
scaling, sampling (greedy argmax stands in), tokenization.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .common import Shape

_ATTN_PATH = {}


def _rope_tables(shape: Shape, max_pos: int, device, dtype):
    half = shape.head_dim // 2
    inv = 1.0 / (shape.rope_theta ** (torch.arange(0, half, dtype=torch.float32, device=device) / half))
    t = torch.arange(max_pos, dtype=torch.float32, device=device)
    freqs = torch.outer(t, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def _rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rmsnorm(x, w, eps):
    xf = x.float()
    xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return xf.to(x.dtype) * w


def causal_attention(q, k, v, prefix: int):
    """q: (B, H, Lq, D); k, v: (B, Hkv, prefix + Lq, D). Causal, lower-right aligned.

    Tries SDPA with native GQA first; falls back to repeating K/V. The path
    taken is kept in ``_ATTN_PATH`` for the record."""
    B, H, Lq, D = q.shape
    Hkv = k.shape[1]
    key = ("prefix" if prefix else "causal", q.device.type)
    path = _ATTN_PATH.get(key)
    if path in (None, "gqa"):
        try:
            if prefix:
                from torch.nn.attention.bias import causal_lower_right
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(Lq, k.shape[2]),
                                                     enable_gqa=True)
            else:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            _ATTN_PATH[key] = "gqa"
            return out
        except Exception:
            if path == "gqa":
                raise
            _ATTN_PATH[key] = "repeat_kv"
    g = H // Hkv
    k = k[:, :, None].expand(B, Hkv, g, k.shape[2], D).reshape(B, H, k.shape[2], D)
    v = v[:, :, None].expand(B, Hkv, g, v.shape[2], D).reshape(B, H, v.shape[2], D)
    if prefix:
        from torch.nn.attention.bias import causal_lower_right
        return F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(Lq, k.shape[2]))
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def attention_paths() -> dict:
    return {f"{a}/{b}": v for (a, b), v in _ATTN_PATH.items()}


class LeanLlama:
    def __init__(self, shape: Shape, device="cpu", dtype=torch.bfloat16, seed: int = 0,
                 rank: int = 0, world: int = 1, group=None, max_pos: int = 32768 + 1024):
        assert shape.heads % world == 0 and shape.kv_heads % world == 0
        assert shape.intermediate % world == 0 and shape.vocab % world == 0
        self.s, self.device, self.dtype = shape, torch.device(device), dtype
        self.rank, self.world, self.group = rank, world, group
        self.hq = shape.heads // world
        self.hkv = shape.kv_heads // world
        self.inter = shape.intermediate // world
        self.vocab_local = shape.vocab // world
        D = shape.head_dim
        gen = torch.Generator(device=self.device)

        def randn(*size, salt):
            gen.manual_seed(seed * 1_000_003 + salt)
            return torch.randn(*size, generator=gen, device=self.device, dtype=torch.float32).mul_(0.02).to(dtype)

        H = shape.hidden
        self.embed = randn(shape.vocab, H, salt=1)
        self.layers = []
        for i in range(shape.layers):
            base = 100 * (i + 1)
            wq = randn(H, shape.heads * D, salt=base + 1)
            wk = randn(H, shape.kv_heads * D, salt=base + 2)
            wv = randn(H, shape.kv_heads * D, salt=base + 3)
            wo = randn(shape.heads * D, H, salt=base + 4)
            wg = randn(H, shape.intermediate, salt=base + 5)
            wu = randn(H, shape.intermediate, salt=base + 6)
            wd = randn(shape.intermediate, H, salt=base + 7)
            q0, k0, f0 = rank * self.hq * D, rank * self.hkv * D, rank * self.inter
            wqkv = torch.cat([wq[:, q0:q0 + self.hq * D], wk[:, k0:k0 + self.hkv * D],
                              wv[:, k0:k0 + self.hkv * D]], dim=1).contiguous()
            wgu = torch.cat([wg[:, f0:f0 + self.inter], wu[:, f0:f0 + self.inter]], dim=1).contiguous()
            layer = {
                "ln1": torch.ones(H, device=self.device, dtype=dtype),
                "ln2": torch.ones(H, device=self.device, dtype=dtype),
                "wqkv": wqkv,
                "wo": wo[q0:q0 + self.hq * D].contiguous(),
                "wgu": wgu,
                "wd": wd[f0:f0 + self.inter].contiguous(),
            }
            del wq, wk, wv, wo, wg, wu, wd
            self.layers.append(layer)
        self.lnf = torch.ones(H, device=self.device, dtype=dtype)
        lm = randn(shape.vocab, H, salt=2)
        v0 = rank * self.vocab_local
        self.lm_head = lm[v0:v0 + self.vocab_local].t().contiguous()  # (H, V_local)
        del lm
        self.cos, self.sin = _rope_tables(shape, max_pos, self.device, dtype)
        self.cache = None

    # -- memory ---------------------------------------------------------------------
    def weight_bytes(self) -> int:
        n = self.embed.numel() + self.lm_head.numel() + self.lnf.numel()
        for layer in self.layers:
            n += sum(t.numel() for t in layer.values())
        return n * self.embed.element_size()

    def cache_shape(self, batch: int, tokens: int):
        return (self.s.layers, 2, batch, self.hkv, tokens, self.s.head_dim)

    def allocate_cache(self, batch: int, tokens: int, fill: bool = True):
        self.cache = None
        self.cache = torch.empty(self.cache_shape(batch, tokens), device=self.device, dtype=self.dtype)
        if fill:  # never time attention on zeros or uninitialised memory
            self.cache.normal_(0.0, 1.0)
        return self.cache

    # -- collectives ------------------------------------------------------------------
    def _all_reduce(self, x):
        if self.world > 1:
            import torch.distributed as dist
            dist.all_reduce(x, group=self.group)
        return x

    def _gather_logits(self, logits):
        if self.world == 1:
            return logits
        import torch.distributed as dist
        parts = [torch.empty_like(logits) for _ in range(self.world)]
        dist.all_gather(parts, logits.contiguous(), group=self.group)
        return torch.cat(parts, dim=-1)

    # -- forward passes ---------------------------------------------------------------
    def _rope(self, x, cos, sin):
        return x * cos + _rotate_half(x) * sin

    def decode_logits(self, tokens, pos: int):
        """One decode step for ``tokens`` (B,) at position ``pos`` (the number of
        tokens already cached). Writes K/V at ``pos``; attends to 0..pos."""
        s, D = self.s, self.s.head_dim
        B = tokens.shape[0]
        x = self.embed[tokens]
        cos, sin = self.cos[pos], self.sin[pos]
        nq, nk = self.hq * D, self.hkv * D
        for i, l in enumerate(self.layers):
            h = rmsnorm(x, l["ln1"], s.norm_eps)
            qkv = h @ l["wqkv"]
            q = qkv[:, :nq].view(B, self.hq, D)
            k = qkv[:, nq:nq + nk].view(B, self.hkv, D)
            v = qkv[:, nq + nk:].view(B, self.hkv, D)
            q = self._rope(q, cos, sin)
            k = self._rope(k, cos, sin)
            kc, vc = self.cache[i, 0, :B], self.cache[i, 1, :B]
            kc[:, :, pos] = k
            vc[:, :, pos] = v
            qg = q.view(B, self.hkv, self.hq // self.hkv, D)
            o = F.scaled_dot_product_attention(qg, kc[:, :, :pos + 1], vc[:, :, :pos + 1])
            o = self._all_reduce(o.reshape(B, nq) @ l["wo"])
            x = x + o
            h = rmsnorm(x, l["ln2"], s.norm_eps)
            gu = h @ l["wgu"]
            a = F.silu(gu[:, :self.inter]) * gu[:, self.inter:]
            x = x + self._all_reduce(a @ l["wd"])
        x = rmsnorm(x, self.lnf, s.norm_eps)
        return self._gather_logits(x @ self.lm_head)

    def decode_step(self, tokens, pos: int):
        return self.decode_logits(tokens, pos).argmax(-1)

    def attention_only(self, B: int, pos: int):
        """The decode step's attention calls alone (one per layer), for the breakdown."""
        D = self.s.head_dim
        q = torch.randn(B, self.hkv, self.hq // self.hkv, D, device=self.device, dtype=self.dtype)

        def fn():
            for i in range(self.s.layers):
                kc, vc = self.cache[i, 0, :B], self.cache[i, 1, :B]
                F.scaled_dot_product_attention(q, kc[:, :, :pos + 1], vc[:, :, :pos + 1])
        return fn

    def prefill_logits(self, tokens, start: int = 0):
        """Prefill ``tokens`` (B, L) at positions start..start+L-1, attending to the
        ``start`` tokens already in the cache; returns the last position's logits."""
        s, D = self.s, self.s.head_dim
        B, L = tokens.shape
        x = self.embed[tokens]  # (B, L, H)
        cos, sin = self.cos[start:start + L], self.sin[start:start + L]
        nq, nk = self.hq * D, self.hkv * D
        end = start + L
        for i, l in enumerate(self.layers):
            h = rmsnorm(x, l["ln1"], s.norm_eps)
            qkv = h @ l["wqkv"]
            q = qkv[..., :nq].view(B, L, self.hq, D).transpose(1, 2)
            k = qkv[..., nq:nq + nk].view(B, L, self.hkv, D).transpose(1, 2)
            v = qkv[..., nq + nk:].view(B, L, self.hkv, D).transpose(1, 2)
            q = self._rope(q, cos, sin)
            k = self._rope(k, cos, sin)
            kc, vc = self.cache[i, 0, :B], self.cache[i, 1, :B]
            kc[:, :, start:end] = k
            vc[:, :, start:end] = v
            o = causal_attention(q, kc[:, :, :end], vc[:, :, :end], prefix=start)
            o = o.transpose(1, 2).reshape(B, L, nq)
            x = x + self._all_reduce(o @ l["wo"])
            h = rmsnorm(x, l["ln2"], s.norm_eps)
            gu = h @ l["wgu"]
            a = F.silu(gu[..., :self.inter]) * gu[..., self.inter:]
            x = x + self._all_reduce(a @ l["wd"])
        x = rmsnorm(x[:, -1], self.lnf, s.norm_eps)  # only the last position's logits, as engines do
        return self._gather_logits(x @ self.lm_head)

    def prefill(self, tokens, start: int = 0):
        return self.prefill_logits(tokens, start).argmax(-1)


def prefill_flops_executed(s: Shape, tokens: int, prefix: int = 0, batch: int = 1) -> float:
    """FLOPs the lean prefill executes: every layer matmul for every new token,
    the LM head for the last token only, and causal attention (QK^T and PV,
    2 FLOPs per multiply-add each) of each new token over the prefix and the new
    tokens before it."""
    matmul = 2 * s.layers * s.layer_matmul_params() * tokens + 2 * s.hidden * s.vocab
    attended = prefix * tokens + tokens * (tokens + 1) / 2
    attention = 4 * s.layers * s.attention_width() * attended
    return batch * (matmul + attention)


def prefill_flops_formula(s: Shape, tokens: int) -> float:
    """The handbook's formula: 2 x parameters x tokens + 4 x layers x width x L(L+1)/2
    (counts the embedding and LM head for every token)."""
    return 2 * s.params() * tokens + 4 * s.layers * s.attention_width() * tokens * (tokens + 1) / 2


def decode_bytes(s: Shape, batch: int, context: int, dtype_bytes: int = 2) -> float:
    """Bytes a decode step must read at least: every weight but the embedding
    table once, and the KV cache of ``context`` tokens for each sequence."""
    return s.params_read_per_step() * dtype_bytes + batch * context * s.kv_bytes_per_token(dtype_bytes)


_SHARED: dict = {}


def shared_model(s: Shape, device, dtype) -> LeanLlama:
    """One lean model per (shape, device, dtype) for the experiments of a run,
    so that the 16 GB of weights are generated once."""
    key = (s.name, str(device), str(dtype))
    if key not in _SHARED:
        _SHARED.clear()
        _SHARED[key] = LeanLlama(s, device, dtype, seed=0)
    return _SHARED[key]


def release_shared() -> None:
    for m in _SHARED.values():
        m.cache = None
    _SHARED.clear()
