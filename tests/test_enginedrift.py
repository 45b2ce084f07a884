"""The drift report (scripts/handbook/checks/enginedrift.py): the toy engine's data against its releases 1.0 and
1.1, the diff between them, and the real engine data against the pinned releases' snapshots."""
from pathlib import Path

import pytest
from handbook.checks import enginedrift
from handbook.data import engines

TOY = Path(__file__).parent / "fixtures" / "engine_releases"

DATA = """\
engine: toyengine
name: Toy
release: "1.0"
released: 2026-01-01
release_source: https://example.org/toy/1.0
status: active
names: [Toy]
commands: [toy serve]
drift:
  package: toyengine
  files: ["toyengine/*.py"]
  flag_classes: [Schedule]
  env_files: [toyengine/envs.py]
  env_prefixes: [TOY_]
  bool_negation: true
flags:
  - flag: --block-size
    default: 16
    does: Tokens per KV block.
    source: toyengine/config.py
  - flag: --gpu-memory-utilization
    default: 0.9
    does: Share of GPU memory the engine takes.
    source: toyengine/config.py
  - flag: --tensor-parallel-size
    aliases: [-tp]
    does: GPUs per replica.
    source: toyengine/args.py
  - flag: --calculate-scales
    does: Computes KV scales at start.
    source: toyengine/args.py
  - flag: --old-eager
    status: deprecated
    since: "1.0"
    replacement: --eager
    does: Turns graph capture off.
    source: toyengine/args.py
  - flag: --cuda-graph-max-bs
    default: 256
    does: Largest batch captured in a graph.
    source: toyengine/fields.py
  - flag: --medusa
    status: removed
    since: "0.9"
    does: A removed drafter.
    source: toyengine/args.py
  - flag: TOY_ATTENTION_BACKEND
    kind: env
    does: Chooses the attention kernels.
    source: toyengine/envs.py
  - flag: compilation-config.max_capture_size
    kind: config
    does: Largest captured size.
    source: toyengine/config.py
"""


@pytest.fixture()
def toy(tmp_path):
    path = tmp_path / "toyengine.yml"
    path.write_text(DATA)
    return engines.load_file(path)


def snapshot(toy, version):
    return enginedrift.snapshot_from_source(toy, TOY / f"toyengine-{version}", version)


def test_the_data_matches_the_release_it_names(toy):
    assert enginedrift.drift(toy, snapshot(toy, "1.0")) == []


def test_a_snapshot_of_another_release_is_refused(toy):
    problems = enginedrift.drift(toy, snapshot(toy, "1.1"))
    assert len(problems) == 1 and "snapshot is of 1.1" in problems[0].message


def test_the_next_release_contradicts_the_data(toy):
    new = snapshot(toy, "1.1")
    new["release"] = "1.0"          # hold the 1.0 data against 1.1's flags
    found = {p.knob: p.message for p in enginedrift.drift(toy, new)}
    assert "default 16 in the data, 64" in found["--block-size"]
    assert "default 0.9 in the data, None" in found["--gpu-memory-utilization"]
    assert "does not declare" in found["--calculate-scales"]
    assert "--cuda-graph-max-bs" not in found            # still accepted: an alias of the decode variant
    assert set(found) == {"--block-size", "--gpu-memory-utilization", "--calculate-scales"}


def test_status_and_kind_mismatches_are_reported(toy):
    snap = snapshot(toy, "1.0")
    snap["flags"]["--medusa"] = {"aliases": [], "default": None, "deprecated": False, "source": "x.py:1"}
    snap["flags"]["--old-eager"]["deprecated"] = False
    snap["env"].pop("TOY_ATTENTION_BACKEND")
    snap["classes"]["CompilationConfig"].pop("max_capture_size")
    found = {p.knob: p.message for p in enginedrift.drift(toy, snap)}
    assert "marked removed since 0.9" in found["--medusa"]
    assert "does not say so" in found["--old-eager"]
    assert "does not read this variable" in found["TOY_ATTENTION_BACKEND"]
    assert "no such key" in found["compilation-config.max_capture_size"]


def test_problems_name_the_data_line_and_the_fix(toy):
    new = snapshot(toy, "1.1")
    new["release"] = "1.0"
    text = str(next(p for p in enginedrift.drift(toy, new) if p.knob == "--block-size"))
    assert text.startswith(f"{toy.file}:{toy.knob('--block-size').line}: --block-size:") and "Fix:" in text


def test_diff_between_releases(toy):
    changes = enginedrift.diff(snapshot(toy, "1.0"), snapshot(toy, "1.1"))
    assert [n for n, _src in changes["added"]] == ["--max-long-prefills"]
    assert changes["removed"] == ["--calculate-scales"]
    assert [(old, new) for old, new, _src in changes["renamed"]] == [("--cuda-graph-max-bs",
                                                                       "--cuda-graph-max-bs-decode")]
    defaults = {name: (before, after) for name, before, after, _src in changes["defaults"]}
    assert defaults == {"--block-size": (16, 64), "--gpu-memory-utilization": (0.9, None)}


@pytest.mark.parametrize("engine_id", sorted(p.stem for p in engines.ENGINE_DIR.glob("*.yml")
                                             if "\ndrift:" in p.read_text(encoding="utf-8")))
def test_the_pinned_releases_have_no_drift(engine_id):
    engine = engines.get(engine_id)
    path = enginedrift.snapshot_path(engine)
    assert path.exists(), f"no snapshot of {engine.label}: run scripts/check_engines.py snapshot {engine_id}"
    problems = enginedrift.drift(engine, enginedrift.load_snapshot(path))
    assert problems == [], "\n".join(map(str, problems))
