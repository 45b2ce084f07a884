"""Quantities with units, as written in data/ ("80 GB", "3.35 TB/s")."""
from __future__ import annotations

import re

# unit -> (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {
    "B": ("bytes", 1), "KB": ("bytes", 1e3), "MB": ("bytes", 1e6), "GB": ("bytes", 1e9),
    "TB": ("bytes", 1e12), "KiB": ("bytes", 2**10), "MiB": ("bytes", 2**20),
    "GiB": ("bytes", 2**30), "TiB": ("bytes", 2**40),
    "B/s": ("bytes/s", 1), "MB/s": ("bytes/s", 1e6), "GB/s": ("bytes/s", 1e9),
    "TB/s": ("bytes/s", 1e12), "Gb/s": ("bytes/s", 1e9 / 8), "Tb/s": ("bytes/s", 1e12 / 8),
    "FLOP/s": ("flop/s", 1), "GFLOPS": ("flop/s", 1e9), "TFLOPS": ("flop/s", 1e12),
    "PFLOPS": ("flop/s", 1e15), "TOPS": ("flop/s", 1e12), "POPS": ("flop/s", 1e15),
    "FLOPs": ("flop", 1), "GFLOPs": ("flop", 1e9), "TFLOPs": ("flop", 1e12), "PFLOPs": ("flop", 1e15),
    "W": ("watts", 1), "kW": ("watts", 1e3),
    "s": ("seconds", 1), "ms": ("seconds", 1e-3), "us": ("seconds", 1e-6), "µs": ("seconds", 1e-6),
    "min": ("seconds", 60), "h": ("seconds", 3600),
    "tokens": ("tokens", 1), "K tokens": ("tokens", 1e3), "M tokens": ("tokens", 1e6),
    "tokens/s": ("tokens/s", 1), "requests/s": ("requests/s", 1),
    "FLOP/B": ("flop/byte", 1), "USD": ("usd", 1),
    "%": ("fraction", 0.01), "x": ("ratio", 1), "": ("count", 1),
}

_QTY = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$")


class UnitError(ValueError):
    pass


def parse_quantity(text: object, dimension: str) -> float:
    """'3.35 TB/s' -> 3.35e12 for dimension 'bytes/s'; raises UnitError."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise UnitError(f"expected a quantity like '80 GB', got {text!r}")
    match = _QTY.match(str(text))
    if not match:
        raise UnitError(f"expected '<number> <unit>', got {text!r}")
    number, unit = float(match.group(1)), (match.group(2) or "")
    if unit not in UNITS:
        raise UnitError(f"unknown unit {unit!r} in {text!r}")
    dim, factor = UNITS[unit]
    if dim != dimension:
        raise UnitError(f"{text!r} is in {dim}, expected {dimension}")
    return number * factor


def convert(value: float, unit: str) -> float:
    """Base-unit value -> value in `unit`."""
    if unit not in UNITS:
        raise UnitError(f"unknown unit {unit!r}; known: {', '.join(sorted(u for u in UNITS if u))}")
    return value / UNITS[unit][1]


def dimension_of(unit: str) -> str:
    if unit not in UNITS:
        raise UnitError(f"unknown unit {unit!r}; known: {', '.join(sorted(u for u in UNITS if u))}")
    return UNITS[unit][0]
