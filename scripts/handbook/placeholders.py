"""Data placeholders: `{{< name key=value ... >}}` in a page becomes a number.

The syntax is data, not code: a name from REGISTRY, then positional values or
key=value pairs. Formatting options: `unit=GiB` (convert from the base unit and
print the unit), `digits=1` (decimals), `bare=1` (no unit suffix). An unknown
name, model, GPU or argument fails the build with `page:line`.

    {{< kv_bytes_per_token model=llama-3.1-8b kv_dtype=bf16 unit=KiB >}}  ->  128 KiB
    {{< gpu h100-sxm memory_bandwidth unit=TB/s >}}                        ->  3.35 TB/s
    {{< model qwen3-32b head_dim >}}                                       ->  128
"""
from __future__ import annotations

import inspect
import re
import shlex
from typing import Any, Callable

from . import data, formulas
from .errors import HandbookError
from .units import UNITS, UnitError, convert, dimension_of

PATTERN = re.compile(r"\{\{<\s*(.*?)\s*>\}\}")

# name -> (function, dimension of its result)
REGISTRY: dict[str, tuple[Callable[..., Any], str]] = {
    "weight_bytes": (formulas.weight_bytes, "bytes"),
    "kv_bytes": (formulas.kv_bytes, "bytes"),
    "kv_bytes_per_token": (formulas.kv_bytes_per_token, "bytes"),
    "kv_budget_bytes": (formulas.kv_budget_bytes, "bytes"),
    "max_sequences": (formulas.max_sequences, "count"),
    "max_kv_tokens": (formulas.max_kv_tokens, "tokens"),
    "flops_per_token": (formulas.flops_per_token, "flop"),
    "prefill_flops": (formulas.prefill_flops, "flop"),
    "peak_flops": (formulas.peak_flops, "flop/s"),
    "ridge_point": (formulas.ridge_point, "flop/byte"),
    "gemm_intensity": (formulas.gemm_intensity, "flop/byte"),
    "decode_step_time": (formulas.decode_step_time, "seconds"),
    "decode_tokens_per_s": (formulas.decode_tokens_per_s, "tokens/s"),
    "prefill_time": (formulas.prefill_time, "seconds"),
    "spec_tokens_per_step": (formulas.spec_tokens_per_step, "count"),
    "spec_speedup": (formulas.spec_speedup, "ratio"),
    "spec_verify_step_time": (formulas.spec_verify_step_time, "seconds"),
    "spec_speedup_at_batch": (formulas.spec_speedup_at_batch, "ratio"),
    "spec_compute_bound_batch": (formulas.spec_compute_bound_batch, "count"),
    "spec_crossover_batch": (formulas.spec_crossover_batch, "count"),
    "cost_per_million_tokens": (formulas.cost_per_million_tokens, "usd"),
    "gpus_for_traffic": (formulas.gpus_for_traffic, "count"),
    "littles_law_concurrency": (formulas.littles_law_concurrency, "count"),
}
# Block-level generators (tables, lists) register here: name -> callable(**kw) -> Markdown.
BLOCKS: dict[str, Callable[..., str]] = {}

GPU_FIELD_DIMENSIONS = {"memory": "bytes", "memory_bandwidth": "bytes/s", "power": "watts",
                        "interconnect": "bytes/s"}
COUNT_UNITS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
FORMAT_KEYS = {"unit", "digits", "bare"}


def _coerce(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def format_number(value: float, digits: int | None = None) -> str:
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 or float(value).is_integer() else 1 if size >= 10 else 2 if size >= 0.1 else 3
    return f"{value:,.{digits}f}"


def format_value(value: Any, dimension: str, unit: str | None = None, digits: int | None = None,
                 bare: bool = False) -> str:
    if isinstance(value, str):
        return value
    if dimension == "bytes" and value < 0:
        # A negative KV budget means the weights alone do not fit; printing "-48.9 GiB" hides that.
        raise ValueError(f"the result is a negative memory size ({format_number(value / 2**30, 1)} GiB): the weights "
                         "alone do not fit the memory given. Say that in words, or show weight_bytes against the "
                         "GPU memory, or use max_sequences (0 when nothing fits)")
    if unit in COUNT_UNITS:
        if dimension != "count":
            raise UnitError(f"unit {unit!r} is for plain counts, this value is in {dimension}")
        text = format_number(value / COUNT_UNITS[unit], digits)
        return text if bare else f"{text}\u00a0{unit}"
    if unit is not None:
        if unit not in UNITS or dimension_of(unit) != dimension:
            known = sorted(u for u, (d, _) in UNITS.items() if d == dimension and u)
            raise UnitError(f"unit {unit!r} does not measure {dimension}; use one of {known}")
        text = format_number(convert(value, unit), digits)
        return text if bare or not unit else f"{text}\u00a0{unit}"
    defaults = {"bytes": "GB", "bytes/s": "GB/s", "flop/s": "TFLOPS", "flop": "GFLOPs",
                "seconds": "ms", "tokens/s": "tokens/s", "flop/byte": "FLOP/B", "watts": "W"}
    if dimension in defaults:
        return format_value(value, dimension, defaults[dimension], digits, bare)
    if dimension == "usd":
        text = format_number(value, 2 if digits is None else digits)
        return text if bare else f"${text}"
    if dimension == "ratio":
        text = format_number(value, 2 if digits is None else digits)
        return text if bare else f"{text}\u00d7"
    return format_number(value, digits)


def _field(entry: Any, name: str, dimensions: dict[str, str]) -> tuple[Any, str]:
    if name.startswith(("dense.", "sparse.")):
        table, precision = name.split(".", 1)
        values = getattr(entry, table)
        if precision not in values:
            raise KeyError(f"{entry.id} has no {table} {precision} figure")
        return values[precision], "flop/s"
    if name.startswith("memory_reported."):   # memory_reported.nvidia-smi: the total that tool reported
        tool = name.split(".", 1)[1]
        if tool not in entry.memory_reported:
            raise KeyError(f"{entry.id} has no total reported by {tool!r} in data/gpus.yml; "
                           f"reported by: {', '.join(sorted(entry.memory_reported)) or 'none'}")
        return entry.memory_reported[tool][0], "bytes"
    attr = {"memory": "memory_bytes", "interconnect": "interconnect_bandwidth", "power": "power_w"}.get(name, name)
    value = entry.get(attr)
    if value is None:
        raise KeyError(f"{entry.id} has no field {name!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value), "text"
    return value, dimensions.get(name, "count")


def evaluate(expression: str) -> str:
    """Evaluate the inside of one placeholder; raises KeyError/ValueError/UnitError."""
    try:
        words = shlex.split(expression)
    except ValueError as exc:
        raise ValueError(f"cannot read the placeholder: {exc}") from None
    if not words:
        raise ValueError("empty placeholder")
    name, rest = words[0], words[1:]
    positional = [w for w in rest if "=" not in w]
    options = dict(w.split("=", 1) for w in rest if "=" in w)
    fmt = {k: options.pop(k) for k in list(options) if k in FORMAT_KEYS}
    unit = fmt.get("unit")
    digits = int(fmt["digits"]) if "digits" in fmt else None
    bare = fmt.get("bare", "0") not in ("0", "false", "no")
    if name in BLOCKS:
        return BLOCKS[name](*positional, **options)
    if name == "calc":  # the expression may hold '=' (keyword arguments), so it is the first word, whole
        extra = [w for w in rest[1:] if w.split("=", 1)[0] not in FORMAT_KEYS]
        if not rest or extra:
            raise ValueError('write {{< calc "EXPRESSION" unit=UNIT >}} with the expression in double quotes')
        from . import calc

        value = calc.evaluate(rest[0], {key: fn for key, (fn, _dim) in REGISTRY.items()})
        dimension = dimension_of(unit) if unit and unit not in COUNT_UNITS else "count"
        return format_value(value, dimension, unit, digits, bare)
    if name in ("model", "gpu"):
        if len(positional) != 2 or options:
            raise ValueError(f"write {{{{< {name} ID FIELD >}}}}, e.g. {{{{< model llama-3.1-8b num_layers >}}}}")
        entry = data.model(positional[0]) if name == "model" else data.gpu(positional[0])
        dims = GPU_FIELD_DIMENSIONS if name == "gpu" else {}
        value, dimension = _field(entry, positional[1], dims)
        if name == "gpu" and positional[1].startswith("memory") and dimension == "bytes" and unit is None:
            unit = "GiB" if positional[1] == "memory" else "MiB"   # capacities are binary; tools report MiB
        return format_value(value, dimension, unit, digits, bare)
    if name not in REGISTRY:
        known = ", ".join(sorted([*REGISTRY, *BLOCKS, "model", "gpu", "calc"]))
        raise KeyError(f"unknown placeholder {name!r}; known: {known}")
    function, dimension = REGISTRY[name]
    params = inspect.signature(function).parameters
    for key in options:
        if key not in params:
            raise ValueError(f"{name} takes no argument {key!r}; it takes {', '.join(params)}")
    value = function(*[_coerce(p) for p in positional], **{k: _coerce(v) for k, v in options.items()})
    return format_value(value, dimension, unit, digits, bare)


def _fence_lines(lines: list[str]):
    """Yield (index, line, in_fence) so callers can skip code blocks if they wish."""
    fence = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
            yield index, line, True
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            yield index, line, True
            continue
        yield index, line, False


def render(markdown: str, page: str, first_line: int = 1) -> str:
    """Replace every placeholder in `markdown`; `page` and `first_line` locate errors."""
    if "{{<" not in markdown:
        return markdown
    out = []
    for index, line, _in_fence in _fence_lines(markdown.split("\n")):
        def substitute(match: re.Match) -> str:
            try:
                return evaluate(match.group(1))
            except (KeyError, ValueError, TypeError, UnitError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                raise HandbookError(f"{page}:{first_line + index}", f"placeholder `{match.group(0)}`: {message}.",
                                    "see CONTRIBUTING.md, 'Numbers from data/', for names and arguments.") from None
        out.append(PATTERN.sub(substitute, line))
    return "\n".join(out)
