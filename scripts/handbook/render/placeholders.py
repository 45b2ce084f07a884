"""Data placeholders: `{{< name key=value ... >}}` in a page becomes a number.

The syntax is data, not code: a name declared in scripts/handbook/render/registry.py,
then positional values or key=value pairs. Formatting options: `unit=GiB`
(convert from the base unit and print the unit), `digits=1` (decimals), `bare=1`
(no unit suffix). An unknown name, model, GPU or argument fails the build with
`page:line`.

    {{< kv_bytes_per_token model=llama-3.1-8b kv_dtype=bf16 unit=KiB >}}  ->  128 KiB
    {{< gpu h100-sxm memory_bandwidth unit=TB/s >}}                        ->  3.35 TB/s
    {{< model qwen3-32b head_dim >}}                                       ->  128
    {{< calc "weight_bytes(model='llama-3.1-70b', dtype='bf16') / 8" unit=GB >}}
"""
from __future__ import annotations

import inspect
import re
import shlex
from typing import Any

from handbook import data
from handbook.errors import HandbookError
from handbook.formulas import calc
from handbook.render.formatting import COUNT_UNITS, format_value
from handbook.render.markdown import PLACEHOLDER as PATTERN
from handbook.render.markdown import fence_lines
from handbook.render.registry import BLOCKS, NUMBERS, Page
from handbook.units import UnitError, dimension_of

FORMAT_KEYS = {"unit", "digits", "bare"}


def _coerce(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def evaluate(expression: str, page: Page | None = None) -> str:
    """Evaluate the inside of one placeholder on `page`; raises KeyError/ValueError/UnitError."""
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
        return BLOCKS[name](page or Page(), *positional, **options)
    if name == "calc":  # the expression may hold '=' (keyword arguments), so it is the first word, whole
        extra = [w for w in rest[1:] if w.split("=", 1)[0] not in FORMAT_KEYS]
        if not rest or extra:
            raise ValueError('write {{< calc "EXPRESSION" unit=UNIT >}} with the expression in double quotes')
        value = calc.evaluate(rest[0], {key: fn for key, (fn, _dim) in NUMBERS.items()})
        dimension = dimension_of(unit) if unit and unit not in COUNT_UNITS else "count"
        return format_value(value, dimension, unit, digits, bare)
    if name in ("model", "gpu"):
        if len(positional) != 2 or options:
            raise ValueError(f"write {{{{< {name} ID FIELD >}}}}, e.g. {{{{< model llama-3.1-8b num_layers >}}}}")
        entry = data.model(positional[0]) if name == "model" else data.gpu(positional[0])
        value, dimension = data.field(entry, positional[1])
        if name == "gpu" and positional[1].startswith("memory") and dimension == "bytes" and unit is None:
            unit = "GiB" if positional[1] == "memory" else "MiB"   # capacities are binary; tools report MiB
        return format_value(value, dimension, unit, digits, bare)
    if name not in NUMBERS:
        known = ", ".join(sorted([*NUMBERS, *BLOCKS, "model", "gpu", "calc"]))
        raise KeyError(f"unknown placeholder {name!r}; known: {known}")
    function, dimension = NUMBERS[name]
    params = inspect.signature(function).parameters
    for key in options:
        if key not in params:
            raise ValueError(f"{name} takes no argument {key!r}; it takes {', '.join(params)}")
    value = function(*[_coerce(p) for p in positional], **{k: _coerce(v) for k, v in options.items()})
    return format_value(value, dimension, unit, digits, bare)


def render(markdown: str, where: str, first_line: int = 1, page: Page | None = None) -> str:
    """Replace every placeholder in `markdown` for `page`; `where` (docs/a.md) and `first_line` locate errors."""
    if "{{<" not in markdown:
        return markdown
    out = []
    for index, line, in_fence in fence_lines(markdown.split("\n")):
        if in_fence:  # code shows the syntax; it is not a number to compute
            out.append(line)
            continue

        def substitute(match: re.Match, index: int = index) -> str:
            try:
                return evaluate(match.group(1), page)
            except (KeyError, ValueError, TypeError, UnitError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                raise HandbookError(f"{where}:{first_line + index}", f"placeholder `{match.group(0)}`: {message}.",
                                    "see CONTRIBUTING.md, 'Numbers from data/', for names and arguments.") from None
        out.append(PATTERN.sub(substitute, line))
    return "\n".join(out)
