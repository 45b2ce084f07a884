"""Load and validate the facts in data/: model configurations and accelerators.

Every entry must carry a source and a retrieval date. A bad entry raises a
HandbookError naming the line and the field (for example ``data/gpus.yml:42 (h100-sxm.memory.capacity)``)
and what to do about it; the checks they share with the other loaders are in validate.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from handbook import DATA
from handbook.data.validate import Record, read_records
from handbook.data.yamlsrc import relpath
from handbook.errors import HandbookError
from handbook.units import UnitError, parse_quantity

ATTENTION_KINDS = {"mha", "gqa", "mqa", "mla"}
ARCHITECTURES = {"dense", "moe"}
STATUSES = {"shipping", "announced"}
LINK_DIRECTIONS = ("total", "per-direction", "unstated")   # what a printed link bandwidth counts
MEMORY_BASES = {"vendor-states-binary", "reported-exceeds-decimal", "assumed-binary"}
BINARY_BYTE_UNITS = {"KiB", "MiB", "GiB", "TiB"}
REPORTING_TOOLS = {"pytorch", "nvidia-smi", "rocm-smi"}
PRECISIONS = {"fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4", "int8", "int4"}

MODEL_INT_FIELDS = (
    "num_layers", "hidden_size", "num_attention_heads", "num_kv_heads", "head_dim",
    "intermediate_size", "vocab_size", "max_position_embeddings",
)
MODEL_OPTIONAL_INT = (
    "sliding_window", "num_sliding_layers", "kv_lora_rank", "qk_rope_head_dim",
    "qk_nope_head_dim", "v_head_dim", "num_experts", "experts_per_token", "num_shared_experts",
    "moe_intermediate_size", "num_dense_layers", "q_lora_rank",
    # per-layer attention patterns (see layer_groups): full layers with their own head shape (Gemma 4),
    # chunked local attention (Llama 4), linear / state-space layers (Gated DeltaNet, KDA), KV shared
    # across layers (Gemma 4 E-models), sparse attention with an indexer (DeepSeek Sparse Attention)
    "global_head_dim", "num_global_kv_heads", "attention_chunk_size", "num_chunked_layers",
    "num_linear_layers", "linear_num_key_heads", "linear_num_value_heads", "linear_key_head_dim",
    "linear_value_head_dim", "linear_conv_kernel_dim", "kv_shared_sliding_layers", "kv_shared_full_layers",
    "index_n_heads", "index_head_dim", "index_topk", "index_scale_block", "index_scale_bytes", "num_moe_layers",
)
LINEAR_FIELDS = ("linear_num_key_heads", "linear_num_value_heads", "linear_key_head_dim", "linear_value_head_dim",
                 "linear_conv_kernel_dim")
INDEXER_FIELDS = ("index_n_heads", "index_head_dim", "index_topk", "index_scale_block")


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    architecture: str
    attention: str
    params_total: float
    params_active: float
    num_layers: int
    hidden_size: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    max_position_embeddings: int
    source: str
    retrieved: str
    extra: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)

    def get(self, name: str, default: Any = None) -> Any:
        if name == "layer_groups":
            return layer_groups(self)
        if name in self.__dataclass_fields__ and name not in ("extra", "raw"):
            return getattr(self, name)
        return self.extra.get(name, self.raw.get(name, default))


def layer_groups(m: Model) -> list[dict]:
    """The model's layers grouped by what they keep per sequence, in the form the formulas (and the calculators'
    JavaScript) read. One dict per kind present:

    - ``kind``: ``full`` (a KV entry for every token), ``sliding`` (the last ``window`` tokens), ``chunked`` (at
      most ``window`` tokens: the current chunk, Llama 4), ``linear`` (no KV cache: a fixed recurrent state of
      ``state_values`` numbers per layer and sequence, Gated DeltaNet / KDA), ``sparse`` (a full KV cache plus an
      indexer key per token; attention reads only the ``topk`` entries the indexer selects, DeepSeek Sparse
      Attention).
    - ``layers``: layers of this kind; ``cached_layers``: those that keep their own cache (the others read the
      cache of an earlier layer of the same kind: KV shared across layers).
    - ``entry_values``: numbers cached per token and layer (2 x KV heads x head_dim; MLA: latent + RoPE key).
    - ``heads``, ``head_dim``: query heads and their width, for the attention FLOPs (``mla``: absorbed form).
    - linear layers: ``state_values`` (recurrent state v_heads x d_k x d_v plus the short-convolution state
      (kernel - 1) x conv channels) and ``state_flops`` per token (6 x v_heads x d_k x d_v: read, update and query
      the state; an estimate that leaves out gates and the convolution).
    - sparse layers: ``topk``, ``index_heads``, ``index_dim``, ``index_dtype``, ``index_scale_block`` (the indexer
      cache holds index_dim values at index_dtype plus one scale of index_scale_bytes (FP32: 4) per
      index_scale_block values per token).
    - compressed layers (DeepSeek-V4): ``ratio`` (one cached entry per `ratio` tokens, besides the uncompressed
      ``window`` of the latest tokens that every layer keeps) and ``indexed`` (an indexer selects ``topk`` compressed
      entries, with its own cache of one key per compressed entry; otherwise every compressed entry is read).
    """
    layers = m.num_layers
    if m.attention == "mla":
        entry = m.get("kv_lora_rank") + m.get("qk_rope_head_dim")
    elif m.get("kv_single_tensor"):
        entry = m.num_kv_heads * m.head_dim  # one cached vector serves as key and value (DeepSeek-V4)
    else:
        entry = 2 * m.num_kv_heads * m.head_dim
    base = {"heads": m.num_attention_heads, "head_dim": m.head_dim, "entry_values": entry, "mla": m.attention == "mla"}
    groups = []
    window = m.get("sliding_window")
    chunked = m.get("num_chunked_layers") or 0
    linear = m.get("num_linear_layers") or 0
    compressed = m.get("compressed_layers") or []
    n_compressed = sum(item["layers"] for item in compressed)
    sliding = m.get("num_sliding_layers") or 0
    if window and "num_sliding_layers" not in m.raw:
        sliding = layers - chunked - linear - n_compressed  # every other layer uses the window (Mistral 7B v0.1)
    full = layers - sliding - chunked - linear - n_compressed
    for item in compressed:
        group = {**base, "kind": "compressed", "layers": item["layers"], "cached_layers": item["layers"],
                 "window": window or 0, "ratio": item["ratio"], "indexed": bool(item.get("indexed"))}
        if group["indexed"]:
            group.update(_indexer(m))
        groups.append(group)
    shared_sliding = m.get("kv_shared_sliding_layers") or 0
    shared_full = m.get("kv_shared_full_layers") or 0
    if linear:
        kh, vh = m.get("linear_num_key_heads"), m.get("linear_num_value_heads")
        dk, dv = m.get("linear_key_head_dim"), m.get("linear_value_head_dim")
        conv = (m.get("linear_conv_kernel_dim") - 1) * (2 * kh * dk + vh * dv)
        groups.append({**base, "kind": "linear", "layers": linear, "cached_layers": linear, "entry_values": 0,
                       "state_values": vh * dk * dv + conv, "state_flops": 6 * vh * dk * dv})
    if sliding:
        groups.append({**base, "kind": "sliding", "layers": sliding, "cached_layers": sliding - shared_sliding,
                       "window": window})
    if chunked:
        groups.append({**base, "kind": "chunked", "layers": chunked, "cached_layers": chunked,
                       "window": m.get("attention_chunk_size")})
    if full:
        group = {**base, "kind": "full", "layers": full, "cached_layers": full - shared_full}
        if m.get("global_head_dim") or m.get("num_global_kv_heads"):
            head_dim = m.get("global_head_dim") or m.head_dim
            kv_heads = m.get("num_global_kv_heads") or m.num_kv_heads
            group.update(head_dim=head_dim, entry_values=2 * kv_heads * head_dim)
        if m.get("index_topk"):
            group.update(kind="sparse", **_indexer(m))
        groups.append(group)
    return groups


def _indexer(m: Model) -> dict:
    """The indexer fields of a layer group (sparse and indexed compressed attention)."""
    return {"topk": m.get("index_topk"), "index_heads": m.get("index_n_heads"), "index_dim": m.get("index_head_dim"),
            "index_dtype": m.get("indexer_dtype"), "index_scale_block": m.get("index_scale_block"),
            "index_scale_bytes": m.get("index_scale_bytes") or 4}


@dataclass(frozen=True)
class GPU:
    id: str
    name: str
    vendor: str
    status: str
    memory: float                      # bytes: the capacity the formulas use (binary: 80 GiB for a card printed "80GB")
    memory_label: str                  # the capacity exactly as the vendor prints it ("80GB")
    memory_basis: str                  # why the printed GB is read as GiB (MEMORY_BASES)
    memory_reported: dict              # tool ("pytorch", "nvidia-smi", "rocm-smi") -> (bytes, how and when)
    memory_bandwidth: float            # bytes/s
    dense: dict                        # precision -> FLOP/s (or OP/s for integers)
    sparse: dict
    interconnect: float | None         # bytes/s of the GPU-to-GPU link, as `interconnect_direction` says
    interconnect_direction: str | None
    power: float | None                # watts
    source: str
    retrieved: str
    raw: dict = field(default_factory=dict, repr=False)
    systems: tuple = ()                # System: the vendor's multi-accelerator systems built from this part

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.__dataclass_fields__ and name not in ("raw", "systems"):
            return getattr(self, name)
        return self.raw.get(name, default)


@dataclass(frozen=True)
class System:
    """A vendor system built from one accelerator (an 8-GPU board, a rack): how many accelerators share one
    scale-up domain (NVLink, ICI, NeuronLink) and the domain's link bandwidth as the vendor prints it. Totals of
    memory and bandwidth are derived (count x the per-accelerator figure), never copied."""
    name: str
    accelerators: int                  # accelerators in the system
    scale_up_domain: int               # accelerators that reach each other over the scale-up link
    fabric_bandwidth: float | None     # bytes/s, the domain's aggregate link bandwidth as printed
    fabric_direction: str | None       # 'total', 'per-direction' or 'unstated'
    power: float | None                # watts for the whole system, as printed
    source: str
    retrieved: str


def _check_provenance(record: Record) -> None:
    record.url("source", fix="give the primary source's address (datasheet, config.json, paper).")
    record.date("retrieved", problem=f"retrieved date {record.get('retrieved')!r} is not YYYY-MM-DD.",
                fix="write the date you read the source, e.g. 2026-11-27.")


def _records(path: Path) -> list[Record]:
    """The entries of models.yml or gpus.yml, each with an id, no id twice."""
    no_id, give_id = "entry without an `id`.", "give every entry a unique lowercase id."
    records = []
    seen: dict = {}
    for record in read_records(path, fix="start each entry with '- id: ...'.", item_problem=no_id, item_fix=give_id,
                               guide="CONTRIBUTING.md, 'Data'"):
        records.append(record)
        entry_id = str(record.require("id", problem=no_id, fix=give_id))
        record.label = entry_id
        record.unique("id", seen, entry_id, fix="ids must be unique; rename one entry.")
    return records


def _positive_int(record: Record, key: str, required: bool) -> int | None:
    if key not in record:
        if required:
            record.require(key)
        return None
    value = record[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        record.fail(key, f"expected a positive whole number, got {value!r}.",
                    "write the integer from the model's config.json.")
    return value


def _positive_number(record: Record, key: str) -> float:
    value = record.require(key)
    if isinstance(value, str):  # YAML 1.1 reads 8.03e9 (no sign in the exponent) as text
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        record.fail(key, f"expected a positive number, got {value!r}.", "write a plain number such as 8.03e9.")
    return float(value)


def parse_model(record: Record) -> Model:
    _check_provenance(record)
    arch = record.choice("architecture", ARCHITECTURES)
    attention = record.choice("attention", ATTENTION_KINDS,
                              problem=f"unknown attention kind {record.get('attention')!r}.")
    ints = {key: _positive_int(record, key, True) for key in MODEL_INT_FIELDS}
    extra = {key: _positive_int(record, key, False) for key in MODEL_OPTIONAL_INT if key in record}
    if attention == "mla":
        for key in ("kv_lora_rank", "qk_rope_head_dim"):
            if key not in extra:
                record.require(key)
    if "num_sliding_layers" in extra and extra["num_sliding_layers"] > ints["num_layers"]:
        record.fail("num_sliding_layers", "more sliding-window layers than layers.",
                    "check the layer pattern in config.json.")
    if "num_sliding_layers" in extra and "sliding_window" not in extra:
        record.require("sliding_window")
    _check_layer_pattern(record, ints["num_layers"], extra)
    if arch == "moe":
        for key in ("num_experts", "experts_per_token"):
            if key not in extra:
                record.require(key)
    total = _positive_number(record, "params_total")
    active = _positive_number(record, "params_active")
    if active > total:
        record.fail("params_active", "active parameters exceed total parameters.",
                    "params_active is per token; for dense models it equals params_total.")
    return Model(id=record.label, name=str(record.require("name")), architecture=arch, attention=attention,
                 params_total=total, params_active=active, source=str(record["source"]),
                 retrieved=str(record["retrieved"]), extra=extra, raw=record.data, **ints)


def _compressed_layers(record: Record) -> int:
    """The optional `compressed_layers:` list (DeepSeek-V4): each item `{layers, ratio, indexed}`; the layer count."""
    items = record.get("compressed_layers")
    if items is None:
        return 0
    if not isinstance(items, list) or not items:
        record.fail("compressed_layers", "expected a list of `{layers: N, ratio: R, indexed: true|false}`.",
                    "one item per compression ratio, counted from compress_ratios in config.json.")
    total = 0
    for index in range(len(items)):
        item = record.child(f"compressed_layers[{index}]", "expected a mapping with layers, ratio and indexed.",
                            "e.g. `- {layers: 21, ratio: 4, indexed: true}`.")
        total += _positive_int(item, "layers", True)
        _positive_int(item, "ratio", True)
        item.choice("indexed", (True, False), default=False, problem="indexed must be true or false.",
                    fix="true where an indexer selects the compressed entries (ratio-4 layers of DeepSeek-V4).")
        if item.get("indexed") and "index_topk" not in record:
            record.require("index_topk")
    return total


def _check_layer_pattern(record: Record, num_layers: int, extra: dict) -> None:
    """Per-layer attention patterns: the counts add up, and each kind carries the fields its formula reads."""
    compressed = _compressed_layers(record)
    others = extra.get("num_chunked_layers", 0) + extra.get("num_linear_layers", 0) + compressed
    if "num_sliding_layers" in record:
        sliding = extra.get("num_sliding_layers", 0)
    else:
        sliding = num_layers - others if extra.get("sliding_window") else 0
    special = sliding + others
    if special > num_layers:
        record.fail("num_layers", f"sliding, chunked, linear and compressed layers add up to {special}, more "
                    f"than the {num_layers} layers.", "count each layer once, by its layer_types entry in config.json.")
    if "num_chunked_layers" in extra and "attention_chunk_size" not in extra:
        record.require("attention_chunk_size")
    if "num_linear_layers" in extra:
        for key in LINEAR_FIELDS:
            if key not in extra:
                record.require(key)
    if "kv_single_tensor" in record:
        record.choice("kv_single_tensor", (True, False), problem="kv_single_tensor must be true or false.",
                      fix="true where one cached vector per token serves as both key and value.")
    if "index_topk" in extra:
        for key in INDEXER_FIELDS:
            if key not in extra:
                record.require(key)
        record.choice("indexer_dtype", PRECISIONS, problem=f"indexer_dtype {record.get('indexer_dtype')!r} is not a "
                      "precision.", fix="write the precision the indexer keys are cached in, e.g. fp8.")
    full = num_layers - special
    if extra.get("kv_shared_sliding_layers", 0) > sliding:
        record.fail("kv_shared_sliding_layers", "more KV-sharing sliding layers than sliding layers.",
                    "count the shared layers of each kind from num_kv_shared_layers and layer_types.")
    if extra.get("kv_shared_full_layers", 0) >= max(full, 1):
        record.fail("kv_shared_full_layers", "every full-attention layer shares another's cache, so none keeps one.",
                    "count the shared layers of each kind from num_kv_shared_layers and layer_types.")
    if "num_moe_layers" in extra and extra["num_moe_layers"] > num_layers:
        record.fail("num_moe_layers", "more MoE layers than layers.", "count the layers with a routed MoE block.")
    if "expert_dtype" in record:
        record.choice("expert_dtype", PRECISIONS, problem=f"expert_dtype {record.get('expert_dtype')!r} is not a "
                      "precision.", fix="write the precision the routed experts ship in, e.g. fp4.")


def _quantity(record: Record, key: str, dimension: str, required: bool = True):
    if key not in record:
        if required:
            record.require(key)
        return None
    try:
        return parse_quantity(record[key], dimension)
    except UnitError as exc:
        record.fail(key, f"{exc}.", f"write it as '<number> <unit>' with a unit of {dimension}.")


def _precision_table(record: Record, key: str) -> dict:
    if not record.get(key):
        return {}
    table = record.child(key, "expected a mapping of precision to throughput.", "e.g. `bf16: 989.5 TFLOPS`.")
    out = {}
    for precision in table.data:
        if precision not in PRECISIONS:
            table.fail(precision, f"unknown precision {precision!r}.", f"use one of {sorted(PRECISIONS)}.")
        out[precision] = _quantity(table, precision, "flop/s")
    return out


def _memory(record: Record) -> dict:
    """The `memory:` mapping: label as printed, binary capacity, the basis for reading it, what a tool reported."""
    record.require("memory")
    memory = record.child("memory", fix="write `memory:` with `label:` (as printed), `capacity:` (in GiB) and "
                                        "`basis:`; see the comment at the top of data/gpus.yml.")
    label = str(memory.require("label"))
    capacity_text = str(memory.require("capacity"))
    unit = capacity_text.split()[-1] if capacity_text.split() else ""
    if unit not in BINARY_BYTE_UNITS:
        memory.fail("capacity", f"capacity {capacity_text!r} is not in binary units, so it would mix conventions "
                    "with the other accelerators.",
                    f"write it in one of {sorted(BINARY_BYTE_UNITS)} (HBM and GDDR are built in binary sizes; "
                    "say in `basis` why the printed label is read that way).")
    basis = memory.choice("basis", MEMORY_BASES)
    memory.require("basis_note")
    if basis == "vendor-states-binary":
        memory.require("basis_source")
    capacity = _quantity(memory, "capacity", "bytes")
    reported = {}
    reports = memory.get("reported") or []
    for index in range(len(reports) if isinstance(reports, list) else 1):  # not a list: refused as item 0
        report = memory.child(f"reported[{index}]", "expected a mapping with tool, value and by.",
                              "e.g. `- {tool: nvidia-smi, value: 81559 MiB, by: \"...\"}`.")
        tool = report.choice("tool", REPORTING_TOOLS)
        value = _quantity(report, "value", "bytes")
        if value > capacity:
            report.fail("value", "the reported total exceeds the capacity.",
                        "check the tool's unit (nvidia-smi prints MiB) and the capacity.")
        reported[tool] = (value, str(report.require("by")))
    return {"memory": capacity, "memory_label": label, "memory_basis": basis, "memory_reported": reported}


def parse_gpu(record: Record) -> GPU:
    _check_provenance(record)
    status = record.choice("status", STATUSES, default="shipping")
    dense = _precision_table(record, "dense")
    if not dense:
        record.require("dense")
    sparse = _precision_table(record, "sparse")
    link_bw = direction = None
    if record.get("interconnect"):
        link = record.child("interconnect", fix="write `interconnect:` with `name:`, `bandwidth:` and `direction:`.")
        link_bw = _quantity(link, "bandwidth", "bytes/s", required=False)
        direction = link.get("direction")
        if link_bw is not None:
            link.choice("direction", LINK_DIRECTIONS, default=None,
                        problem=f"direction {direction!r} must be one of {', '.join(LINK_DIRECTIONS)}.",
                        fix="say whether the figure counts both directions ('unstated' where the source does not).")
    return GPU(id=record.label, name=str(record.require("name")), vendor=str(record.require("vendor")),
               status=status, **_memory(record),
               memory_bandwidth=_quantity(record, "memory_bandwidth", "bytes/s"),
               dense=dense, sparse=sparse, interconnect=link_bw, interconnect_direction=direction,
               power=_quantity(record, "power", "watts", required=False),
               source=str(record["source"]), retrieved=str(record["retrieved"]), raw=record.data,
               systems=_systems(record))


def _systems(record: Record) -> tuple:
    """The optional `systems:` list of a GPU entry: each a vendor system with its own source."""
    entries = record.get("systems") or []
    out = []
    for index in range(len(entries) if isinstance(entries, list) else 1):  # not a list: refused as item 0
        item = record.child(f"systems[{index}]", "expected a mapping with name, accelerators, scale_up_domain, "
                            "source and retrieved.", "see the b300 entry in data/gpus.yml.")
        _check_provenance(item)
        count = _positive_int(item, "accelerators", True)
        domain = _positive_int(item, "scale_up_domain", True)
        if domain > count:
            item.fail("scale_up_domain", "the scale-up domain is larger than the system.",
                      "give the number of accelerators that share one NVLink/ICI domain inside this system.")
        bandwidth = direction = None
        if "fabric_bandwidth" in item:
            bandwidth = _quantity(item, "fabric_bandwidth", "bytes/s")
            direction = item.choice("fabric_direction", LINK_DIRECTIONS,
                                    problem=f"fabric_direction {item.get('fabric_direction')!r} must be one of "
                                            f"{', '.join(LINK_DIRECTIONS)}.",
                                    fix="say whether the printed figure counts both directions.")
        out.append(System(name=str(item.require("name")), accelerators=count, scale_up_domain=domain,
                          fabric_bandwidth=bandwidth, fabric_direction=direction,
                          power=_quantity(item, "power", "watts", required=False),
                          source=str(item["source"]), retrieved=str(item["retrieved"])))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_models(path: Path) -> dict[str, Model]:
    return {record.label: parse_model(record) for record in _records(path)}


@lru_cache(maxsize=8)
def _load_gpus(path: Path) -> dict[str, GPU]:
    return {record.label: parse_gpu(record) for record in _records(path)}


def load_models(path: Path | None = None) -> dict[str, Model]:
    return _load_models(Path(path or DATA / "models.yml"))


def load_gpus(path: Path | None = None) -> dict[str, GPU]:
    return _load_gpus(Path(path or DATA / "gpus.yml"))


def clear_cache() -> None:
    _load_models.cache_clear()
    _load_gpus.cache_clear()


def model(model_id: str) -> Model:
    models = load_models()
    if model_id not in models:
        raise KeyError(f"unknown model {model_id!r}; known: {', '.join(sorted(models))}")
    return models[model_id]


def gpu(gpu_id: str) -> GPU:
    gpus = load_gpus()
    if gpu_id not in gpus:
        raise KeyError(f"unknown GPU {gpu_id!r}; known: {', '.join(sorted(gpus))}")
    return gpus[gpu_id]


def check_source_refs(known_keys: set[str]) -> list[HandbookError]:
    """Every `source_ref` in models.yml and gpus.yml names a bibliography key; reported at the data file's line
    (a reference table would otherwise report it against the generated page)."""
    problems = []
    for path, entries in ((DATA / "models.yml", load_models()), (DATA / "gpus.yml", load_gpus())):
        for entry_id, entry in entries.items():
            key = entry.raw.get("source_ref")
            if key and key not in known_keys:
                problems.append(HandbookError(Record(relpath(path), entry.raw, entry_id).where("source_ref"),
                                              f"source_ref {key!r} is not a key in data/bibliography/.",
                                              "use the id of an existing source, or add the source first "
                                              "(CONTRIBUTING.md, 'Citations')."))
    return problems


# The dimension of each numeric GPU field, under the name the data file uses (data/gpus.yml).
GPU_FIELD_DIMENSIONS = {"memory": "bytes", "memory_bandwidth": "bytes/s", "power": "watts", "interconnect": "bytes/s"}


def field(entry: Model | GPU, name: str) -> tuple[Any, str]:
    """(value, dimension) of a field of a model or GPU, by its name in the data file:
    `num_layers`, `memory`, `memory_reported.nvidia-smi`, `dense.bf16`, `name` (text)."""
    if isinstance(entry, GPU) and name.startswith(("dense.", "sparse.")):
        table, precision = name.split(".", 1)
        values = getattr(entry, table)
        if precision not in values:
            raise KeyError(f"{entry.id} has no {table} {precision} figure")
        return values[precision], "flop/s"
    if isinstance(entry, GPU) and name.startswith("memory_reported."):
        tool = name.split(".", 1)[1]
        if tool not in entry.memory_reported:
            raise KeyError(f"{entry.id} has no total reported by {tool!r} in data/gpus.yml; "
                           f"reported by: {', '.join(sorted(entry.memory_reported)) or 'none'}")
        return entry.memory_reported[tool][0], "bytes"
    value = entry.get(name)
    if value is None:
        raise KeyError(f"{entry.id} has no field {name!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value), "text"
    return value, GPU_FIELD_DIMENSIONS.get(name, "count") if isinstance(entry, GPU) else "count"
