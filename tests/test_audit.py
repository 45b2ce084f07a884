"""The Lighthouse audit's logic (scores, medians, thresholds) on synthetic
reports, and the static server the tests, benchmark and audit share."""
from __future__ import annotations

import gzip
import urllib.request

import pytest
from devtools import lighthouse
from devtools.staticserve import serve


def report(perf: float, seo: float = 1.0) -> dict:
    categories = {name: {"score": 1.0, "auditRefs": []} for name in lighthouse.CATEGORIES}
    categories["performance"] = {"score": perf, "auditRefs": [{"id": "total-blocking-time", "weight": 30},
                                                              {"id": "dom-size", "weight": 0}]}
    categories["seo"] = {"score": seo, "auditRefs": [{"id": "meta-description", "weight": 1}]}
    audits = {"total-blocking-time": {"score": 0.2, "displayValue": "1,200 ms"},
              "dom-size": {"score": 0.0, "displayValue": "1,400 elements"},
              "meta-description": {"score": 0 if seo < 1 else 1}}
    return {"categories": categories, "audits": audits}


def test_failing_audits_lists_weighted_audits_below_one():
    failing = lighthouse.failing_audits(report(0.6, seo=0.9))
    assert failing == {"performance": ["total-blocking-time (0.20, 1,200 ms)"], "seo": ["meta-description (0.00)"]}


def test_check_uses_the_median_run_and_names_the_cause():
    row = lighthouse.PageScores(page="/x/", runs=[lighthouse.scores(report(p)) for p in (0.4, 0.9, 0.7)],
                                failing=lighthouse.failing_audits(report(0.7)))
    assert row.median("performance") == 0.7
    assert lighthouse.check([row], {"performance": 0.7, "seo": 1.0}) == []
    (problem,) = lighthouse.check([row], {"performance": 0.8})
    assert problem.startswith("/x/: performance 70 < 80") and "total-blocking-time" in problem


@pytest.mark.parametrize("sequence, runs_made, passes", [
    ([0.97, 0.93, 0.96], 3, True),                   # median 96: no extra runs
    ([0.93, 0.97, 0.93, 0.97, 0.98], 5, True),       # one unlucky median of 3; five runs clear it
    ([0.93, 0.90, 0.96, 0.92, 0.97], 5, False),      # a real regression stays below
])
def test_a_page_below_the_threshold_gets_more_runs(monkeypatch, tmp_path, sequence, runs_made, passes):
    scores = iter(sequence)
    monkeypatch.setattr(lighthouse, "run_once", lambda *args, **kw: report(next(scores)))
    thresholds = {"performance": 0.95}
    (row,) = lighthouse.audit("http://x/", [""], "chromium", 3, tmp_path, tmp_path, thresholds,
                              log=lambda *a, **k: None)
    assert len(row.runs) == runs_made
    assert (lighthouse.check([row], thresholds) == []) is passes


def test_static_server_gzips_text_and_serves_the_404_page(tmp_path):
    (tmp_path / "index.html").write_text("<p>hello</p>" * 200)
    (tmp_path / "404.html").write_text("not here")
    (tmp_path / "font.woff2").write_bytes(b"\0" * 100)
    with serve(tmp_path, not_found=tmp_path / "404.html") as origin:
        request = urllib.request.Request(origin + "/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Cache-Control"] == "max-age=600"
            assert gzip.decompress(response.read()) == (tmp_path / "index.html").read_bytes()
        with urllib.request.urlopen(origin + "/font.woff2") as response:   # binary: sent as is
            assert response.headers["Content-Encoding"] is None and len(response.read()) == 100
        try:
            urllib.request.urlopen(origin + "/missing/")
            raise AssertionError("expected a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and exc.read() == b"not here"
