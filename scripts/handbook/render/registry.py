"""Every name a page can write as `{{< NAME ... >}}`, declared in this one module.

NUMBERS maps a name to (function, dimension of its result). The function's
parameters are the placeholder's keyword arguments; the dimension says how the
result is printed and which `unit=` it accepts (scripts/handbook/render/formatting.py).

BLOCKS maps a name to a function of the page being built and the placeholder's
arguments; it returns Markdown (a table, a calculator, a generated page).

`model ID FIELD`, `gpu ID FIELD` and `calc "EXPRESSION"` are read by
scripts/handbook/render/placeholders.py itself, because their first words are not
keyword arguments. To add a placeholder, add one line here and document it in
CONTRIBUTING.md ("Numbers from data/").
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handbook import formulas
from handbook.data import changes as change_log
from handbook.data import measurements
from handbook.formulas import metrics
from handbook.render import changes, citations, engines, glossary, planner_view, tables, widgets


@dataclass(frozen=True)
class Page:
    """What a block needs to know about the page it is written into."""

    src: str = ""                                     # docs-relative path, e.g. reference/glossary.md
    glossary: list = field(default_factory=list)      # glossary entries (data/glossary.yml)
    sources: dict = field(default_factory=dict)       # bibliography key -> Source
    citing: dict = field(default_factory=dict)        # bibliography key -> [(page, title)] citing it
    titles: dict = field(default_factory=dict)        # page -> title


NUMBERS: dict[str, tuple[Callable[..., Any], str]] = {
    # Models and accelerators (data/models.yml, data/gpus.yml) through scripts/handbook/formulas/
    "weight_bytes": (formulas.weight_bytes, "bytes"),
    "kv_bytes": (formulas.kv_bytes, "bytes"),
    "kv_bytes_per_token": (formulas.kv_bytes_per_token, "bytes"),
    "kv_read_bytes": (formulas.kv_read_bytes, "bytes"),
    "state_bytes": (formulas.state_bytes, "bytes"),
    "gpus_to_hold": (tables.gpus_to_hold, "count"),
    "weight_read_bytes": (formulas.weight_read_bytes, "bytes"),
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
    # Serving metrics of a recorded trace (data/traces/) and utilization (scripts/handbook/formulas/metrics.py)
    "trace_metric": (metrics.trace_metric, "seconds"),
    "trace_request": (metrics.trace_request, "seconds"),
    "trace_duration": (metrics.trace_duration, "seconds"),
    "trace_throughput": (metrics.trace_throughput, "tokens/s"),
    "trace_rate": (metrics.trace_rate, "requests/s"),
    "trace_user_rate": (metrics.trace_user_rate, "tokens/s"),
    "trace_concurrency": (metrics.trace_concurrency, "count"),
    "trace_count": (metrics.trace_count, "count"),
    "trace_fraction": (metrics.trace_fraction, "fraction"),
    "mfu": (metrics.mfu, "fraction"),
    "mbu": (metrics.mbu, "fraction"),
    "tokens_per_joule": (metrics.tokens_per_joule, "count"),
    "gpu_tokens_per_joule": (metrics.gpu_tokens_per_joule, "count"),
    # The lab's measurements (data/measurements/, scripts/handbook/data/measurements.py)
    "lab_time": (measurements.measured("lab_time"), "seconds"),
    "lab_bandwidth": (measurements.measured("lab_bandwidth"), "bytes/s"),
    "lab_flops": (measurements.measured("lab_flops"), "flop/s"),
    "lab_bytes": (measurements.measured("lab_bytes"), "bytes"),
    "lab_rate": (measurements.measured("lab_rate"), "tokens/s"),
    "lab_share": (measurements.measured("lab_share"), "fraction"),
    "lab_ratio": (measurements.measured("lab_ratio"), "ratio"),
    "lab_intensity": (measurements.measured("lab_intensity"), "flop/byte"),
    "lab_count": (measurements.measured("lab_count"), "count"),
    "lab_text": (measurements.lab_text, "text"),
    "lab_date": (measurements.lab_date, "text"),
    "lab_provenance": (measurements.lab_provenance, "text"),
    # Serving engines (data/engines/, scripts/handbook/render/engines.py)
    "engine_release": (engines.release, "text"),
    "engine_released": (engines.released, "text"),
    "engine_default": (engines.default, "text"),
    "engine_history": (engines.history, "text"),
    "flag": (engines.flag, "text"),
    # The serving planner (scripts/handbook/formulas/planner.py, scripts/handbook/render/planner_view.py)
    **planner_view.NUMBERS,
}

BLOCKS: dict[str, Callable[..., str]] = {
    "accelerators": lambda page: tables.accelerators_table(),
    "models": lambda page: tables.models_table(),
    "kv_comparison": lambda page: tables.kv_comparison_table(),
    "serving_models": lambda page: tables.serving_table(),
    "calculator": lambda page, name="": widgets.calculator(name),
    "explainer": lambda page, name="": widgets.explainer(name),
    "glossary": lambda page: glossary.page(page.glossary, page.src),
    "bibliography": lambda page: citations.bibliography_page(page.sources, page.citing, page.src),
    "changes": lambda page: changes.page(change_log.load(), page.src, page.titles),
    "engine_table": lambda page, *rows: engines.table(*rows),
    "engine_crossref": lambda page, section="": engines.crossref(section),
    "engine_commands": lambda page, **per_engine: engines.commands(**per_engine),
    **planner_view.BLOCKS,
}
