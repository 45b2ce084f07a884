"""The lab placeholders: paths into data/measurements/*.json, statistics, derived values, errors."""
import json

import pytest
from handbook.data import measurements as m
from handbook.render import placeholders
from handbook.units import UnitError

FIXTURE = {
    "summary": {"best_s": 0.0125, "ttft_s": {"4096@0": 0.5, "4096@0.25": 0.4}, "largest": {"8192": 59}},
    "results": {
        "points": [
            {"batch": 1, "context": 512, "step": {"unit": "s", "median": 0.008, "p90": 0.009, "n": 30},
             "bytes_per_s": 2.5e12, "utilization": 0.5},
            {"batch": 4, "context": 512, "step": {"unit": "s", "median": 0.010, "p90": 0.011, "n": 30},
             "bytes_per_s": 3.0e12, "utilization": 0.6},
            {"batch": 4, "context": 2048, "step": {"unit": "s", "median": 0.012, "p90": 0.013, "n": 30},
             "bytes_per_s": 3.1e12, "utilization": 0.7, "fraction": 0.25},
        ],
        "label": "bf16",
        "flag": True,
    },
}


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    (tmp_path / "demo.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    monkeypatch.setattr(m, "MEASUREMENTS", tmp_path)
    m.clear_cache()
    yield tmp_path
    m.clear_cache()


def test_plain_keys_and_keys_that_hold_dots(folder):
    assert m.value("demo", "summary.best_s") == 0.0125
    assert m.value("demo", "summary.ttft_s.4096@0.25") == 0.4
    assert m.value("demo", "summary.ttft_s.4096@0") == 0.5
    assert m.value("demo", "summary.largest.8192") == 59


def test_list_selectors_by_field_and_by_index(folder):
    assert m.value("demo", "results.points[batch:4,context:2048].bytes_per_s") == 3.1e12
    assert m.value("demo", "results.points[context:2048,batch:4].utilization") == 0.7
    assert m.value("demo", "results.points[0].utilization") == 0.5
    assert m.value("demo", "results.points[-1].utilization") == 0.7
    # a float field matches however the page writes the number
    assert m.value("demo", "results.points[fraction:0.250].utilization") == 0.7


def test_statistics_objects_give_their_median_or_the_named_stat(folder):
    assert m.value("demo", "results.points[batch:1].step") == 0.008
    assert m.value("demo", "results.points[batch:1].step", stat="p90") == 0.009
    assert m.value("demo", "results.points[batch:1].step", stat="n") == 30


def test_derived_values(folder):
    step = "results.points[batch:4,context:2048].step"
    base = "results.points[batch:1].step"
    assert m.value("demo", step, over=base) == pytest.approx(1.5)
    assert m.value("demo", step, above=base) == pytest.approx(0.5)
    assert m.value("demo", base, above=step) == pytest.approx(-1 / 3)
    with pytest.raises(ValueError, match="not both"):
        m.value("demo", step, over=base, above=base)


def test_errors_name_what_exists(folder):
    with pytest.raises(KeyError, match="files: demo"):
        m.value("nope", "summary.best_s")
    with pytest.raises(KeyError, match="files: demo"):
        m.value("../demo", "summary.best_s")
    with pytest.raises(KeyError, match=r"no key 'bset_s'; keys: best_s, ttft_s, largest"):
        m.value("demo", "summary.bset_s")
    with pytest.raises(KeyError, match=r"batch in 1, 4; context in 512, 2048"):
        m.value("demo", "results.points[batch:2,context:512].utilization")
    with pytest.raises(KeyError, match="2 elements .* match"):
        m.value("demo", "results.points[batch:4].utilization")
    with pytest.raises(KeyError, match="3 elements; index 3"):
        m.value("demo", "results.points[3].utilization")
    with pytest.raises(ValueError, match="add one of its keys: batch, context, step"):
        m.value("demo", "results.points[batch:1]")
    with pytest.raises(ValueError, match="not a number"):
        m.value("demo", "results.label")
    with pytest.raises(ValueError, match="not a number"):
        m.value("demo", "results.flag")
    with pytest.raises(KeyError, match="no statistic 'p99'; it has median, p90, n"):
        m.value("demo", "results.points[batch:1].step", stat="p99")
    with pytest.raises(ValueError, match="needs a statistics object"):
        m.value("demo", "summary.best_s", stat="p90")
    with pytest.raises(ValueError, match="key:value"):
        m.value("demo", "results.points[batch=1].step")
    with pytest.raises(KeyError, match="not a list"):
        m.value("demo", "summary[0]")


def test_placeholders_format_with_the_shared_helpers(folder):
    ev = placeholders.evaluate
    assert ev("lab_time demo results.points[batch:1].step unit=ms digits=2") == "8.00\u00a0ms"
    assert ev("lab_time demo results.points[batch:1].step stat=p90 unit=ms digits=1") == "9.0\u00a0ms"
    assert ev("lab_bandwidth demo results.points[batch:1].bytes_per_s unit=TB/s") == "2.50\u00a0TB/s"
    assert ev("lab_share demo results.points[batch:1].utilization unit=% digits=0") == "50%"
    assert ev("lab_ratio demo results.points[batch:4,context:2048].step over=results.points[batch:1].step "
              "digits=1") == "1.5\u00d7"
    assert ev("lab_share demo results.points[batch:4,context:2048].step above=results.points[batch:1].step "
              "unit=% digits=0") == "50%"
    assert ev("lab_count demo summary.largest.8192") == "59"
    # a unit of the wrong kind fails, naming the right ones
    with pytest.raises(UnitError, match="does not measure seconds"):
        ev("lab_time demo summary.best_s unit=GB")
    # a time read as another kind of quantity fails unless it is divided by something
    with pytest.raises(ValueError, match="use lab_time"):
        ev("lab_bandwidth demo results.points[batch:1].step")
    with pytest.raises(ValueError, match="takes no argument 'stats'"):
        ev("lab_time demo summary.best_s stats=p90")


def test_render_reports_page_and_line(folder):
    from handbook.errors import HandbookError
    with pytest.raises(HandbookError, match=r"lab/x\.md:3: .*no key 'missing'"):
        placeholders.render("a\nb\n{{< lab_time demo summary.missing >}}", "lab/x.md")


def test_every_real_measurement_file_loads():
    m.clear_cache()
    names = sorted(p.stem for p in m.MEASUREMENTS.glob("*.json"))
    assert names, "data/measurements holds no JSON"
    for name in names:
        assert m.load(name)["provenance"]["date_utc"]
    # the lab pages' anchor numbers
    assert m.value("ceilings", "results.roofline.points[m:1,k:4096,n:4096].time") == pytest.approx(23.48e-6, rel=1e-3)
    assert m.value("decode", "results.lean[batch:1,context:2048].graph") == \
        m.value("decode", "summary.batch1_lean_graph_s")


def test_other_file_in_derived_paths(folder):
    other = dict(FIXTURE, summary={"best_s": 0.025, "ttft_s": {}, "largest": {}})
    (folder / "other.json").write_text(json.dumps(other), encoding="utf-8")
    assert m.value("demo", "summary.best_s", over="other:summary.best_s") == pytest.approx(0.5)
    assert m.value("demo", "summary.best_s", above="other:summary.best_s") == pytest.approx(-0.5)
    # a colon inside a list selector is not a file prefix
    assert m.value("demo", "summary.best_s", over="results.points[batch:1].step") == pytest.approx(0.0125 / 0.008)
    with pytest.raises(KeyError, match="files: demo, other"):
        m.value("demo", "summary.best_s", over="missing:summary.best_s")


def test_text_date_and_provenance(folder):
    data = dict(FIXTURE, provenance={"date_utc": "2026-11-27T07:13:41+00:00", "gpu": "NVIDIA H100 80GB HBM3",
                                     "driver": "580.159.04", "cuda": "13.0", "pytorch": "2.11.0+cu130",
                                     "device": "cuda"})
    (folder / "demo.json").write_text(json.dumps(data), encoding="utf-8")
    m.clear_cache()
    ev = placeholders.evaluate
    assert ev("lab_text demo results.label") == "bf16"
    assert ev("lab_text demo summary.largest.8192") == "59"
    assert ev("lab_date demo") == "2026-11-27"
    assert ev("lab_provenance demo") == ("NVIDIA H100 80GB HBM3, driver 580.159.04, CUDA 13.0, "
                                         "PyTorch 2.11.0+cu130, 2026-11-27")
    with pytest.raises(ValueError, match="not text"):
        ev("lab_text demo results.points")
