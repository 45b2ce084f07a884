"""Lab numbers read from data/measurements/*.json, so a page quotes what was measured.

    {{< lab_time decode summary.batch1_lean_graph_s unit=ms digits=2 >}}              ->  8.71 ms
    {{< lab_time decode results.lean[batch:1,context:2048].graph unit=ms >}}          ->  8.71 ms
    {{< lab_share ceilings summary.hbm_copy_fraction_of_spec unit=% digits=0 >}}      ->  90 %
    {{< lab_time ceilings results.roofline.points[m:1,k:4096,n:4096].time stat=p90 unit=us >}}

The name says what kind of quantity the value is, because the placeholder machinery formats a
value by the dimension its name was registered with (`unit=` must be a unit of that dimension):

    lab_time (seconds)  lab_bandwidth (bytes/s)  lab_flops (FLOP/s)  lab_bytes  lab_rate (tokens/s)
    lab_share (a fraction; unit=%)  lab_ratio (×)  lab_intensity (FLOP/B)  lab_count (a plain number)
    lab_text (a string or number as the JSON has it, e.g. provenance.pytorch)

and two for the run's provenance:

    {{< lab_provenance decode >}}  ->  NVIDIA H100 80GB HBM3, driver 580.159.04, CUDA 13.0, PyTorch 2.11.0+cu130,
                                       transformers 5.17.0, 2026-11-27
    {{< lab_date decode >}}        ->  2026-11-27

Arguments: FILE is a file name in data/measurements without `.json`. PATH walks the JSON:
keys joined by dots (a key that itself holds a dot, such as `4096@0.25`, is found whole), and
`[key:value,...]` picks the one element of a list whose fields have those values (`[0]` picks by
position). A path that ends at a statistics object (one with a `median`) gives its median;
`stat=p10|p90|mean|min|max|n` gives another statistic. Values are in the JSON's base units
(seconds, bytes, bytes/s, FLOP/s, fractions), which `unit=` converts.

Derived values:
    over=PATH2    the value divided by the value at PATH2 (a share, a ratio, a time per kernel)
    above=PATH2   (value - value at PATH2) / value at PATH2: how far the value sits above the other
PATH2 is in the same file, or in another one when written FILE2:PATH2 (`over=decode:summary.x`).

An unknown file, key or list element fails the build and names what exists there.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from handbook import DATA

MEASUREMENTS = DATA / "measurements"   # HANDBOOK_DATA points tests at another data folder

# placeholder name -> the dimension placeholders.format_value formats it in
KINDS = {
    "lab_time": "seconds",
    "lab_bandwidth": "bytes/s",
    "lab_flops": "flop/s",
    "lab_bytes": "bytes",
    "lab_rate": "tokens/s",
    "lab_share": "fraction",
    "lab_ratio": "ratio",
    "lab_intensity": "flop/byte",
    "lab_count": "count",
}
STATS = ("median", "p10", "p90", "mean", "min", "max", "n")
_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[\]]+")
_CACHE: dict[Path, tuple[tuple[int, int], Any]] = {}


def clear_cache() -> None:
    _CACHE.clear()


def load(name: str, directory: Path | None = None) -> Any:
    """The parsed data/measurements/NAME.json; re-read when the file changes."""
    folder = Path(directory) if directory is not None else MEASUREMENTS
    path = folder / f"{name}.json"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", str(name)) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.json"))) or "none"
        raise KeyError(f"no measurement file {name!r} in data/measurements; files: {known}")
    info = path.stat()
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, json.loads(path.read_text(encoding="utf-8")))
        _CACHE[path] = cached
    return cached[1]


def _same(field: Any, wanted: str) -> bool:
    if isinstance(field, bool) or isinstance(field, (dict, list)):
        return str(field).lower() == wanted.lower()
    if isinstance(field, (int, float)):
        try:
            return float(wanted) == float(field)
        except ValueError:
            return False
    return str(field) == wanted


def _values(items: list, key: str) -> list[str]:
    """The distinct values of field `key` across the list, numbers in order first, for error messages."""
    found = {item[key] for item in items if isinstance(item, dict) and isinstance(item.get(key), (int, float, str))}
    numbers = sorted(v for v in found if not isinstance(v, str))
    words = sorted(v for v in found if isinstance(v, str))
    return [str(v) for v in numbers + words]


def _pick(items: list, selector: str, where: str) -> Any:
    inner = selector[1:-1].strip()
    if re.fullmatch(r"-?\d+", inner):
        index = int(inner)
        if not -len(items) <= index < len(items):
            raise KeyError(f"{where} has {len(items)} elements; index {index} is out of range")
        return items[index]
    wanted = {}
    for pair in filter(None, (p.strip() for p in inner.split(","))):
        if ":" not in pair:
            raise ValueError(f"write a list selector as [key:value,...] or [index], not {selector}")
        key, value = (s.strip() for s in pair.split(":", 1))
        wanted[key] = value
    if not wanted:
        raise ValueError(f"empty selector {selector} after {where}")
    hits = [item for item in items
            if isinstance(item, dict) and all(k in item and _same(item[k], v) for k, v in wanted.items())]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise KeyError(f"{len(hits)} elements of {where} match {selector}; add a field to pick one")
    fields = sorted({k for item in items if isinstance(item, dict) for k, v in item.items()
                     if not isinstance(v, (dict, list))})
    seen = "; ".join(f"{k} in {', '.join(_values(items, k))}" for k in wanted if k in fields) \
        or f"fields: {', '.join(fields)}"
    raise KeyError(f"no element of {where} matches {selector}; {seen}")


def lookup(name: str, path: str, directory: Path | None = None) -> Any:
    """The JSON value at PATH in measurement file NAME (see the module docstring)."""
    node = load(name, directory)
    tokens = _TOKEN.findall(str(path))
    if not tokens:
        raise ValueError("empty path")
    where = f"{name}.json:"
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("["):
            if not isinstance(node, list):
                raise KeyError(f"{where} is not a list; it cannot take {token}")
            node = _pick(node, token, where)
            where += token
            i += 1
            continue
        if not isinstance(node, dict):
            raise KeyError(f"{where} is a {type(node).__name__}, it has no key {token!r}")
        # the longest run of dot-separated words that is a key: '4096@0' + '25' -> '4096@0.25'
        for j in range(len(tokens), i, -1):
            words = tokens[i:j]
            if any(w.startswith("[") for w in words):
                continue
            key = ".".join(words)
            if key in node:
                node = node[key]
                where += key if where.endswith(":") else f".{key}"
                i = j
                break
        else:
            raise KeyError(f"{where} has no key {token!r}; keys: {', '.join(map(str, node))}")
    return node


def _number(name: str, path: str, stat: str | None, kind: str | None = None) -> float:
    node = lookup(name, path)
    if isinstance(node, dict) and "median" in node:
        if kind == "lab_time" and node.get("unit") not in (None, "s"):
            raise ValueError(f"{name}.json:{path} is in {node['unit']!r}, not seconds")
        if kind not in (None, "lab_time") and node.get("unit") == "s":
            raise ValueError(f"{name}.json:{path} is a time in seconds; use lab_time (or over= for a derived value)")
        stat = stat or "median"
        if stat not in node:
            raise KeyError(f"{name}.json:{path} has no statistic {stat!r}; it has "
                           f"{', '.join(k for k in node if k in STATS)}")
        node = node[stat]
    elif stat is not None:
        raise ValueError(f"stat={stat} needs a statistics object (one with a median); {name}.json:{path} is not one")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        if isinstance(node, dict):
            raise ValueError(f"{name}.json:{path} is an object; add one of its keys: {', '.join(map(str, node))}")
        raise ValueError(f"{name}.json:{path} is {node!r}, not a number")
    return float(node)


def value(name: str, path: str, stat: str | None = None, over: str | None = None, above: str | None = None,
          kind: str | None = None) -> float:
    """The number at PATH (statistic `stat` of a statistics object), optionally divided by, or
    compared with, the number at another path (of this file, or FILE2:PATH2)."""
    if over is not None and above is not None:
        raise ValueError("give over= or above=, not both")
    other_path = over if over is not None else above
    x = _number(str(name), str(path), None if stat is None else str(stat),
                kind if other_path is None else None)
    if other_path is None:
        return x
    other_file, other_path = str(name), str(other_path)
    prefix = re.match(r"([A-Za-z0-9_-]+):(?![^\[]*\])", other_path)
    if prefix:
        other_file, other_path = prefix.group(1), other_path[prefix.end():]
    y = _number(other_file, other_path, None if stat is None else str(stat))
    if y == 0:
        raise ValueError(f"{other_file}.json:{other_path} is zero; cannot divide by it")
    return x / y if over is not None else (x - y) / y


def measured(kind: str):
    """The placeholder function for one kind of measured value (registry.NUMBERS lists them)."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind {kind!r}; known: {', '.join(sorted(KINDS))}")

    def placeholder(file: str, path: str, stat: str | None = None, over: str | None = None,
                    above: str | None = None) -> float:
        return value(file, path, stat=stat, over=over, above=above, kind=kind)
    placeholder.__name__ = kind
    placeholder.__doc__ = f"A measured value from data/measurements/FILE.json, formatted as {KINDS[kind]}."
    return placeholder


def lab_text(file: str, path: str) -> str:
    """A string (or a number, as written) from data/measurements/FILE.json, e.g. provenance.pytorch."""
    node = lookup(str(file), str(path))
    if isinstance(node, (dict, list)) or node is None:
        raise ValueError(f"{file}.json:{path} is {type(node).__name__}, not text")
    return str(node)


def lab_date(file: str) -> str:
    """The UTC date (YYYY-MM-DD) the measurement in FILE was taken."""
    return lab_text(file, "provenance.date_utc")[:10]


def lab_provenance(file: str) -> str:
    """GPU, driver, CUDA, PyTorch (and transformers where used) and date of FILE's run."""
    prov = lookup(str(file), "provenance")
    parts = [prov.get("gpu")]
    parts += [f"{label} {prov[key]}" for key, label in (("driver", "driver"), ("cuda", "CUDA"),
                                                          ("pytorch", "PyTorch"), ("transformers", "transformers"))
              if prov.get(key)]
    if prov.get("device") and not str(prov["device"]).startswith("cuda"):
        parts.append(f"run on {prov['device']}")
    return ", ".join(str(p) for p in parts if p) + f", {lab_date(file)}"

