"""Load and validate the facts in data/: model configurations and accelerators.

Every entry must carry a source and a retrieval date. A bad entry raises a
HandbookError naming ``file:key`` (for example ``data/gpus.yml:h100-sxm.memory``)
and what to do about it.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from handbook import DATA
from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError
from handbook.units import UnitError, parse_quantity

ATTENTION_KINDS = {"mha", "gqa", "mqa", "mla"}
ARCHITECTURES = {"dense", "moe"}
STATUSES = {"shipping", "announced"}
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
)


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
        if name in self.__dataclass_fields__ and name not in ("extra", "raw"):
            return getattr(self, name)
        return self.extra.get(name, self.raw.get(name, default))


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

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.__dataclass_fields__ and name != "raw":
            return getattr(self, name)
        return self.raw.get(name, default)


# (file, entry id) -> the entry as loaded, so that errors can name the line of the field at fault
_LOCATED: dict[tuple[str, str], Any] = {}


def _line(path: Path, entry_id: str, key: str | None) -> int:
    """The line of `entry_id.key` (nested keys and list indexes followed as far as they go), else of the entry."""
    node = _LOCATED.get((str(path), entry_id.split(".")[0]))
    if node is None:
        return 0
    line = getattr(node, "line", 0)
    for part in [*entry_id.split(".")[1:], *(key.split(".") if key else [])]:
        part, _, index = part.partition("[")
        lines = getattr(node, "key_lines", {}) or {}
        if not isinstance(node, dict) or part not in node:
            break
        line = lines.get(part, line)
        node = node[part]
        if index and isinstance(node, list):
            position = int(index.rstrip("]"))
            if position < len(node):
                node = node[position]
                line = getattr(node, "line", line)
    return line


def _where(path: Path, entry_id: str, key: str | None = None) -> str:
    """`data/gpus.yml:42 (h100-sxm.memory.capacity)`: the line to open and the field it holds."""
    line = _line(path, entry_id, key)
    name = f"{entry_id}" + (f".{key}" if key else "")
    return f"{relpath(path)}:{line} ({name})" if line else f"{relpath(path)} ({name})"


def _require(entry: dict, key: str, path: Path, entry_id: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise HandbookError(_where(path, entry_id, key), f"missing required field {key!r}.",
                            f"add `{key}:` to this entry (see CONTRIBUTING.md, 'Data').")
    return entry[key]


def _check_provenance(entry: dict, path: Path, entry_id: str) -> None:
    source = _require(entry, "source", path, entry_id)
    if not str(source).startswith(("https://", "http://")):
        raise HandbookError(_where(path, entry_id, "source"), f"source {source!r} is not a URL.",
                            "give the primary source's address (datasheet, config.json, paper).")
    retrieved = _require(entry, "retrieved", path, entry_id)
    if not isinstance(retrieved, _dt.date):
        try:
            _dt.date.fromisoformat(str(retrieved))
        except ValueError:
            raise HandbookError(_where(path, entry_id, "retrieved"),
                                f"retrieved date {retrieved!r} is not YYYY-MM-DD.",
                                "write the date you read the source, e.g. 2026-11-27.") from None


def _entries(path: Path) -> list[dict]:
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise HandbookError(relpath(path), "expected a YAML list of entries.",
                            "start each entry with '- id: ...'.")
    seen: set[str] = set()
    for index, entry in enumerate(doc):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise HandbookError(f"{relpath(path)}:{getattr(entry, 'line', '#' + str(index))}",
                                "entry without an `id`.", "give every entry a unique lowercase id.")
        entry_id = str(entry["id"])
        _LOCATED[(str(path), entry_id)] = entry
        if entry_id in seen:
            raise HandbookError(_where(path, entry_id), f"duplicate id {entry_id!r}.",
                                "ids must be unique; rename one entry.")
        seen.add(entry_id)
    return doc


def _positive_int(entry: dict, key: str, path: Path, entry_id: str, required: bool) -> int | None:
    if key not in entry:
        if required:
            _require(entry, key, path, entry_id)
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HandbookError(_where(path, entry_id, key), f"expected a positive whole number, got {value!r}.",
                            "write the integer from the model's config.json.")
    return value


def _positive_number(entry: dict, key: str, path: Path, entry_id: str) -> float:
    value = _require(entry, key, path, entry_id)
    if isinstance(value, str):  # YAML 1.1 reads 8.03e9 (no sign in the exponent) as text
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise HandbookError(_where(path, entry_id, key), f"expected a positive number, got {value!r}.",
                            "write a plain number such as 8.03e9.")
    return float(value)


def parse_model(entry: dict, path: Path) -> Model:
    entry_id = str(entry["id"])
    _check_provenance(entry, path, entry_id)
    arch = _require(entry, "architecture", path, entry_id)
    if arch not in ARCHITECTURES:
        raise HandbookError(_where(path, entry_id, "architecture"), f"unknown architecture {arch!r}.",
                            f"use one of {sorted(ARCHITECTURES)}.")
    attention = _require(entry, "attention", path, entry_id)
    if attention not in ATTENTION_KINDS:
        raise HandbookError(_where(path, entry_id, "attention"), f"unknown attention kind {attention!r}.",
                            f"use one of {sorted(ATTENTION_KINDS)}.")
    ints = {key: _positive_int(entry, key, path, entry_id, True) for key in MODEL_INT_FIELDS}
    extra = {key: _positive_int(entry, key, path, entry_id, False) for key in MODEL_OPTIONAL_INT if key in entry}
    if attention == "mla":
        for key in ("kv_lora_rank", "qk_rope_head_dim"):
            if key not in extra:
                _require(entry, key, path, entry_id)
    if "num_sliding_layers" in extra and extra["num_sliding_layers"] > ints["num_layers"]:
        raise HandbookError(_where(path, entry_id, "num_sliding_layers"),
                            "more sliding-window layers than layers.", "check the layer pattern in config.json.")
    if "num_sliding_layers" in extra and "sliding_window" not in extra:
        _require(entry, "sliding_window", path, entry_id)
    if arch == "moe":
        for key in ("num_experts", "experts_per_token"):
            if key not in extra:
                _require(entry, key, path, entry_id)
    total = _positive_number(entry, "params_total", path, entry_id)
    active = _positive_number(entry, "params_active", path, entry_id)
    if active > total:
        raise HandbookError(_where(path, entry_id, "params_active"), "active parameters exceed total parameters.",
                            "params_active is per token; for dense models it equals params_total.")
    return Model(id=entry_id, name=str(_require(entry, "name", path, entry_id)), architecture=arch,
                 attention=attention, params_total=total, params_active=active, source=str(entry["source"]),
                 retrieved=str(entry["retrieved"]), extra=extra, raw=dict(entry), **ints)


def _quantity(entry: dict, key: str, dimension: str, path: Path, entry_id: str, required: bool = True):
    if key not in entry:
        if required:
            _require(entry, key, path, entry_id)
        return None
    try:
        return parse_quantity(entry[key], dimension)
    except UnitError as exc:
        raise HandbookError(_where(path, entry_id, key), f"{exc}.",
                            f"write it as '<number> <unit>' with a unit of {dimension}.") from None


def _precision_table(entry: dict, key: str, path: Path, entry_id: str) -> dict:
    table = entry.get(key) or {}
    if not isinstance(table, dict):
        raise HandbookError(_where(path, entry_id, key), "expected a mapping of precision to throughput.",
                            "e.g. `bf16: 989.5 TFLOPS`.")
    out = {}
    for precision in table:
        if precision not in PRECISIONS:
            raise HandbookError(_where(path, entry_id, f"{key}.{precision}"), f"unknown precision {precision!r}.",
                                f"use one of {sorted(PRECISIONS)}.")
        out[precision] = _quantity(table, precision, "flop/s", path, f"{entry_id}.{key}")
    return out


def _memory(entry: dict, path: Path, entry_id: str) -> dict:
    """The `memory:` mapping: label as printed, binary capacity, the basis for reading it, what a tool reported."""
    memory = _require(entry, "memory", path, entry_id)
    if not isinstance(memory, dict):
        raise HandbookError(_where(path, entry_id, "memory"), f"expected a mapping, got {memory!r}.",
                            "write `memory:` with `label:` (as printed), `capacity:` (in GiB) and `basis:`; "
                            "see the comment at the top of data/gpus.yml.")
    where = f"{entry_id}.memory"
    label = str(_require(memory, "label", path, where))
    capacity_text = str(_require(memory, "capacity", path, where))
    unit = capacity_text.split()[-1] if capacity_text.split() else ""
    if unit not in BINARY_BYTE_UNITS:
        raise HandbookError(_where(path, where, "capacity"),
                            f"capacity {capacity_text!r} is not in binary units, so it would mix conventions "
                            "with the other accelerators.",
                            f"write it in one of {sorted(BINARY_BYTE_UNITS)} (HBM and GDDR are built in binary sizes; "
                            "say in `basis` why the printed label is read that way).")
    basis = _require(memory, "basis", path, where)
    if basis not in MEMORY_BASES:
        raise HandbookError(_where(path, where, "basis"), f"unknown basis {basis!r}.",
                            f"use one of {sorted(MEMORY_BASES)}.")
    _require(memory, "basis_note", path, where)
    if basis == "vendor-states-binary":
        _require(memory, "basis_source", path, where)
    capacity = _quantity(memory, "capacity", "bytes", path, where)
    reported = {}
    for index, report in enumerate(memory.get("reported") or []):
        at = f"{where}.reported[{index}]"
        if not isinstance(report, dict):
            raise HandbookError(_where(path, at), "expected a mapping with tool, value and by.",
                                "e.g. `- {tool: nvidia-smi, value: 81559 MiB, by: \"...\"}`.")
        tool = _require(report, "tool", path, at)
        if tool not in REPORTING_TOOLS:
            raise HandbookError(_where(path, at, "tool"), f"unknown tool {tool!r}.",
                                f"use one of {sorted(REPORTING_TOOLS)}.")
        value = _quantity(report, "value", "bytes", path, at)
        if value > capacity:
            raise HandbookError(_where(path, at, "value"), "the reported total exceeds the capacity.",
                                "check the tool's unit (nvidia-smi prints MiB) and the capacity.")
        reported[tool] = (value, str(_require(report, "by", path, at)))
    return {"memory": capacity, "memory_label": label, "memory_basis": basis, "memory_reported": reported}


def parse_gpu(entry: dict, path: Path) -> GPU:
    entry_id = str(entry["id"])
    _check_provenance(entry, path, entry_id)
    status = entry.get("status", "shipping")
    if status not in STATUSES:
        raise HandbookError(_where(path, entry_id, "status"), f"unknown status {status!r}.",
                            f"use one of {sorted(STATUSES)}.")
    dense = _precision_table(entry, "dense", path, entry_id)
    if not dense:
        _require(entry, "dense", path, entry_id)
    sparse = _precision_table(entry, "sparse", path, entry_id)
    link = entry.get("interconnect") or {}
    link_bw = (_quantity(link, "bandwidth", "bytes/s", path, f"{entry_id}.interconnect", required=False)
               if link else None)
    direction = link.get("direction") if link else None
    if link_bw is not None and direction not in ("total", "per-direction"):
        raise HandbookError(_where(path, entry_id, "interconnect.direction"),
                            f"direction {direction!r} must be 'total' or 'per-direction'.",
                            "say whether the figure counts both directions.")
    return GPU(id=entry_id, name=str(_require(entry, "name", path, entry_id)),
               vendor=str(_require(entry, "vendor", path, entry_id)), status=status,
               **_memory(entry, path, entry_id),
               memory_bandwidth=_quantity(entry, "memory_bandwidth", "bytes/s", path, entry_id),
               dense=dense, sparse=sparse, interconnect=link_bw, interconnect_direction=direction,
               power=_quantity(entry, "power", "watts", path, entry_id, required=False),
               source=str(entry["source"]), retrieved=str(entry["retrieved"]), raw=dict(entry))


@lru_cache(maxsize=8)
def _load_models(path: Path) -> dict[str, Model]:
    return {str(e["id"]): parse_model(e, path) for e in _entries(path)}


@lru_cache(maxsize=8)
def _load_gpus(path: Path) -> dict[str, GPU]:
    return {str(e["id"]): parse_gpu(e, path) for e in _entries(path)}


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
                problems.append(HandbookError(_where(path, entry_id, "source_ref"),
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
