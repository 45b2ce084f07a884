"""The data-driven figures (scripts/handbook/render/figures.py): the committed SVGs are
what data/ gives now, each is accessible and deterministic, and a change in
data/ reaches the figure's text."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT
from handbook.render import figures

REGENERATE = f"regenerate with: {figures.REGENERATE}"


def test_committed_figures_are_current():
    stale = figures.stale(ROOT)
    assert not stale, f"figures out of date with data/: {', '.join(stale)}; {REGENERATE}"


def test_figures_are_deterministic_and_accessible():
    first, second = figures.render_all(), figures.render_all()
    assert first == second
    for path, text in first.items():
        assert (re.search(r"<title id=\"t\">[^<]+</title>", text)
                and re.search(r"<desc id=\"d\">[^<]+</desc>", text)), path
        assert 'fill="#ffffff"' in text.split("</desc>", 1)[1][:200], f"{path}: no white background"
        assert "sans-serif" in text.split(">", 1)[0], f"{path}: no system sans-serif font on the root"
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', text)]
        assert sizes and min(sizes) >= 11, f"{path}: text smaller than 11 px"
        assert "nan" not in text.lower().replace("nanoseconds", ""), path
        assert not re.search(r"\d(?: |\u00a0)?(?:KB|MB)\b", text), f"{path}: on-chip and memory sizes are binary"


def test_every_figure_appears_on_a_page():
    pages = {p: p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md")}
    for path in figures.FIGURES:
        name = path.rsplit("/", 1)[1]
        folder = (ROOT / path).parent.parent
        users = [p for p, text in pages.items() if p.parent == folder and f"](img/{name})" in text]
        assert users, f"{path} is in FIGURES but no page in {folder.relative_to(ROOT)} shows it"


def test_memory_budget_is_drawn_in_gib():
    text = figures.memory_budget()
    assert "80 GiB" in text and "\u201c80GB\u201d" in text       # capacity in GiB, the vendor label only as printed
    assert not re.search(r"\d(?: )?GB\b", text.replace("\u201c80GB\u201d", "")), "decimal GB in the memory budget"


def test_changing_gpu_memory_changes_the_figures(tmp_path):
    """A copy of data/ with the H100 SXM at 96 GiB: --check reports the committed figures stale (naming the
    command), and the figures written from that copy print the new capacity."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("gpus.yml", "models.yml"):
        shutil.copy(ROOT / "data" / name, data / name)
    gpus = (data / "gpus.yml").read_text(encoding="utf-8")
    start = gpus.index("- id: h100-sxm\n")
    block_end = gpus.index("\n- id:", start + 1)
    block = gpus[start:block_end]
    assert "capacity: 80 GiB" in block, "data/gpus.yml changed: update this test"
    (data / "gpus.yml").write_text(gpus[:start] + block.replace("capacity: 80 GiB", "capacity: 96 GiB")
                                   + gpus[block_end:], encoding="utf-8")
    env = {**os.environ, "HANDBOOK_DATA": str(data)}
    script = str(ROOT / "scripts" / "figures.py")

    check = subprocess.run([sys.executable, script, "--check"], env=env, capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "docs/concepts/img/memory-budget.svg" in check.stdout
    assert figures.REGENERATE in check.stdout

    out = tmp_path / "out"
    write = subprocess.run([sys.executable, script, "--out", str(out)], env=env, capture_output=True, text=True)
    assert write.returncode == 0, write.stdout + write.stderr
    for path in ("docs/concepts/img/memory-budget.svg", "docs/concepts/img/memory-hierarchy.svg"):
        new, committed = (out / path).read_text(encoding="utf-8"), (ROOT / path).read_text(encoding="utf-8")
        assert new != committed, path
        assert "96 GiB" in new and "96 GiB" not in committed, path
    budget = (out / "docs/concepts/img/memory-budget.svg").read_text(encoding="utf-8")
    assert "= 86.4 GiB" in budget      # 0.9 x 96 GiB: the limit line moved with the capacity
