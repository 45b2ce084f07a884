"""The handbook's formulas, in one place.

Pages (through placeholders), reference tables, the lab's predictions and the
in-page calculators (through tests/vectors) all use these functions, so a number
is computed the same way everywhere. Units are base units: bytes, seconds,
FLOPs, FLOP/s, bytes/s, tokens, US dollars. Fractions are fractions (0.9 = 90%).

Each function states what it leaves out; the Concepts pages explain why.
"""
from __future__ import annotations

import math

from handbook import data
from handbook.data import GPU, Model

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

def routed_expert_params(model: Model | str) -> float:
    """Parameters in the routed experts (0 for a dense model): MoE layers x experts x 3 x hidden x expert width
    (gate, up and down projections of a gated FFN). MoE layers are `num_moe_layers`, else every layer after the
    first `num_dense_layers`. Shared experts, routers and attention are not counted here."""
    m = _model(model)
    if m.architecture != "moe":
        return 0.0
    moe_layers = m.get("num_moe_layers") or (m.num_layers - (m.get("num_dense_layers") or 0))
    width = m.get("moe_intermediate_size") or m.intermediate_size
    return float(moe_layers * m.get("num_experts") * 3 * m.hidden_size * width)


def weight_bytes(model: Model | str, dtype: str = "bf16", *, expert_dtype: str | None = None) -> float:
    """Bytes to hold all parameters (total, not active) at `dtype`. With `expert_dtype`, the routed experts
    (routed_expert_params) are held at that precision and everything else at `dtype`: mixed-precision
    checkpoints such as gpt-oss (MXFP4 experts, BF16 attention). Leaves out quantization scales."""
    m = _model(model)
    if expert_dtype is None:
        return m.params_total * dtype_bytes(dtype)
    experts = min(routed_expert_params(m), m.params_total)
    return (m.params_total - experts) * dtype_bytes(dtype) + experts * dtype_bytes(expert_dtype)


def input_embedding_bytes(model: Model | str, dtype: str = "bf16") -> float:
    """Bytes of the input embedding table at `dtype`: vocab_size x hidden_size x bytes per weight. The per-layer
    embedding table of Gemma 4's E-models (a second lookup, 262144 x 42 x 256 for E4B) is not included:
    data/models.yml states its shape only in prose (params_source), not as fields a formula can read."""
    m = _model(model)
    return float(m.vocab_size * m.hidden_size) * dtype_bytes(dtype)


def embedding_unread_bytes(model: Model | str, dtype: str = "bf16", batch_size: int = 1) -> float:
    """Bytes of weights that a decode step of `batch_size` sequences does not read: the input embedding table
    (input_embedding_bytes) less the one row each sequence looks up, when the embeddings are untied
    (`tie_word_embeddings: false`). With tied embeddings the output projection reads that same matrix in full, so
    nothing goes unread (0). A model whose data does not state tie_word_embeddings also gives 0: every weight
    counts as read, as before 2026-12-07. Gemma 4 E4B's per-layer embedding table is a lookup as well, but its
    shape is not in the data (see input_embedding_bytes), so it still counts as read in full and the decode
    bound overestimates that model's bytes by most of that table."""
    m = _model(model)
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if m.get("tie_word_embeddings") is not False:
        return 0.0
    table = min(input_embedding_bytes(m, dtype), m.params_total * dtype_bytes(dtype))
    return max(0.0, table - batch_size * m.hidden_size * dtype_bytes(dtype))


def weight_read_bytes(model: Model | str, dtype: str = "bf16", batch_size: int = 1,
                      expert_dtype: str | None = None) -> float:
    """Bytes of weights one decode step reads when only the routed experts the batch selects are read: all
    weights except the routed experts and the rows of an untied input embedding table that no sequence looks up
    (embedding_unread_bytes), plus, per MoE layer, the expected number of distinct experts that `batch_size`
    tokens pick, E x (1 - (1 - k/E)^batch) for E experts and top-k routing. Assumes routing that is uniform and
    independent across tokens (real routers are skewed, so a batch touches fewer experts); a dense model reads
    all its weights but the unread embedding rows."""
    m = _model(model)
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    unread = embedding_unread_bytes(m, dtype, batch_size)
    experts = min(routed_expert_params(m), m.params_total)
    if not experts:
        return weight_bytes(m, dtype) - unread
    e, k = m.get("num_experts"), m.get("experts_per_token")
    touched = 1 - (1 - k / e) ** batch_size
    return ((m.params_total - experts) * dtype_bytes(dtype) - unread
            + experts * touched * dtype_bytes(expert_dtype or dtype))


def _entries(group: dict, tokens: int) -> int:
    """KV entries one layer of `group` holds for a sequence of `tokens` tokens (a compressed layer: its window of
    uncompressed tokens plus its compressed entries)."""
    if group["kind"] == "linear":
        return 0
    if group["kind"] == "compressed":
        return min(tokens, group["window"]) + _compressed(group, tokens)
    if group["kind"] in ("sliding", "chunked") and group.get("window"):
        return min(tokens, group["window"])
    return tokens


def _indexed(group: dict, tokens: int) -> int:
    """Entries with an indexer key: every token of a sparse layer, every compressed entry of an indexed layer."""
    if group["kind"] == "sparse":
        return tokens
    return _compressed(group, tokens) if group.get("indexed") else 0


def _attended(group: dict, tokens: int) -> int:
    """Entries one decode step of `group` reads from its KV cache: top-k where an indexer selects, else all."""
    if group["kind"] == "sparse":
        return min(tokens, group["topk"])
    if group["kind"] == "compressed" and group["indexed"]:
        return min(tokens, group["window"]) + min(_compressed(group, tokens), group["topk"])
    return _entries(group, tokens)


def indexer_bytes_per_entry(group: dict) -> float:
    """Indexer cache bytes per indexed entry and layer: index_dim values at the indexer's precision plus one scale
    (index_scale_bytes) per index_scale_block values. DeepSeek-V3.2: 128 FP8 values + one FP32 scale = 132 bytes per
    token; DeepSeek-V4: 128 FP4 values + 4 one-byte scales = 68 bytes per compressed entry. 0 without an indexer."""
    if group["kind"] != "sparse" and not group.get("indexed"):
        return 0.0
    scales = group["index_dim"] / group["index_scale_block"]
    return group["index_dim"] * dtype_bytes(group["index_dtype"]) + group["index_scale_bytes"] * scales


def _compressed(group: dict, tokens: int) -> int:
    """Compressed entries a compressed layer holds after `tokens` tokens (one per `ratio` complete tokens)."""
    return tokens // group["ratio"] if group["kind"] == "compressed" else 0


def state_bytes(model: Model | str, state_dtype: str = "bf16") -> float:
    """Fixed bytes per sequence of the linear (state-space) layers: the recurrent state and the short-convolution
    state of every linear layer, at `state_dtype`. Independent of the sequence length; 0 without linear layers."""
    width = dtype_bytes(state_dtype)
    return sum(g["cached_layers"] * g["state_values"] * width for g in _model(model).get("layer_groups")
               if g["kind"] == "linear")


def kv_bytes(model: Model | str, kv_dtype: str = "bf16", tokens: int = 1, batch: int = 1) -> float:
    """Bytes each sequence keeps across decode steps, for `batch` sequences of `tokens` tokens each.

    MHA/GQA/MQA: 2 (K and V) x KV heads x head_dim x bytes, per layer and token. MLA caches one compressed
    latent (kv_lora_rank) plus the decoupled RoPE key (qk_rope_head_dim) per layer and token. Sliding-window
    and chunked layers keep at most their window. Layers that share an earlier layer's KV keep nothing. Sparse
    attention adds its indexer cache (indexer_bytes_per_entry) per token and layer. Compressed layers keep their
    window plus one entry per `ratio` tokens (and an indexer key per compressed entry). Linear layers keep a fixed
    state per sequence (state_bytes, counted at `kv_dtype`). Ignores block rounding and engine metadata.
    """
    m = _model(model)
    if tokens < 0 or batch < 0:
        raise ValueError("tokens and batch must be non-negative")
    width = dtype_bytes(kv_dtype)
    per_sequence = 0.0
    for g in m.get("layer_groups"):
        if g["kind"] == "linear":
            per_sequence += g["cached_layers"] * g["state_values"] * width
            continue
        per_sequence += g["cached_layers"] * (_entries(g, tokens) * g["entry_values"] * width
                                              + _indexed(g, tokens) * indexer_bytes_per_entry(g))
    return per_sequence * batch


def kv_read_bytes(model: Model | str, kv_dtype: str = "bf16", tokens: int = 1, batch: int = 1) -> float:
    """Bytes of cache one decode step reads for `batch` sequences with `tokens` cached tokens each. Equals kv_bytes
    for full, sliding and chunked attention. A sparse layer reads its whole indexer cache but only the `topk`
    entries the indexer selects; a layer that shares another's KV reads that cache again; a linear layer reads its
    state. Leaves out writes and reads that caches serve twice."""
    m = _model(model)
    if tokens < 0 or batch < 0:
        raise ValueError("tokens and batch must be non-negative")
    width = dtype_bytes(kv_dtype)
    per_sequence = 0.0
    for g in m.get("layer_groups"):
        if g["kind"] == "linear":
            per_sequence += g["layers"] * g["state_values"] * width
        else:
            per_sequence += g["layers"] * (_attended(g, tokens) * g["entry_values"] * width
                                           + _indexed(g, tokens) * indexer_bytes_per_entry(g))
    return per_sequence * batch


def kv_bytes_per_token(model: Model | str, kv_dtype: str = "bf16", context: int | None = None) -> float:
    """KV bytes per token. With `context`, the average over a sequence of that
    length (sliding-window layers stop growing past their window; a linear layer's fixed
    state is spread over the context); without it, the per-token cost with every attention
    layer caching every token (windows ignored, indexer included, compressed layers at one
    entry per `ratio` tokens, linear layers and layers sharing another's KV at zero)."""
    m = _model(model)
    if context is None:
        width = dtype_bytes(kv_dtype)
        total = 0.0
        for g in m.get("layer_groups"):
            if g["kind"] == "compressed":  # one entry (and indexer key) per `ratio` tokens
                total += g["cached_layers"] * (g["entry_values"] * width + indexer_bytes_per_entry(g)) / g["ratio"]
            elif g["kind"] != "linear":
                total += g["cached_layers"] * (g["entry_values"] * width + indexer_bytes_per_entry(g))
        return total
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
    return g.memory * gpu_count * memory_utilization - weight_bytes(model, weight_dtype)


def max_sequences(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", kv_dtype: str = "bf16",
                  context_tokens: int = 8192, gpu_count: int = 1, memory_utilization: float = 0.9) -> int:
    """How many sequences of `context_tokens` fit in the KV budget (0 if the
    weights alone do not fit). Counts each sequence's whole cache: KV, indexer and the
    fixed state of linear layers."""
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


def attention_flops_per_pair(model: Model | str, absorbed: bool) -> float:
    """FLOPs in one layer for one query token against one cached token:
    2 x query heads x (query-key width + value width), i.e. QK^T plus
    attention x V. MHA/GQA/MQA: 4 x heads x head_dim. MLA depends on the form:
    expanded (per-head keys and values rebuilt from the latent, how engines run
    prefill) uses qk_nope + qk_rope for scores and v_head_dim for values;
    absorbed (W_UK folded into the query, W_UV applied after attention, how
    engines run decode) works in the latent space: kv_lora_rank + qk_rope for
    scores and kv_lora_rank for values. DeepSeek-V3: expanded
    2 x 128 x (192 + 128), absorbed 2 x 128 x (576 + 512)."""
    m = _model(model)
    heads = m.num_attention_heads
    if m.attention != "mla":
        return 4 * heads * m.head_dim
    rope = m.get("qk_rope_head_dim")
    if absorbed:
        latent = m.get("kv_lora_rank")
        return 2 * heads * ((latent + rope) + latent)
    nope = m.get("qk_nope_head_dim") or 128
    return 2 * heads * ((nope + rope) + (m.get("v_head_dim") or nope))


def _pair_flops(m: Model, group: dict, absorbed: bool) -> float:
    """attention_flops_per_pair for one group's head shape (Gemma 4's global layers are wider)."""
    if group["mla"]:
        return attention_flops_per_pair(m, absorbed)
    return 4 * group["heads"] * group["head_dim"]


def flops_per_token(model: Model | str, context: int = 0) -> float:
    """Forward FLOPs for one new (decode) token that attends to `context` earlier
    tokens: 2 x active parameters (every weight is one multiply-add) plus, per
    attention layer, attended tokens x attention_flops_per_pair (QK^T and attention x V;
    for MHA and GQA 4 x heads x head_dim). MLA is counted absorbed, as engines run it at
    decode: the absorbed up-projections are matrix products already in
    2 x active parameters, and the dot products run over the latent width.
    Sliding-window and chunked layers attend to at most their window. A sparse layer
    attends to its top-k tokens and its indexer scores every token
    (2 x indexer heads x index_dim each). A compressed layer attends to its window and
    its compressed entries (the indexer's top-k of them where it has one). A linear layer
    costs its state_flops, whatever the context."""
    m = _model(model)
    attention = 0.0
    for g in m.get("layer_groups"):
        if g["kind"] == "linear":
            attention += g["layers"] * g["state_flops"]
            continue
        attention += g["layers"] * _attended(g, context) * _pair_flops(m, g, True)
        if g["kind"] == "sparse" or g.get("indexed"):
            attention += g["layers"] * _indexed(g, context) * 2 * g["index_heads"] * g["index_dim"]
    return 2 * m.params_active + attention


def _floor_sum(tokens: int, ratio: int) -> float:
    """sum of i // ratio for i = 1 .. tokens."""
    q, s = divmod(tokens, ratio)
    return ratio * q * (q - 1) / 2 + q * (s + 1)


def prefill_flops(model: Model | str, tokens: int) -> float:
    """FLOPs to prefill a prompt of `tokens` tokens (causal: token i attends to i).
    MLA is counted expanded (per-head keys and values), as engines run prefill.
    Leaves out the sliding-window and chunk caps (every attention layer attends to the
    whole prefix). A sparse layer attends to at most top-k tokens per query and scores every
    earlier token with its indexer; a compressed layer attends to its window and its compressed
    entries (top-k of them where it has an indexer, which scores them all); a linear layer
    costs state_flops per token."""
    m = _model(model)
    pairs = tokens * (tokens + 1) / 2
    attention = 0.0
    for g in m.get("layer_groups"):
        if g["kind"] == "linear":
            attention += g["layers"] * g["state_flops"] * tokens
        elif g["kind"] == "sparse":
            k = min(tokens, g["topk"])
            selected = k * (k + 1) / 2 + (tokens - k) * k  # token i attends to min(i, top-k)
            attention += g["layers"] * (selected * _pair_flops(m, g, False)
                                        + pairs * 2 * g["index_heads"] * g["index_dim"])
        elif g["kind"] == "compressed":
            window = min(tokens, g["window"])
            local = window * (window + 1) / 2 + (tokens - window) * g["window"]  # token i: min(i, window)
            compressed = _floor_sum(tokens, g["ratio"])  # token i: i // ratio compressed entries
            cap = g["topk"] * g["ratio"] - 1 if g["indexed"] else tokens
            read = _floor_sum(min(tokens, cap), g["ratio"]) + g.get("topk", 0) * max(0, tokens - cap)
            index = compressed * 2 * g["index_heads"] * g["index_dim"] if g["indexed"] else 0
            attention += g["layers"] * ((local + read) * _pair_flops(m, g, False) + index)
        else:
            attention += g["layers"] * pairs * _pair_flops(m, g, False)
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
                     context_tokens: int = 0, kv_dtype: str = "bf16", gpu_count: int = 1,
                     routed_reads: bool = False) -> float:
    """Lower bound on one decode step: the larger of (weights read + cache read, kv_read_bytes) over
    memory bandwidth and the step's FLOPs over dense peak. The weights term is every weight except the rows
    of an untied input embedding table that no sequence of the batch looks up: all weights, less the table,
    plus `batch_size` rows of it (embedding_unread_bytes; a tied table is read in full by the output
    projection). With `routed_reads`, an MoE model's routed experts count only as far as the batch selects
    them (weight_read_bytes, which assumes uniform routing). Leaves out kernel launch overhead,
    communication, sampling and imperfect bandwidth use."""
    g = _gpu(gpu)
    weights = (weight_read_bytes(model, weight_dtype, batch_size) if routed_reads
               else weight_bytes(model, weight_dtype) - embedding_unread_bytes(model, weight_dtype, batch_size))
    moved = weights + kv_read_bytes(model, kv_dtype, context_tokens, batch_size)
    work = batch_size * flops_per_token(model, context_tokens)
    return max(moved / (g.memory_bandwidth * gpu_count), work / (peak_flops(g, weight_dtype) * gpu_count))


def decode_tokens_per_s(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", batch_size: int = 1,
                        context_tokens: int = 0, kv_dtype: str = "bf16", gpu_count: int = 1,
                        routed_reads: bool = False) -> float:
    """Upper bound on output tokens/s over all sequences of the batch."""
    return batch_size / decode_step_time(model, gpu, weight_dtype, batch_size, context_tokens, kv_dtype, gpu_count,
                                         routed_reads)


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
    `draft_cost_ratio` of a target step and verification costs one target step,
    which holds while the verification pass is memory-bound (small batch, or long
    context); spec_speedup_at_batch costs verification by batch and context."""
    if draft_cost_ratio < 0:
        raise ValueError("draft_cost_ratio must be >= 0")
    return spec_tokens_per_step(acceptance_rate, draft_tokens) / (draft_tokens * draft_cost_ratio + 1)


def _spec_terms(model: Model | str, gpu: GPU | str, weight_dtype: str, context_tokens: int, kv_dtype: str,
                gpu_count: int) -> tuple[float, float, float]:
    """Seconds per target pass: (weights, KV cache of one sequence, FLOPs of one position). The weights leave
    out an untied input embedding table; each sequence's KV term carries the one row of it that the sequence
    looks up, so weights + batch x KV reads what decode_step_time reads."""
    if context_tokens < 0 or int(context_tokens) != context_tokens:
        raise ValueError("context_tokens is a whole number >= 0")
    if gpu_count < 1:
        raise ValueError("gpu_count must be >= 1")
    g = _gpu(gpu)
    bandwidth, peak = g.memory_bandwidth * gpu_count, peak_flops(g, weight_dtype) * gpu_count
    m = _model(model)
    row = 0.0
    if m.get("tie_word_embeddings") is False:   # the same test as embedding_unread_bytes
        row = m.hidden_size * dtype_bytes(weight_dtype)
    weights = weight_bytes(m, weight_dtype) - embedding_unread_bytes(m, weight_dtype, 1) - row
    return (weights / bandwidth, (kv_read_bytes(m, kv_dtype, context_tokens) + row) / bandwidth,
            flops_per_token(m, context_tokens) / peak)


def spec_verify_step_time(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", batch_size: int = 1,
                          context_tokens: int = 0, draft_tokens: int = 0, kv_dtype: str = "bf16",
                          gpu_count: int = 1) -> float:
    """Lower bound on one verification pass of the target: `batch_size` sequences
    with `context_tokens` cached tokens each, every sequence checking `draft_tokens`
    drafts, so draft_tokens + 1 positions per sequence. Roofline:

        max((weights + batch x KV cache of one sequence) / bandwidth,
            batch x (draft_tokens + 1) x flops_per_token(context) / dense peak)

    The weights and each sequence's KV cache are read once per pass and shared by
    all its positions; only the FLOPs grow with the draft. Weights as in
    decode_step_time: an untied input embedding table counts one row per sequence
    (the draft positions' rows, a few more, are left out). draft_tokens=0 is a plain
    decode step and equals decode_step_time. Leaves out: the few extra KV entries
    the drafts attend to and write, attention kernels that reread the cache for
    each position, kernel launches, sampling, communication between GPUs, and
    bandwidth or FLOP/s below the datasheet peak (the real pass is slower)."""
    if batch_size < 1 or int(batch_size) != batch_size:
        raise ValueError("batch_size is a whole number >= 1")
    if draft_tokens < 0 or int(draft_tokens) != draft_tokens:
        raise ValueError("draft_tokens is a whole number >= 0")
    weights, kv, flops = _spec_terms(model, gpu, weight_dtype, context_tokens, kv_dtype, gpu_count)
    return max(weights + batch_size * kv, batch_size * (draft_tokens + 1) * flops)


def spec_speedup_at_batch(acceptance_rate: float, draft_tokens: int, draft_cost_ratio: float,
                          model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", batch_size: int = 1,
                          context_tokens: int = 0, kv_dtype: str = "bf16", gpu_count: int = 1) -> float:
    """Speedup over plain decoding at a given batch and context, with the
    verification pass costed by spec_verify_step_time instead of assumed equal to
    one plain step:

        tokens per step / (draft_tokens x draft_cost_ratio + verify time / plain step time)

    At a fixed batch this is both the per-sequence latency gain and the throughput
    gain. A roofline bound, not a measurement. Leaves out everything
    spec_verify_step_time leaves out, and: draft cost is a fixed fraction of the
    plain target step at the same batch and context (a small draft model with its
    own full KV cache tracks its memory ratio to the target; a draft with a bounded
    KV cache gets relatively cheaper as the context grows), acceptance is i.i.d., and
    the KV slots speculation reserves, which lower how many sequences fit."""
    plain = spec_verify_step_time(model, gpu, weight_dtype, batch_size, context_tokens, 0, kv_dtype, gpu_count)
    verify = spec_verify_step_time(model, gpu, weight_dtype, batch_size, context_tokens, draft_tokens, kv_dtype,
                                   gpu_count)
    if draft_cost_ratio < 0:
        raise ValueError("draft_cost_ratio must be >= 0")
    return spec_tokens_per_step(acceptance_rate, draft_tokens) / (draft_tokens * draft_cost_ratio + verify / plain)


def spec_compute_bound_batch(model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16",
                             context_tokens: int = 0, draft_tokens: int = 0, kv_dtype: str = "bf16",
                             gpu_count: int = 1) -> float:
    """Smallest batch at which a pass of draft_tokens + 1 positions per sequence is
    compute-bound (FLOP time above memory time in spec_verify_step_time);
    draft_tokens=0 gives the plain decode step. math.inf when it never is: each
    added sequence brings more KV reading time than FLOP time, which happens at
    long context. Ignores whether that many sequences fit in memory."""
    if draft_tokens < 0 or int(draft_tokens) != draft_tokens:
        raise ValueError("draft_tokens is a whole number >= 0")
    weights, kv, flops = _spec_terms(model, gpu, weight_dtype, context_tokens, kv_dtype, gpu_count)
    per_sequence = (draft_tokens + 1) * flops - kv
    if per_sequence <= 0:
        return math.inf
    return float(math.floor(weights / per_sequence) + 1)


def spec_crossover_batch(acceptance_rate: float, draft_tokens: int, draft_cost_ratio: float,
                         model: Model | str, gpu: GPU | str, weight_dtype: str = "bf16", context_tokens: int = 0,
                         kv_dtype: str = "bf16", gpu_count: int = 1) -> float:
    """Smallest batch at which spec_speedup_at_batch falls below 1, that is where
    speculation starts to cost throughput. 1 if it never pays; math.inf if it pays
    at every batch (the verification pass's cost ratio tends to
    (draft_tokens + 1) x FLOP time / (FLOP time + KV time) per sequence, and at
    long context that stays below the tokens gained). Closed form from the
    roofline, then checked against spec_speedup_at_batch. Same omissions as
    spec_speedup_at_batch; ignores whether that many sequences fit in memory."""
    gain = spec_tokens_per_step(acceptance_rate, draft_tokens) - draft_tokens * draft_cost_ratio
    weights, kv, flops = _spec_terms(model, gpu, weight_dtype, context_tokens, kv_dtype, gpu_count)
    if draft_cost_ratio < 0:
        raise ValueError("draft_cost_ratio must be >= 0")
    if gain < 1:
        return 1.0
    if gain >= draft_tokens + 1:  # verification never costs more than draft_tokens + 1 plain steps
        return math.inf
    # loses when (k + 1) B F > gain (W + B K), i.e. B ((k + 1) F - gain K) > gain W
    per_sequence = (draft_tokens + 1) * flops - gain * kv
    if per_sequence <= 0:
        return math.inf
    batch = math.floor(gain * weights / per_sequence) + 1

    def loses(b: int) -> bool:
        return spec_speedup_at_batch(acceptance_rate, draft_tokens, draft_cost_ratio, model, gpu, weight_dtype, b,
                                     context_tokens, kv_dtype, gpu_count) < 1

    while batch > 1 and loses(batch - 1):  # guard the closed form against rounding at the boundary
        batch -= 1
    while not loses(batch):
        batch += 1
    return float(batch)


# --- cost and capacity ----------------------------------------------------------------

def cost_per_million_tokens(gpu_hourly_usd: float, gpu_count: int, tokens_per_s: float,
                            utilization: float = 1.0) -> float:
    """US dollars per million tokens when `gpu_count` GPUs at `gpu_hourly_usd`
    sustain `tokens_per_s` while busy, and are busy `utilization` of the time."""
    if tokens_per_s <= 0 or not 0 < utilization <= 1:
        raise ValueError("tokens_per_s must be positive and utilization in (0, 1]")
    return gpu_hourly_usd * gpu_count / (tokens_per_s * utilization * 3600) * 1e6


def gpus_for_traffic(requests_per_s: float, capacity_per_gpu: float, headroom: float = 0.0) -> int:
    """GPUs needed: ceil(requests_per_s x (1 + headroom) / capacity_per_gpu).

    `capacity_per_gpu` is the SLO-constrained capacity per GPU (docs/metrics/goodput.md#slo-constrained-capacity):
    the highest offered load, in requests/s, at which the share of requests meeting all their latency
    objectives stays at or above the target share. It is not goodput measured at one load. Leaves out
    rounding up to whole replicas of the tensor-parallel size and spare replicas for failures."""
    if capacity_per_gpu <= 0 or requests_per_s < 0 or headroom < 0:
        raise ValueError("capacity_per_gpu must be positive; rate and headroom non-negative")
    need = requests_per_s * (1 + headroom) / capacity_per_gpu
    return max(0, math.ceil(round(need, 9)))


def littles_law_concurrency(arrival_rate: float, time_in_system_s: float) -> float:
    """Mean requests in the system L = lambda x W."""
    return arrival_rate * time_in_system_s
