"""The serving planner (scripts/handbook/formulas/planner.py): its replica model, its search, the vectors the browser
test feeds planner.js (tests/vectors/planner.json), the comparison with measurements (data/planner_checks.yml) and
the widget's markup."""
from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path

import pytest
from handbook import formulas as f
from handbook.formulas import planner
from handbook.render import planner_view, widgets

VECTORS = json.loads((Path(__file__).parent / "vectors" / "planner.json").read_text())
LAB = planner.lab()
PLANNED = planner.calibrated_lab()


def question(**over) -> planner.Profile:
    args = dict(requests_per_s=20, prompt_tokens=2000, output_tokens=300, ttft_p99_s=1.0, tpot_p99_s=0.05, headroom=0.3)
    args.update(over)
    return planner.Profile(**args)


# --- the replica ----------------------------------------------------------------------------------------------------

def test_kv_is_split_while_tp_divides_the_kv_heads_and_replicated_past_them():
    whole = f.kv_bytes("llama-3.1-70b", "bf16", 4096, 1)            # 8 KV heads
    assert planner.kv_per_gpu("llama-3.1-70b", "bf16", 4096, 1) == whole
    assert planner.kv_per_gpu("llama-3.1-70b", "bf16", 4096, 8) == whole / 8
    qwen = f.kv_bytes("qwen3-235b-a22b", "bf16", 4096, 1)            # 4 KV heads
    assert planner.kv_per_gpu("qwen3-235b-a22b", "bf16", 4096, 4) == qwen / 4
    assert planner.kv_per_gpu("qwen3-235b-a22b", "bf16", 4096, 8) == qwen / 4   # one whole head per GPU: replicated
    mla = f.kv_bytes("deepseek-v3", "bf16", 4096, 1)
    assert planner.kv_per_gpu("deepseek-v3", "bf16", 4096, 8) == mla            # the latent on every GPU
    assert planner.kv_per_gpu("deepseek-v3", "bf16", 4096, 8, attention_dp=True) == mla / 8


def test_memory_subtracts_weights_and_workspace_per_gpu():
    mem = planner.memory("llama-3.1-70b", "h100-sxm", "fp8", "fp8", 2, 2300)
    gpu = f._gpu("h100-sxm")
    assert mem["usable"] == gpu.memory * planner.MEMORY_UTILIZATION
    assert mem["weights"] == f.weight_bytes("llama-3.1-70b", "fp8") / 2
    assert mem["workspace"] > planner.WORKSPACE_BYTES
    assert mem["budget"] == mem["usable"] - mem["weights"] - mem["workspace"]
    assert mem["max_batch"] == math.floor(mem["budget"] / planner.kv_per_gpu("llama-3.1-70b", "fp8", 2300, 2))
    assert planner.memory("llama-3.1-70b", "h100-sxm", "bf16", "bf16", 1, 2300)["max_batch"] == 0  # 141 GB of weights


def test_decode_step_is_the_roofline_at_measured_efficiency_plus_all_reduces():
    one = planner.decode_step("llama-3.1-8b", "h100-sxm", "bf16", "bf16", 1, 1, 0, LAB)
    gpu = f._gpu("h100-sxm")
    bandwidth = gpu.memory_bandwidth * LAB["bandwidth_fraction"]
    # the weights a step of one sequence reads: all but the untied input embedding table, plus one row of it
    read = f.weight_bytes("llama-3.1-8b", "bf16") - 128256 * 4096 * 2 + 4096 * 2
    assert one == pytest.approx(read / bandwidth)
    # at least the datasheet bound, never faster than it
    assert one >= f.decode_step_time("llama-3.1-8b", "h100-sxm", "bf16", 1, 0)
    two = planner.decode_step("llama-3.1-8b", "h100-sxm", "bf16", "bf16", 2, 1, 0, LAB)
    assert two == pytest.approx(one / 2 + planner.allreduce_time("llama-3.1-8b", "h100-sxm", 2, 1, LAB))
    assert planner.allreduce_time("llama-3.1-8b", "h100-sxm", 2, 1, LAB) > 2 * 32 * LAB["allreduce_latency_s"]
    # compute-bound at a large batch: the FLOP term wins
    big = planner.decode_step("llama-3.1-8b", "h100-sxm", "bf16", "bf16", 1, 4096, 128, LAB)
    peak = f.peak_flops("h100-sxm", "bf16") * LAB["flops_fraction"]["bf16"]
    flops = 4096 * f.flops_per_token("llama-3.1-8b", 128) / peak
    assert big == pytest.approx(flops)


def test_a_mixture_of_experts_reads_more_experts_as_the_batch_grows():
    shared, routed = planner.expert_split("mixtral-8x7b")
    m = f._model("mixtral-8x7b")
    assert shared + routed == pytest.approx(m.params_total)
    assert shared + routed * 2 / 8 == pytest.approx(m.params_active)
    assert planner.experts_touched("mixtral-8x7b", 1) == pytest.approx(2 / 8)
    assert planner.experts_touched("mixtral-8x7b", 64) > 0.99
    assert planner.experts_touched("llama-3.1-8b", 1) == 1.0
    small = planner.decode_step("mixtral-8x7b", "h100-sxm", "bf16", "bf16", 1, 1, 0, LAB)
    assert small < planner.decode_step("mixtral-8x7b", "h100-sxm", "bf16", "bf16", 1, 64, 0, LAB)


def test_md1_wait_grows_without_bound_as_utilization_nears_one():
    assert planner.md1_p99_wait(0.001, 0.1) == 0.0
    waits = [planner.md1_p99_wait(rho / 0.1, 0.1) for rho in (0.3, 0.6, 0.9, 0.99)]
    assert waits == sorted(waits) and waits[-1] > 10 * waits[0]
    assert planner.md1_p99_wait(10, 0.1) == math.inf
    # the mean wait of M/D/1 is rho S / (2 (1 - rho)); the p99 is W / rho x ln(rho / 0.01)
    rho, s = 0.5, 0.2
    assert planner.md1_p99_wait(rho / s, s) == pytest.approx(rho * s / (2 * (1 - rho)) / rho * math.log(rho / 0.01))


def test_replica_load_follows_littles_law():
    r = planner.Replica("llama-3.1-70b", "h100-sxm", "fp8", "fp8", 2, question(), PLANNED)
    for batch in (1.0, 30.0, 150.0):
        rate = r.rate(batch)
        assert batch == pytest.approx(rate * 300 * r.tpot(batch))           # B = lambda x O x TPOT
        assert r.tpot(batch) > r.step(batch)                                  # prefill takes its share
    assert r.batch_at(r.rate(42.0)) == pytest.approx(42.0, rel=1e-6)
    lim = r.limits()
    assert set(lim) == set(planner.CONSTRAINTS)
    assert r.tpot(r.batch_at(lim["tpot"])) == pytest.approx(0.05, rel=1e-6)   # the TPOT limit is where TPOT hits 50 ms
    assert r.ttft(r.batch_at(lim["ttft"])) == pytest.approx(1.0, rel=1e-6)
    assert all(lim[c] < lim["compute"] for c in ("memory", "tpot", "ttft"))


def test_the_slowdown_comes_from_the_comparison_table():
    low, high = planner.error_band()
    assert low < 0 and low <= high
    assert PLANNED["slowdown"] == pytest.approx(1 / (1 + low))
    slowed = planner.Replica("llama-3.1-8b", "h100-sxm", "bf16", "bf16", 1, question(), PLANNED)
    raw = planner.Replica("llama-3.1-8b", "h100-sxm", "bf16", "bf16", 1, question(), LAB)
    assert slowed.step(8) == pytest.approx(raw.step(8) * PLANNED["slowdown"])
    # with the slowdown, no measured time in the table is above what the planner plans with
    for row in planner.checks():
        assert row["predicted"] * PLANNED["slowdown"] >= row["measured"] * (1 - 1e-12), row["id"]


# --- the search ------------------------------------------------------------------------------------------------------

def test_the_readers_question_gets_a_deployment_that_meets_every_limit():
    best = planner.plan("llama-3.1-70b", "h100-sxm", "fp8", "fp8", question(), 2.5)
    assert best["feasible"] and best["gpus"] == best["replicas"] * best["tp"]
    assert best["ttft_p99_s"] <= 1.0 and best["tpot_s"] <= 0.05
    assert best["batch"] <= best["memory"]["max_batch"]
    assert best["replicas"] * best["capacity"] >= 20 * 1.3
    assert (best["replicas"] - 1) * best["capacity"] < 20 * 1.3                # not one replica more than needed
    assert best["gpus"] == min(c["gpus"] for c in best["candidates"] if c["feasible"])
    assert best["usd_per_million_tokens"] == pytest.approx(2.5 * best["gpus"] / (20 * 300 * 3600) * 1e6)
    bf16 = planner.plan("llama-3.1-70b", "h100-sxm", "bf16", "bf16", question(), 2.5)
    assert bf16["gpus"] > best["gpus"] and bf16["tp"] > best["tp"]


def test_no_deployment_says_why():
    out = planner.plan("llama-3.1-405b", "l4", "bf16", "bf16", question(requests_per_s=1), 1)
    assert not out["feasible"] and "do not fit" in out["reason"] and "no GPU-to-GPU link" in out["reason"]
    out = planner.plan("llama-3.1-70b", "h100-sxm", "fp8", "fp8", question(tpot_p99_s=0.001), 1)
    assert not out["feasible"] and "TPOT limit" in out["reason"]


def test_tensor_parallel_needs_a_link_and_a_divisor():
    assert planner.tp_allowed("llama-3.1-8b", "h100-sxm", 8)
    assert not planner.tp_allowed("llama-3.1-8b", "l40s", 2)                 # no GPU-to-GPU link in the data
    assert not planner.tp_allowed("qwen2.5-7b", "h100-sxm", 8)               # 28 query heads


def test_profile_refuses_nonsense():
    with pytest.raises(ValueError):
        planner.Profile(0, 100, 100, 1, 0.1)
    with pytest.raises(ValueError):
        planner.Profile(1, 100, 100, 1, 0.1, headroom=-0.1)


# --- vectors, comparison, markup ------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["label"][:40])
def test_vectors_match_the_planner(case):
    from vectors.make_vectors import planner_expected  # noqa: PLC0415
    assert planner_expected(case["inputs"]) == pytest.approx(case["expected"], rel=1e-12)


@pytest.mark.parametrize("case", VECTORS["infeasible"], ids=lambda c: c["label"][:40])
def test_infeasible_vectors_match_the_planner(case):
    from vectors.make_vectors import planner_expected  # noqa: PLC0415
    assert planner_expected(case["inputs"]) == {"infeasible": case["reason"]}


def test_checks_cover_lab_and_published_measurements():
    rows = planner.checks()
    assert len(rows) >= 5
    assert any(r.get("source") for r in rows) and any(str(r["measured_from"]).startswith("lab:") for r in rows)
    for r in rows:
        assert r["measured"] > 0 and r["predicted"] > 0
        assert r["error"] == pytest.approx(r["predicted"] / r["measured"] - 1)
    mlperf = planner.mlperf_rows()
    assert {r["gpu"] for r in mlperf} == {"h100-sxm", "h200"}
    for r in mlperf:
        assert r["output_tokens"] == pytest.approx(r["tokens_per_s"] / r["samples_per_s"])
        assert r["prompt_match"] is None or 1 <= r["prompt_match"] <= 1024


def test_comparison_tables_render():
    checks = planner_view.checks_table()
    assert checks.count("\n") == len(planner.checks()) + 2 and "[@nim-benchmarking-performance]" in checks
    assert "[@mlperf-v40-nvidia-h100-llama2-server" in planner_view.mlperf_table()
    assert "| 2 |" in planner_view.candidates_table("question")


class Tags(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_widget_markup_follows_the_contract():
    text = widgets.calculator("planner")
    tags = Tags(text).tags
    (root,) = [a for t, a in tags if a.get("data-calculator") == "planner"]
    names = {a["name"] for t, a in tags if t in ("input", "select")}
    assert names == {"model", "gpu", "weight_dtype", "kv_dtype", "requests_per_s", "prompt_tokens", "output_tokens",
                     "ttft_p99_s", "tpot_p99_s", "headroom", "gpu_hourly_usd"}
    results = {a["data-result"] for t, a in tags if "data-result" in a}
    assert {"gpus", "replicas", "tensor_parallel", "ttft_p99_s", "tpot_s", "tokens_per_s",
            "usd_per_million_tokens"} <= results
    assert any(a.get("data-error-for") == "" for t, a in tags)            # where "no deployment ..." goes
    assert any(a.get("data-figure") == "working" for t, a in tags)
    d = json.loads(root["data-calc-data"])
    assert d["lab"] == PLANNED
    assert d["planner"]["chunk_tokens"] == planner.CHUNK_TOKENS
    assert d["gpus"]["h100-sxm"]["interconnect"] == f._gpu("h100-sxm").interconnect
    assert d["models"]["mixtral-8x7b"]["num_experts"] == 8


def test_planner_js_reads_what_the_markup_has():
    import re
    source = (Path(__file__).parents[1] / "docs" / "javascripts" / "planner.js").read_text()
    read = set(re.findall(r"\b(?:readNumber|readChoice)\(root, \"(\w+)\"", source))
    names = {a["name"] for t, a in Tags(widgets.calculator("planner")).tags if t in ("input", "select")}
    assert read == names
