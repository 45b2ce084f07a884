"""The serving planner on pages: placeholders for one planned deployment and the tables of the comparison page.

    {{< plan_gpus scenario=question >}}                       GPUs of the cheapest deployment for a named scenario
    {{< plan_gpus scenario=question weight_dtype=bf16 >}}     the same with one input changed
    {{< plan_time what=ttft scenario=question tp=4 >}}        a number of the aggregated deployment at tensor parallel 4
    {{< planner_candidates scenario=question >}}              every tensor-parallel degree tried, as a table
    {{< planner_checks >}}  {{< planner_mlperf >}}            predicted against measured (planner-accuracy.md)

The numbers come from scripts/handbook/formulas/planner.py; SCENARIOS names the inputs a page works with.
"""
from __future__ import annotations

from functools import lru_cache, partial

from handbook import data
from handbook.data import measurements
from handbook.formulas import planner
from handbook.render.formatting import format_value

# Inputs a page can plan by name. `question`: the capacity-planning page's reader (issue 23).
SCENARIOS = {
    "question": dict(model="llama-3.1-70b", gpu="h100-sxm", weight_dtype="fp8", kv_dtype="fp8", requests_per_s=20.0,
                     prompt_tokens=2000, output_tokens=300, ttft_p99_s=1.0, tpot_p99_s=0.05, headroom=0.3,
                     gpu_hourly_usd=2.5),
}


@lru_cache(maxsize=64)
def _plan(scenario: str, weight_dtype: str | None, kv_dtype: str | None) -> dict:
    if scenario not in SCENARIOS:
        raise KeyError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    s = dict(SCENARIOS[scenario])
    s["weight_dtype"] = weight_dtype or s["weight_dtype"]
    s["kv_dtype"] = kv_dtype or s["kv_dtype"]
    p = planner.Profile(s["requests_per_s"], s["prompt_tokens"], s["output_tokens"], s["ttft_p99_s"], s["tpot_p99_s"],
                        s["headroom"])
    return planner.plan(s["model"], s["gpu"], s["weight_dtype"], s["kv_dtype"], p, s["gpu_hourly_usd"])


def _pick(scenario: str, weight_dtype: str | None, kv_dtype: str | None, tp: int | None) -> dict:
    best = _plan(scenario, weight_dtype, kv_dtype)
    if tp is None:
        if not best["feasible"]:
            raise ValueError(f"no deployment meets scenario {scenario!r}: {best['reason']}")
        return best
    for c in best["candidates"]:
        if c["mode"] == "aggregated" and c["tp"] == int(tp):
            return c
    raise ValueError(f"tensor parallel {tp} was not tried for scenario {scenario!r}")


FIELDS = {
    # name: (what it reads from the planned deployment, dimension)
    "gpus": (lambda c: c["gpus"], "count"),
    "replicas": (lambda c: c["replicas"], "count"),
    "tp": (lambda c: c["tp"], "count"),
    "batch": (lambda c: c["batch"], "count"),
    "max_batch": (lambda c: c["memory"]["max_batch"], "count"),
    "ttft": (lambda c: c["ttft_p99_s"], "seconds"),
    "tpot": (lambda c: c["tpot_s"], "seconds"),
    "prefill": (lambda c: c["prefill_s"], "seconds"),
    "step": (lambda c: c["step_s"], "seconds"),
    "step_1": (lambda c: c["step_1_s"], "seconds"),
    "load": (lambda c: c["load"], "requests/s"),
    "capacity": (lambda c: c["capacity"], "requests/s"),
    "usd": (lambda c: c["usd_per_million_tokens"], "usd"),
    "tokens_per_s": (lambda c: c["tokens_per_s"], "tokens/s"),
    "usable": (lambda c: c["memory"]["usable"], "bytes"),
    "weights": (lambda c: c["memory"]["weights"], "bytes"),
    "workspace": (lambda c: c["memory"]["workspace"], "bytes"),
    "kv_budget": (lambda c: c["memory"]["budget"], "bytes"),
    "kv_per_sequence": (lambda c: c["memory"]["kv_per_sequence"], "bytes"),
}
DIMENSIONS = ("count", "seconds", "requests/s", "usd", "tokens/s", "bytes")


def plan_number(dimension: str, what: str, scenario: str = "question", weight_dtype: str | None = None,
                kv_dtype: str | None = None, tp: int | None = None) -> float:
    """One number of a planned deployment; `what` is a key of FIELDS of the dimension the placeholder prints, or
    `limit_CONSTRAINT` (requests/s) for the load one replica carries under that constraint alone."""
    c = _pick(scenario, weight_dtype, kv_dtype, tp)
    if what.startswith("limit_") and dimension == "requests/s":
        return c["limits"][what[len("limit_"):]]
    if what not in FIELDS or FIELDS[what][1] != dimension:
        names = [k for k, (_, d) in FIELDS.items() if d == dimension]
        raise KeyError(f"what={what!r} is not a {dimension} of a plan; use one of {', '.join(names)}")
    return FIELDS[what][0](c)


def plan_binding(scenario: str = "question", weight_dtype: str | None = None, kv_dtype: str | None = None,
                 tp: int | None = None) -> str:
    names = {"memory": "memory", "tpot": "TPOT", "ttft": "TTFT", "compute": "compute"}
    return names[_pick(scenario, weight_dtype, kv_dtype, tp)["binding"]]


def slowdown(basis: str = "checks") -> float:
    """The factor plan() stretches the model's times by (planner.calibrated_lab): the largest ratio of measured to
    predicted time over the comparison table (`basis=checks`, the only basis there is)."""
    if basis != "checks":
        raise ValueError("basis=checks is the only basis: the rows of data/planner_checks.yml")
    return planner.calibrated_lab()["slowdown"]


def error_bound(end: str = "low") -> float:
    """The most optimistic (`low`) or most pessimistic (`high`) error of the raw model in the comparison table."""
    low, high = planner.error_band()
    return low if end == "low" else high


def optimism(end: str = "least") -> float:
    """How much faster than measured the raw model ran: the `least` and the `most` over the comparison table, as
    positive fractions (the table's errors are negative)."""
    low, high = planner.error_band()
    return -high if end == "least" else -low


# the placeholder names registry.py declares: plan_count, plan_time, plan_rate, plan_usd, plan_tokens, plan_bytes
NUMBERS = {
    "plan_count": (partial(plan_number, "count"), "count"),
    "plan_time": (partial(plan_number, "seconds"), "seconds"),
    "plan_rate": (partial(plan_number, "requests/s"), "requests/s"),
    "plan_usd": (partial(plan_number, "usd"), "usd"),
    "plan_tokens": (partial(plan_number, "tokens/s"), "tokens/s"),
    "plan_bytes": (partial(plan_number, "bytes"), "bytes"),
    "plan_binding": (plan_binding, "text"),
    "planner_slowdown": (slowdown, "ratio"),
    "planner_error": (error_bound, "fraction"),
    "planner_optimism": (optimism, "fraction"),
}


# --- tables -----------------------------------------------------------------------------------------------------

def _ms(x: float) -> str:
    return format_value(x, "seconds", "ms", 1)


def _rate(x: float) -> str:
    return format_value(x, "requests/s", None, 2) if x != float("inf") else "no limit"


def candidates_table(scenario: str = "question") -> str:
    """Every aggregated deployment the planner tried for a scenario: memory, limits, binding constraint, GPUs."""
    best = _plan(scenario, None, None)
    rows = ["| GPUs per replica | Sequences that fit | Memory limit | TPOT limit | TTFT limit | Compute ceiling | "
            "Binds | Replicas | GPUs |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in best["candidates"]:
        if c["mode"] != "aggregated":
            continue
        lim = c["limits"]
        fits = c["memory"]["max_batch"]
        rows.append(f"| {c['tp']} | {fits:,} | {_rate(lim['memory'])} | {_rate(lim['tpot'])} | {_rate(lim['ttft'])} | "
                    f"{_rate(lim['compute'])} | {plan_binding_name(c)} | {c.get('replicas', '–')} | "
                    f"{c.get('gpus', 'does not fit')} |")
    return "\n".join(rows) + "\n"


def plan_binding_name(c: dict) -> str:
    if not c["feasible"]:
        return "memory (weights do not fit)" if c["memory"]["budget"] <= 0 else c["binding"]
    return {"memory": "memory", "tpot": "TPOT", "ttft": "TTFT", "compute": "compute"}[c["binding"]]


def checks_table() -> str:
    """Predicted against measured for every row of data/planner_checks.yml, with the error of each."""
    models, gpus = data.load_models(), data.load_gpus()
    rows = ["| Measurement | Setup | Model planned as | Measured | Predicted | Error | Source |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for c in planner.checks():
        if c.get("source"):
            source = f"[@{c['source']}]"
        else:
            name = str(c["measured_from"])[4:].split()[0]
            source = f"the lab, `data/measurements/{name}.json`, {measurements.lab_date(name)}"
        count = "1 GPU" if c["tp"] == 1 else f"{c['tp']} GPUs"
        rows.append(f"| {c['what']} | {c['setup']} | {models[c['model']].name}, {c['weight_dtype'].upper()}, "
                    f"{count} of {gpus[c['gpu']].name} | {_ms(c['measured'])} | {_ms(c['predicted'])} | "
                    f"{format_value(c['error'], 'fraction', '%', 0)} | {source} |")
    return "\n".join(rows) + "\n"


def mlperf_table() -> str:
    """The MLPerf runs: measured load per replica and output length, and the prompt length that makes the planner
    agree."""
    rows = ["| Run | Setup | Requests/s per replica (measured) | Output tokens per request (derived) | "
            "p99 TTFT / TPOT (measured) | Mean prompt at which the planner agrees: raw model / as planned | Source |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in planner.mlperf_rows():
        def length(x):
            return f"{x:,} tokens" if x else "none up to 1,024"
        rows.append(f"| {r['id']} | {r['setup']} | {r['rate_per_replica']:.2f} | {r['output_tokens']:.1f} | "
                    f"{_ms(r['ttft_p99_s'])} / {_ms(r['tpot_p99_s'])} | {length(r['prompt_match'])} / "
                    f"{length(r['prompt_match_planned'])} | [@{r['source']}; @{r['config_source']}] |")
    return "\n".join(rows) + "\n"


BLOCKS = {
    "planner_candidates": lambda page, scenario="question": candidates_table(scenario),
    "planner_checks": lambda page: checks_table(),
    "planner_mlperf": lambda page: mlperf_table(),
}
