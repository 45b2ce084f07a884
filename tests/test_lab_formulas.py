"""Experiment 12: the handbook's formulas held against the lab's measurements.

data/measurements/formula_check.json must be what lab.formula_check computes now
from the formulas and the measurement files (so a formula change that moves a
prediction shows up here), and every point must sit inside the band its
formula's stated assumptions allow (lab.formula_check.BANDS, explained on
docs/lab/formulas.md)."""
from __future__ import annotations

import json

import pytest
from lab import formula_check as fc
from lab.common import MEASUREMENTS, check_record, read_json

COMMITTED = read_json(MEASUREMENTS / "formula_check.json")


def test_committed_file_is_current():
    assert COMMITTED is not None, "formula_check.json not committed"
    check_record(COMMITTED, "formula_check")
    assert (MEASUREMENTS / "formula_check.json").read_text() == fc.render(fc.build()), \
        "formula_check.json is stale; regenerate with: PYTHONPATH=scripts python -m lab.formula_check"


def test_every_series_has_points_and_every_band_is_stated():
    rows = fc.build()["results"]["rows"]
    names = {r["series"] for r in rows}
    assert names == set(fc.BANDS), f"series without points: {set(fc.BANDS) - names}"
    for name, (formula, assumes, (lo, hi)) in fc.BANDS.items():
        assert formula and len(assumes) > 20, name
        assert lo > 0 and (hi is None or hi > lo), name


@pytest.mark.parametrize("series", sorted(fc.BANDS))
def test_points_within_the_stated_band(series):
    lo, hi = fc.BANDS[series][2]
    rows = [r for r in fc.build()["results"]["rows"] if r["series"] == series]
    outside = [(r["label"], round(r["ratio"], 3)) for r in rows
               if not (lo <= r["ratio"] and (hi is None or r["ratio"] <= hi))]
    assert not outside, f"{series}: measured / predicted outside [{lo}, {hi}] at {outside}"


def test_lower_bounds_are_never_beaten():
    """decode_step_time, prefill_time, spec_verify_step_time and the all-reduce model are
    lower bounds: no measurement may come in below them (3% for timing noise)."""
    bounds = {"decode_graph", "decode_long_context", "decode_eager", "prefill", "spec_verify", "allreduce_graph",
              "allreduce_eager", "chunk_mixed"}
    for r in fc.build()["results"]["rows"]:
        if r["series"] in bounds:
            assert r["ratio"] >= 0.97, (r["series"], r["label"], r["ratio"])


def test_kv_formula_is_exact():
    for r in fc.build()["results"]["rows"]:
        if r["series"] == "kv_bytes":
            assert r["measured"] == r["predicted"], r["label"]


def test_ratio_is_measured_over_predicted(tmp_path):
    """The check reacts to the data: halve one measured decode step and its ratio halves."""
    for name in fc.SOURCES:
        (tmp_path / f"{name}.json").write_text((MEASUREMENTS / f"{name}.json").read_text())
    rec = json.loads((tmp_path / "cuda_graphs.json").read_text())
    p = rec["results"]["points"][0]
    before = next(r for r in fc.build(tmp_path)["results"]["rows"]
                  if r.get("source") == "cuda_graphs" and r["series"] == "decode_graph" and r["batch"] == p["batch"])
    p["graph"]["median"] /= 2
    (tmp_path / "cuda_graphs.json").write_text(json.dumps(rec))
    after = next(r for r in fc.build(tmp_path)["results"]["rows"]
                 if r.get("source") == "cuda_graphs" and r["series"] == "decode_graph" and r["batch"] == p["batch"])
    assert after["ratio"] == pytest.approx(before["ratio"] / 2)
    assert after["predicted"] == before["predicted"]
