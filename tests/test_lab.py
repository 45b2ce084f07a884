"""Tests of the lab (scripts/lab): charts up to date, experiments runnable on the
CPU in a tiny configuration, and sane results from the batching simulator.

The experiment tests need PyTorch (requirements-test.txt, installed by the test
command): they skip without it locally and fail in CI. The chart and simulator
tests are pure Python.
"""
from __future__ import annotations

import json
import math
import os

import pytest


def require_torch():
    """PyTorch for the CPU runs: skipped in an ad-hoc run without it, a failure in CI."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PyTorch is missing: `python3 scripts/dev.py test` installs requirements-test.txt")
        pytest.skip("PyTorch not installed (pip install -r requirements-test.txt)")
    return torch

from lab import EXPERIMENTS, batching, charts  # noqa: E402  (after the PyTorch guard above)
from lab.common import MEASUREMENTS, SCHEMA, check_record, read_json  # noqa: E402

IMG = charts.IMG
REGENERATE = "regenerate with: PYTHONPATH=scripts python -m lab.charts"


# --- (a) charts ----------------------------------------------------------------------

def test_charts_match_measurements():
    rendered = charts.render_all(MEASUREMENTS)
    assert rendered, "no chart rendered: data/measurements/*.json missing"
    stale = [name for name, text in sorted(rendered.items())
             if not (IMG / name).exists() or (IMG / name).read_text() != text]
    assert not stale, f"charts out of date with data/measurements: {', '.join(stale)}; {REGENERATE}"


def test_no_orphan_charts():
    rendered = set(charts.render_all(MEASUREMENTS))
    orphans = sorted(p.name for p in IMG.glob("*.svg") if p.name not in rendered)
    assert not orphans, f"docs/lab/img holds charts that charts.py no longer renders: {orphans}"


def test_charts_are_deterministic_and_accessible():
    a, b = charts.render_all(MEASUREMENTS), charts.render_all(MEASUREMENTS)
    assert a == b
    for name, text in a.items():
        assert "<title" in text and "<desc" in text, name
        assert "nan" not in text.lower().replace("nanoseconds", ""), name
        assert "TFLOPs/s" not in text, name


# --- committed measurements -------------------------------------------------------------

@pytest.mark.parametrize("name", EXPERIMENTS)
def test_committed_measurement_schema(name):
    rec = read_json(MEASUREMENTS / f"{name}.json")
    assert rec is not None, f"{name}.json not committed"
    check_record(rec, name)
    if name != "batching":
        assert rec["provenance"]["gpu"], "committed measurements come from a GPU"


def test_committed_decode_against_bound():
    rec = read_json(MEASUREMENTS / "decode.json")
    assert rec is not None, "decode.json not committed"
    for p in rec["results"]["lean"]:
        assert p["graph"]["median"] >= p["bound_spec_s"] * 0.95, "faster than the bandwidth bound: check the bytes"


# --- (c) batching simulator ---------------------------------------------------------------

def _synthetic_model():
    # an H100-like step model: 8 ms per step plus KV reads; prefill ~ 15 us/token
    return batching.StepModel([0.008, 2e-5, 4e-8], [0.005, 1.5e-5, 1e-9], {"synthetic": True})


def test_fit_recovers_coefficients():
    rows = [[1.0, b, b * c] for b in (1, 8, 64) for c in (512, 2048)]
    truth = [0.008, 2e-5, 4e-8]
    ys = [sum(t * v for t, v in zip(truth, r)) for r in rows]
    fit = batching.fit_relative(rows, ys)
    assert all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(fit, truth))


@pytest.mark.parametrize("rate", [2.0, 50.0])
def test_batching_invariants(rate):
    cfg = dict(batching.PROFILES["tiny"])
    m = _synthetic_model()
    base = batching.workload(cfg, rate, seed=3)
    res = {}
    for name, sim in (("static", batching.simulate_static), ("continuous", batching.simulate_continuous)):
        reqs = [dict(r) for r in base]
        sim(reqs, m, cfg["max_batch"], 10**6)
        for r in reqs:
            assert r.get("done") is not None, f"{name}: request {r['id']} never finished"
            assert r["arrival"] <= r["first"] <= r["done"]
        res[name] = batching.metrics(reqs, cfg["slo"])
        assert res[name]["finished"] == len(reqs)
    if rate >= 50:  # overloaded: continuous batching must not lose to static
        assert res["continuous"]["output_tokens_per_s"] >= res["static"]["output_tokens_per_s"]
        assert res["continuous"]["goodput_requests_per_s"] >= res["static"]["goodput_requests_per_s"]


def test_batching_respects_capacity_and_batch():
    cfg = dict(batching.PROFILES["tiny"])
    m = _synthetic_model()
    reqs = batching.workload(cfg, 100.0, seed=5)
    batching.simulate_continuous(reqs, m, 4, 3000)
    assert all(r.get("done") is not None for r in reqs)


def test_batching_committed_record():
    rec = read_json(MEASUREMENTS / "batching.json")
    assert rec is not None, "batching.json not committed"
    rows = rec["results"]["points"]
    top = rows[-1]
    assert top["continuous"]["output_tokens_per_s"] >= top["static"]["output_tokens_per_s"]
    assert all(r[k]["finished"] == r[k]["requests"] for r in rows for k in ("static", "continuous"))


# --- (b) experiments on the CPU, tiny configuration -----------------------------------------

@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    require_torch()
    from lab import run
    out = tmp_path_factory.mktemp("lab")
    rc = run.main(["--all", "--profile", "tiny", "--device", "cpu", "--out", str(out)])
    return rc, out


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_tiny_experiment_runs(tiny_run, name):
    rc, out = tiny_run
    rec = json.loads((out / f"{name}.json").read_text())
    check_record(rec, name)
    assert rec["schema"] == SCHEMA
    assert rec["config"]["profile"] == "tiny"
    if name != "batching":
        assert rec["provenance"]["device"] == "cpu"
    assert rc == 0


def test_tiny_results_are_consistent(tiny_run):
    _, out = tiny_run
    dec = json.loads((out / "decode.json").read_text())
    for p in dec["results"]["lean"]:
        assert p["eager"]["n"] == len(p["eager"]["samples"]) > 0
        assert p["eager"]["p10"] <= p["eager"]["median"] <= p["eager"]["p90"]
    kv = json.loads((out / "kv_memory.json").read_text())
    assert all(p["ratio"] == 1.0 for p in kv["results"]["pairs"])
    pre = json.loads((out / "prefix_reuse.json").read_text())
    assert all(c["relative_error"] < 1e-4 for c in pre["results"]["consistency"])
    tp = json.loads((out / "tensor_parallel.json").read_text())
    assert tp["results"]["check"]["relative_error"] < 1e-4
    assert tp["results"]["check"]["same_argmax"]


def test_lean_decode_matches_prefill():
    torch = require_torch()
    from lab.common import TINY
    from lab.model import LeanLlama
    m = LeanLlama(TINY, "cpu", torch.float32, seed=7)
    tokens = torch.randint(0, TINY.vocab, (2, 12))
    m.allocate_cache(2, 12, fill=False)
    whole = m.prefill_logits(tokens, 0)
    m.allocate_cache(2, 12, fill=False)
    m.prefill_logits(tokens[:, :11], 0)
    step = m.decode_logits(tokens[:, 11], 11)
    assert torch.allclose(whole, step, rtol=1e-4, atol=1e-5)
