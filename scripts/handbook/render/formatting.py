"""How the handbook prints a number with its unit: one format for pages, tables and figures."""
from __future__ import annotations

from typing import Any

from handbook.units import UNITS, UnitError, convert, dimension_of

COUNT_UNITS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


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
        if unit == "%":  # US style: 44%, no space
            return text if bare else f"{text}%"
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
