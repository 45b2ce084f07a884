"""The handbook's formulas, in one place.

Pages (through placeholders), reference tables, the lab's predictions and the
in-page calculators (through tests/vectors) all use these functions, so a number
is computed the same way everywhere. Units are base units: bytes, seconds,
FLOPs, FLOP/s, bytes/s, tokens, US dollars. Fractions are fractions (0.9 = 90%).

Each function states what it leaves out; the Concepts pages explain why.
"""
from __future__ import annotations

import math

from . import data
from .data import GPU, Model

# Bytes per stored element for each precision. INT4/FP4 ignore the per-group
# scales that real checkpoints add (about 0.25–0.5 extra bits per weight).
DTYPE_BYTES = {
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    "fp6": 0.75, "fp4": 0.5, "int4": 0.5,
}
# The precision the tensor cores run at when weights are stored in a given
# precision: weight-only INT4 (W4A16) still multiplies in BF16.
COMPUTE_PRECISION = {
    "fp32": "tf32", "tf32": "tf32", "bf16": "bf16", "fp16": "fp16", "fp8": "fp8",
    "int8": "int8", "fp6": "fp6", "fp4": "fp4", "int4": "bf16",
}


def _model(m: Model | str) -> Model:
    return data.model(m) if isinstance(m, str) else m


def _gpu(g: GPU | str) -> GPU:
    return data.gpu(g) if isinstance(g, str) else g


def dtype_bytes(dtype: str) -> float:
    if dtype not in DTYPE_BYTES:
        raise KeyError(f"unknown precision {dtype!r}; known: {', '.join(DTYPE_BYTES)}")
    return DTYPE_BYTES[dtype]


# --- memory -----------------------------------------------------------------

def weight_bytes(model: Model | str, dtype: str = "bf16") -> float:
    """Bytes to hold all parameters (total, not active) at `dtype`."""
    return _model(model).params_total * dtype_bytes(dtype)


def kv_bytes(model: Model | str, kv_dtype: str = "bf16", tokens: int = 1, batch: int = 1) -> float:
    """KV cache bytes for `batch` sequences of `tokens` tokens each.

    MHA/GQA/MQA: 2 (K and V) x KV heads x head_dim x bytes, per layer and token.
    MLA caches one compressed latent (kv_lora_rank) plus the decoupled RoPE key
    (qk_rope_head_dim) per layer and token. Sliding-window layers keep at most
    `sliding_window` tokens. Ignores block rounding and engine metadata.
    """
    m = _model(model)
    if tokens < 0 or batch < 0:
        raise ValueError("tokens and batch must be non-negative")
    width = dtype_bytes(kv_dtype)
    if m.attention == "mla":
        per_layer_token = (m.get("kv_lora_rank") + m.get("qk_rope_head_dim")) * width
    else:
        per_layer_token = 2 * m.num_kv_heads * m.head_dim * width
    sliding = m.get("num_sliding_layers") or 0
    window = m.get("sliding_window")
    if window and not sliding:
        sliding = m.num_layers  # every layer uses the window (Mistral 7B v0.1)
    full = m.num_layers - sliding
    cached = full * tokens + sliding * (min(tokens, window) if window else tokens)
    return per_layer_token * cached * batch


def kv_bytes_per_token(model: Model | str, kv_dtype: str = "bf16", context: int | None = None) -> float:
    """KV bytes per token. With `context`, the average over a sequence of that
    length (sliding-window layers stop growing past their window); without it,
    the per-token cost with every layer caching every token."""
    m = _model(model)
    if context is None:
        width = dtype_bytes(kv_dtype)
        if m.attention == "mla":
            return m.num_layers * (m.get("kv_lora_rank") + m.get("qk_rope_head_dim")) * width
        return 2 * m.num_layers * m.num_kv_heads * m.head_dim * width
    if context <= 0:
        raise ValueError("context must be positive")
    return kv_bytes(m, kv_dtype, context) / context


def kv_budget_bytes(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", gpu_count: int = 1,
                    memory_utilization: float = 0.9) -> float:
    """Memory left for the KV cache: the engine's share of GPU memory minus the
    weights. Leaves out activations, CUDA graphs and allocator slack, which
    real engines also take from this budget (a few GiB)."""
    g = _gpu(gpu)
    if not 0 < memory_utilization <= 1:
        raise ValueError("memory_utilization is a fraction in (0, 1]")
    return g.memory_bytes * gpu_count * memory_utilization - weight_bytes(model, weight_dtype)


def max_sequences(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                  context_tokens: int = 8192, gpu_count: int = 1, memory_utilization: float = 0.9) -> int:
    """How many sequences of `context_tokens` fit in the KV budget (0 if the
    weights alone do not fit)."""
    budget = kv_budget_bytes(model, gpu, weight_dtype, gpu_count, memory_utilization)
    if budget <= 0:
        return 0
    return int(budget // kv_bytes(model, kv_dtype, context_tokens))


def max_kv_tokens(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                  gpu_count: int = 1, memory_utilization: float = 0.9) -> int:
    """Tokens of KV cache that fit (full-attention per-token cost)."""
    budget = kv_budget_bytes(model, gpu, weight_dtype, gpu_count, memory_utilization)
    return max(0, int(budget // kv_bytes_per_token(model, kv_dtype)))


# --- compute ------------------------------------------------------------------

def attention_dim(model: Model | str) -> int:
    """Width of the query-key dot products summed over heads."""
    m = _model(model)
    if m.attention == "mla":
        return m.num_attention_heads * ((m.get("qk_nope_head_dim") or 128) + m.get("qk_rope_head_dim"))
    return m.num_attention_heads * m.head_dim


def flops_per_token(model: Model | str, context: int = 0) -> float:
    """Forward FLOPs for one new token that attends to `context` earlier tokens:
    2 x active parameters (every weight is one multiply-add) plus
    4 x layers x context x attention width (QK^T and attention x V).
    Sliding-window layers attend to at most their window."""
    m = _model(model)
    sliding = m.get("num_sliding_layers") or 0
    window = m.get("sliding_window")
    if window and not sliding:
        sliding = m.num_layers
    full = m.num_layers - sliding
    attended = full * context + sliding * (min(context, window) if window else context)
    return 2 * m.params_active + 4 * attended * attention_dim(m)


def prefill_flops(model: Model | str, tokens: int) -> float:
    """FLOPs to prefill a prompt of `tokens` tokens (causal: token i attends to i)."""
    m = _model(model)
    attention = 4 * m.num_layers * attention_dim(m) * tokens * (tokens + 1) / 2
    return 2 * m.params_active * tokens + attention


def peak_flops(gpu: GPU | str, dtype: str) -> float:
    """Dense peak FLOP/s of `gpu` for the compute precision of `dtype`."""
    g = _gpu(gpu)
    precision = COMPUTE_PRECISION.get(dtype, dtype)
    if precision not in g.dense:
        raise KeyError(f"{g.id} has no dense {precision} figure in data/gpus.yml")
    return g.dense[precision]


def ridge_point(gpu: GPU | str, dtype: str = "bf16") -> float:
    """FLOPs per byte at which a kernel turns from memory-bound to compute-bound."""
    g = _gpu(gpu)
    return peak_flops(g, dtype) / g.memory_bandwidth


def gemm_intensity(m: int, n: int, k: int, dtype: str = "bf16") -> float:
    """Arithmetic intensity of C[m,n] = A[m,k] B[k,n] reading A, B and writing C once."""
    width = dtype_bytes(dtype)
    return 2 * m * n * k / ((m * k + k * n + m * n) * width)


# --- time bounds ----------------------------------------------------------------

def decode_step_time(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", batch_size: int = 1,
                     context_tokens: int = 0, kv_dtype: str = "bf16", gpu_count: int = 1) -> float:
    """Lower bound on one decode step: the larger of (weights + KV read) over
    memory bandwidth and the step's FLOPs over dense peak. Leaves out kernel
    launch overhead, communication, sampling and imperfect bandwidth use."""
    g = _gpu(gpu)
    moved = weight_bytes(model, weight_dtype) + kv_bytes(model, kv_dtype, context_tokens, batch_size)
    work = batch_size * flops_per_token(model, context_tokens)
    return max(moved / (g.memory_bandwidth * gpu_count), work / (peak_flops(g, weight_dtype) * gpu_count))


def decode_tokens_per_s(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", batch_size: int = 1,
                        context_tokens: int = 0, kv_dtype: str = "bf16", gpu_count: int = 1) -> float:
    """Upper bound on output tokens/s over all sequences of the batch."""
    return batch_size / decode_step_time(model, gpu, weight_dtype, batch_size, context_tokens, kv_dtype, gpu_count)


def prefill_time(model: Model | str, gpu: GPU | str, tokens: int, weight_dtype: str = "bf16",
                 gpu_count: int = 1) -> float:
    """Lower bound on prefilling `tokens` tokens: max(FLOPs / dense peak, weights / bandwidth)."""
    g = _gpu(gpu)
    return max(prefill_flops(model, tokens) / (peak_flops(g, weight_dtype) * gpu_count),
               weight_bytes(model, weight_dtype) / (g.memory_bandwidth * gpu_count))


# --- speculative decoding ---------------------------------------------------------

def spec_tokens_per_step(acceptance_rate: float, draft_tokens: int) -> float:
    """Expected tokens per target forward pass with i.i.d. acceptance `acceptance_rate`
    and `draft_tokens` drafted tokens: (1 - a^(k+1)) / (1 - a)  (Leviathan et al.)."""
    a, k = acceptance_rate, draft_tokens
    if not 0 <= a <= 1:
        raise ValueError("acceptance_rate is a fraction in [0, 1]")
    if k < 0 or int(k) != k:
        raise ValueError("draft_tokens is a whole number >= 0")
    if a == 1:
        return k + 1.0
    return (1 - a ** (k + 1)) / (1 - a)


def spec_speedup(acceptance_rate: float, draft_tokens: int, draft_cost_ratio: float) -> float:
    """Walltime speedup over plain decoding when one draft step costs
    `draft_cost_ratio` of a target step and verification costs one target step."""
    if draft_cost_ratio < 0:
        raise ValueError("draft_cost_ratio must be >= 0")
    return spec_tokens_per_step(acceptance_rate, draft_tokens) / (draft_tokens * draft_cost_ratio + 1)


# --- cost and capacity ----------------------------------------------------------------

def cost_per_million_tokens(gpu_hourly_usd: float, gpu_count: int, tokens_per_s: float,
                            utilization: float = 1.0) -> float:
    """US dollars per million tokens when `gpu_count` GPUs at `gpu_hourly_usd`
    sustain `tokens_per_s` while busy, and are busy `utilization` of the time."""
    if tokens_per_s <= 0 or not 0 < utilization <= 1:
        raise ValueError("tokens_per_s must be positive and utilization in (0, 1]")
    return gpu_hourly_usd * gpu_count / (tokens_per_s * utilization * 3600) * 1e6


def gpus_for_traffic(requests_per_s: float, goodput_per_gpu: float, headroom: float = 0.0) -> int:
    """ceil(requests_per_s x (1 + headroom) / goodput_per_gpu)."""
    if goodput_per_gpu <= 0 or requests_per_s < 0 or headroom < 0:
        raise ValueError("goodput_per_gpu must be positive; rate and headroom non-negative")
    need = requests_per_s * (1 + headroom) / goodput_per_gpu
    return max(0, math.ceil(round(need, 9)))


def littles_law_concurrency(arrival_rate: float, time_in_system_s: float) -> float:
    """Mean requests in the system L = lambda x W."""
    return arrival_rate * time_in_system_s
