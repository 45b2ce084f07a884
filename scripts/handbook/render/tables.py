"""The reference tables, as block placeholders (the calculators and explainers are in widgets.py).

A page writes one of these on a line of its own:

    {{< accelerators >}}          the accelerator table and its sources
    {{< models >}}                the model table, derived columns and sources

Every number comes from data/ through scripts/handbook/formulas/.
"""
from __future__ import annotations

import math

from handbook import data, formulas
from handbook.render.formatting import format_number

# --- formatting helpers --------------------------------------------------------


def _num(value: float, digits: int | None = None) -> str:
    return format_number(value, digits)


def _flops(value: float | None, unit: float = 1e12) -> str:
    return "—" if value is None else _num(value / unit)


def _pipe(text: str) -> str:
    return str(text).replace("|", "\\|")


# --- accelerators ------------------------------------------------------------

PRECISION_COLUMNS = (("fp64", "FP64"), ("tf32", "TF32"), ("bf16", "BF16"), ("fp16", "FP16"),
                     ("fp8", "FP8"), ("fp4", "FP4"), ("int8", "INT8"))


def _interconnect(g: data.GPU) -> str:
    if g.interconnect is None:
        return "none (PCIe only)"
    name = (g.raw.get("interconnect") or {}).get("name", "")
    direction = LINK_DIRECTION_WORDS[g.interconnect_direction or "unstated"]
    return f"{_pipe(name)}: {_num(g.interconnect / 1e9)} GB/s ({direction})"


LINK_DIRECTION_WORDS = {"total": "both directions added", "per-direction": "each direction",
                        "unstated": "direction not stated by the vendor"}


def _systems_section(gpus: list) -> list[str]:
    """Multi-accelerator systems (boards, racks) of the GPUs that list them: the scale-up domain and the printed
    fabric bandwidth, with the domain's memory and memory bandwidth derived from the per-accelerator figures."""
    rows = [(g, s) for g in gpus for s in g.systems]
    if not rows:
        return []
    out = ["", "## Systems and scale-up domains {#systems}", "",
           "A model split with tensor or expert parallelism runs best inside one *scale-up domain*: the accelerators "
           "that reach each other over NVLink, ICI or NeuronLink rather than the slower scale-out network. The "
           "domain size and the fabric bandwidth are as the vendor prints them; the domain's memory and memory "
           "bandwidth are *derived* (accelerators in the domain × the per-accelerator figures above).", "",
           "| System | Accelerator | Accelerators | Scale-up domain | Fabric bandwidth (TB/s) | Domain memory (GiB, "
           "derived) | Domain memory bandwidth (TB/s, derived) | Power (kW) | Source (retrieved) |",
           "| --- | --- | --: | --: | --- | --: | --: | --: | --- |"]
    for g, s in rows:
        fabric = "not published" if s.fabric_bandwidth is None else (
            f"{_num(s.fabric_bandwidth / 1e12)} ({LINK_DIRECTION_WORDS[s.fabric_direction]})")
        power = "not published" if s.power is None else _num(s.power / 1e3)
        out.append(f"| {_pipe(s.name)} | {_pipe(g.name)} | {s.accelerators} | {s.scale_up_domain} | {fabric} "
                   f"| {_num(s.scale_up_domain * g.memory / 2**30, 0)} "
                   f"| {_num(s.scale_up_domain * g.memory_bandwidth / 1e12)} | {power} "
                   f"| [{_pipe(g.vendor)}]({s.source}) ({s.retrieved}) |")
    return out


def accelerators_table() -> str:
    gpus = list(data.load_gpus().values())
    out = ["## Memory, bandwidth, links and ridge points {#memory-bandwidth}", "",
           "*Memory as printed* is the vendor's label, copied verbatim. *Capacity* is the number every formula in "
           "this handbook uses: that label read in binary units (1 GiB = 2³⁰ bytes), because HBM and GDDR are built "
           "in binary sizes; the sources below say, for each part, why the printed GB is read as GiB. Bandwidths are "
           "decimal (1 GB/s = 10⁹ bytes per second), as every vendor prints them. The ridge point is dense peak "
           "FLOP/s divided by memory bandwidth (derived).", "",
           "| Accelerator | Status | Memory as printed | Capacity (GiB) | Memory bandwidth (GB/s) | Interconnect "
           "| Power (W) | Ridge point BF16 (FLOP/B) | Ridge point FP8 (FLOP/B) | Source (retrieved) |",
           "| --- | --- | --- | --: | --: | --- | --: | --: | --: | --- |"]
    for g in gpus:
        status = "announced (values may change)" if g.status == "announced" else "shipping"
        memory_type = g.raw.get("memory_type", "")
        ridge = []
        for precision in ("bf16", "fp8"):
            ridge.append(_num(formulas.ridge_point(g, precision), 0) if precision in g.dense else "— (no FP8)"
                         if precision == "fp8" else "—")
        power = _num(g.power, 0) if g.power else "not published"
        out.append(f"| {_pipe(g.name)} | {status} | “{_pipe(g.memory_label)}” {_pipe(memory_type)} "
                   f"| {_num(g.memory / 2**30, 0)} | {_num(g.memory_bandwidth / 1e9, 0)} | {_interconnect(g)} "
                   f"| {power} | {ridge[0]} | {ridge[1]} | [{_pipe(g.vendor)}]({g.source}) ({g.retrieved}) |")
    out += ["", "## Peak tensor throughput, dense / sparse {#throughput}", "",
            "Dense is without structured sparsity; sparse is the 2:4 structured-sparsity figure. TFLOPS for floating "
            "point, TOPS for INT8; “—” means no figure (not supported, or not published).", "",
            "| Accelerator | " + " | ".join(f"{label} dense / sparse" for _, label in PRECISION_COLUMNS) + " |",
            "| --- |" + " --: |" * len(PRECISION_COLUMNS)]
    for g in gpus:
        cells = []
        for precision, _ in PRECISION_COLUMNS:
            dense, sparse = g.dense.get(precision), g.sparse.get(precision)
            if dense is None and sparse is None:
                cells.append("—")
            else:
                cells.append(f"{_flops(dense)} / {_flops(sparse)}")
        out.append(f"| {_pipe(g.name)} | " + " | ".join(cells) + " |")
    out += _systems_section(gpus)
    out += ["", "## Sources {#sources}", ""]
    for g in gpus:
        key = g.raw.get("source_ref")
        cite = f" [@{key}]" if key else ""
        notes = " ".join(str(g.raw.get("notes", "")).split())
        out.append(f"- **{_pipe(g.name)}**: <{g.source}>, retrieved {g.retrieved}.{cite} {notes} "
                   f"*Memory:* {_memory_basis(g)}")
    return "\n".join(out) + "\n"


BASIS_WORDS = {"vendor-states-binary": "the vendor gives the size in GiB",
               "reported-exceeds-decimal": "a real card reports more bytes than the decimal reading allows",
               "assumed-binary": "no source says which; assumed binary like the other parts"}


def _memory_basis(g: data.GPU) -> str:
    """One sentence per accelerator: how its printed label becomes the capacity, and what a tool reported."""
    memory = g.raw.get("memory") or {}
    text = f"printed “{g.memory_label}”, read as {_num(g.memory / 2**30, 0)} GiB ({BASIS_WORDS[g.memory_basis]}). "
    text += " ".join(str(memory.get("basis_note", "")).split())
    if memory.get("basis_source"):
        text += f" (<{memory['basis_source']}>)"
    for tool, (value, how) in sorted(g.memory_reported.items()):
        text += f" Measured with {tool}: {_num(value / 2**20, 0)} MiB ({_num(value / 2**30, 2)} GiB), {how}."
    return text


# --- models -------------------------------------------------------------------

REFERENCE_GPU = "h100-sxm"


def max_context_tokens(model: data.Model | str, gpu: data.GPU | str = REFERENCE_GPU, weight_dtype: str = "bf16",
                       kv_dtype: str = "bf16", gpu_count: int = 1, memory_utilization: float = 0.9) -> float:
    """Longest single sequence whose KV cache fits the budget (sliding-window layers
    counted at their window); math.inf when the cache stops growing inside the budget."""
    m = data.model(model) if isinstance(model, str) else model
    budget = formulas.kv_budget_bytes(m, gpu, weight_dtype, gpu_count, memory_utilization)
    if budget <= 0:
        return 0
    per_token = formulas.kv_bytes_per_token(m, kv_dtype)
    low, high = 0, int(budget // (per_token / m.num_layers)) + 1  # at least one layer grows per token
    if formulas.kv_bytes(m, kv_dtype, high) <= budget:
        return math.inf
    while high - low > 1:
        mid = (low + high) // 2
        if formulas.kv_bytes(m, kv_dtype, mid) <= budget:
            low = mid
        else:
            high = mid
    return low


def _attention(m: data.Model) -> str:
    """The attention column of the models table: the design (_design) and, for MLA, the cached widths."""
    kind = _design(m)
    if m.attention == "mla":
        kind += f" (latent {m.get('kv_lora_rank')} + RoPE {m.get('qk_rope_head_dim')})"
    return kind


def models_table() -> str:
    models = list(data.load_models().values())
    out = ["## Architecture: layers, heads and experts {#architecture}", "", "From each model's `config.json`.", "",
           "| Model | Params total / active | Layers | Hidden | Q heads | KV heads | head_dim | FFN | Vocab "
           "| Experts (routed, per token) | Context | Attention |",
           "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --- | --: | --- |"]
    for m in models:
        experts = (f"{m.get('num_experts')}, {m.get('experts_per_token')}" if m.get("num_experts") else "dense")
        ffn = m.intermediate_size
        if m.get("moe_intermediate_size") and m.get("moe_intermediate_size") != ffn:
            ffn_text = f"{ffn:,} (expert {m.get('moe_intermediate_size'):,})"
        else:
            ffn_text = f"{ffn:,}"
        params = f"{_num(m.params_total / 1e9, 1)} B"
        if m.params_active != m.params_total:
            params += f" / {_num(m.params_active / 1e9, 1)} B"
        out.append(f"| {_pipe(m.name)} | {params} | {m.num_layers} | {m.hidden_size:,} | {m.num_attention_heads} "
                   f"| {m.num_kv_heads} | {m.head_dim} | {ffn_text} | {m.vocab_size:,} | {experts} "
                   f"| {m.max_position_embeddings:,} | {_attention(m)} |")
    gpu = data.gpu(REFERENCE_GPU)
    out += ["", "## Derived sizes: weights, KV cache, longest context {#derived}", "",
            "Computed by `scripts/handbook/formulas/`. Sizes in binary units like the GPU capacities they are compared "
            "with: weights in GiB (2³⁰ bytes), total parameters, no quantization scales; KV cache per token in KiB "
            "with every layer caching every token; "
            f"longest single sequence on one {gpu.name} with BF16 weights, BF16 KV cache and 90% of memory "
            "given to the engine, ignoring activations and CUDA graphs.", "",
            "| Model | Weights 16-bit (GiB) | Weights 8-bit (GiB) | Weights 4-bit (GiB) | KV per token BF16 (KiB) "
            f"| Max context, 1× {_pipe(gpu.name)} (tokens) |",
            "| --- | --: | --: | --: | --: | --: |"]
    for m in models:
        weights = [_num(formulas.weight_bytes(m, d) / 2**30, 1) for d in ("bf16", "fp8", "int4")]
        kv = _num(formulas.kv_bytes_per_token(m, "bf16") / 2**10, 1)
        tokens = max_context_tokens(m)
        if tokens == 0:
            context = "does not fit"
        elif math.isinf(tokens):
            context = "unbounded (every layer windowed)"
        else:
            context = f"{tokens:,}"
            if tokens > m.max_position_embeddings:
                context += " (beyond the model's limit)"
        out.append(f"| {_pipe(m.name)} | {' | '.join(weights)} | {kv} | {context} |")
    out += ["", "## Sources {#sources}", ""]
    for m in models:
        key = m.get("source_ref")
        cite = f" [@{key}]" if key else ""
        note = m.get("source_note") or ""
        out.append(f"- **{_pipe(m.name)}**: <{m.source}>, retrieved {m.retrieved}.{cite} {note}".rstrip())
    return "\n".join(out) + "\n"


# --- KV cache across attention designs (issue 22) ---------------------------------------------------------------

KV_COMPARISON = ("llama-3.1-70b", "glm-4.5", "qwen3-235b-a22b", "deepseek-v3", "kimi-k2", "deepseek-v3.2",
                 "deepseek-v4-flash", "deepseek-v4-pro", "gemma-3-27b", "gemma-4-31b", "gemma-4-e4b", "llama-4-scout",
                 "gpt-oss-120b", "qwen3-next-80b-a3b", "kimi-linear-48b-a3b")
KV_COMPARISON_TOKENS = 32768


def _design(m: data.Model) -> str:
    """The attention design in words, from the model's layer groups."""
    groups = m.get("layer_groups")
    kinds = {g["kind"]: g for g in groups}
    full = "MLA" if m.attention == "mla" else m.attention.upper()
    compressed = [g for g in groups if g["kind"] == "compressed"]
    if compressed:
        parts = [f"{g['layers']} at 1/{g['ratio']}" + (f" (top-{g['topk']:,})" if g["indexed"] else "")
                 for g in compressed]
        if "sliding" in kinds:
            parts.append(f"{kinds['sliding']['layers']} window-only")
        return f"compressed, window {compressed[0]['window']:,}: " + " + ".join(parts)
    if "sparse" in kinds:
        return f"sparse ({full} + indexer, top-{kinds['sparse']['topk']:,})"
    if "linear" in kinds:
        attention = kinds.get("full", {}).get("layers", 0)
        return f"hybrid: {kinds['linear']['layers']} linear + {attention} {full}"
    parts = []
    for kind in ("sliding", "chunked"):
        if kind in kinds:
            parts.append(f"{kinds[kind]['layers']} {kind} ({kinds[kind]['window']:,})")
    shared = sum(g["layers"] - g["cached_layers"] for g in kinds.values())
    if parts:
        if "full" in kinds:
            parts.append(f"{kinds['full']['layers']} full")
        text = f"{full}, " + " + ".join(parts)
        return text + (f"; {shared} layers share KV" if shared else "")
    return full


def kv_comparison_table() -> str:
    """KV cache per token and per 32K-token sequence across attention designs, BF16, from data/models.yml."""
    out = ["| Model | Attention design | Per token, no window (KiB) | One 32K-token sequence (MiB) "
           "| of which fixed state (MiB) | Average per token at 32K (KiB) |",
           "| --- | --- | --: | --: | --: | --: |"]
    for model_id in KV_COMPARISON:
        m = data.model(model_id)
        per_token = formulas.kv_bytes_per_token(m, "bf16") / 2**10
        sequence = formulas.kv_bytes(m, "bf16", KV_COMPARISON_TOKENS)
        state = formulas.state_bytes(m, "bf16")
        state_text = _num(state / 2**20, 1) if state else "–"
        average = _num(sequence / KV_COMPARISON_TOKENS / 2**10, 1)
        out.append(f"| {_pipe(m.name)} | {_pipe(_design(m))} | {_num(per_token, 1)} | {_num(sequence / 2**20, 0)} "
                   f"| {state_text} | {average} |")
    return "\n".join(out) + "\n"


# --- choosing a model for serving (issue 22) -----------------------------------------------------------------------

SERVING_MODELS = ("gemma-4-e4b", "gpt-oss-20b", "gemma-4-31b", "qwen3-32b", "kimi-linear-48b-a3b", "qwen3-next-80b-a3b",
                  "glm-4.5-air", "llama-4-scout", "gpt-oss-120b", "llama-3.1-70b", "qwen3-235b-a22b",
                  "deepseek-v4-flash", "glm-4.5", "llama-4-maverick", "deepseek-v3.2", "kimi-k2", "deepseek-v4-pro")
SERVING_GPU = "h200"
SERVING_TOKENS = 32768
SERVING_SEQUENCES = 32
SERVING_MEMORY_UTILIZATION = 0.9


def gpus_to_hold(model: data.Model | str, gpu: data.GPU | str = SERVING_GPU, weight_dtype: str = "fp8",
                 expert_dtype: str | None = None, sequences: int = SERVING_SEQUENCES, tokens: int = SERVING_TOKENS,
                 memory_utilization: float = SERVING_MEMORY_UTILIZATION) -> int:
    """Fewest GPUs whose memory (at `memory_utilization`) holds the weights and the cache of `sequences` sequences
    of `tokens` tokens (BF16 cache, state included). Memory only: it leaves out activations, the copies tensor
    parallelism adds and the GPU counts a parallel layout allows (usually a power of two)."""
    g = data.gpu(gpu) if isinstance(gpu, str) else gpu
    cache = formulas.kv_bytes(model, "bf16", tokens, sequences)
    need = formulas.weight_bytes(model, weight_dtype, expert_dtype=expert_dtype) + cache
    return math.ceil(need / (g.memory * memory_utilization))


def serving_table() -> str:
    """Memory and decode cost of current models on one accelerator type, from data/models.yml and data/gpus.yml."""
    g = data.gpu(SERVING_GPU)
    out = [f"| Model | Attention | Params total / active (B) | Weights FP8 (GiB) | FP8 with FP4 experts (GiB) "
           f"| Cache per 32K sequence (GiB) | {_pipe(g.name)} GPUs for FP8 weights + {SERVING_SEQUENCES} × 32K "
           f"| Decode bound, batch 1 at 32K, on those GPUs (tokens/s) |",
           "| --- | --- | --: | --: | --: | --: | --: | --: |"]
    for model_id in SERVING_MODELS:
        m = data.model(model_id)
        fp8 = formulas.weight_bytes(m, "fp8") / 2**30
        fp4 = (_num(formulas.weight_bytes(m, "fp8", expert_dtype="fp4") / 2**30, 0)
               if formulas.routed_expert_params(m) else "–")
        cache = formulas.kv_bytes(m, "bf16", SERVING_TOKENS) / 2**30
        gpus = gpus_to_hold(m)
        rate = formulas.decode_tokens_per_s(m, g, "fp8", 1, SERVING_TOKENS, "bf16", gpus, routed_reads=True)
        params = f"{_num(m.params_total / 1e9, 0)} / {_num(m.params_active / 1e9, 1)}"
        out.append(f"| {_pipe(m.name)} | {_pipe(_design(m))} | {params} | {_num(fp8, 0)} | {fp4} | {_num(cache, 2)} "
                   f"| {gpus} | {_num(rate, 0)} |")
    return "\n".join(out) + "\n"
