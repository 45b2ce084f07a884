"""The strict build: the real site builds clean, and each seeded defect in the
fixture handbook fails the build with `file:line` (or `file:key`) and the fix,
never with a traceback."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "site"


def build(project: Path, dest: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_DATA": str(project / "data"),
           "HANDBOOK_DOCS": str(project / "docs")}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                           "-d", str(dest)], cwd=project, env=env, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path):
    dst = tmp_path / "fixture"
    shutil.copytree(FIXTURE, dst)
    # The fixture's mkdocs.yml points at the hook by a path relative to tests/fixtures/site.
    config = dst / "mkdocs.yml"
    config.write_text(config.read_text().replace("../../../scripts/mkdocs_hooks.py",
                                                 str(ROOT / "scripts" / "mkdocs_hooks.py")))
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_builds_clean(project, tmp_path):
    result = build(project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "a" / "index.html").read_text()
    assert "<math" in html and "arithmatex" not in html          # TeX became MathML
    assert "256\u00a0B" in html  # 2 (K and V) x 2 layers x 2 KV heads x 16 dims x 2 bytes
    assert 'href="#ref-kwon2023-pagedattention"' in html           # numbered citation
    assert '<abbr title="time to first token' in html              # tooltip from the glossary
    bib = (tmp_path / "out" / "reference" / "bibliography" / "index.html").read_text()
    assert 'id="kwon2023-pagedattention"' in bib and "KV cache</a>" in bib   # cited-by list


CASES = [
    # (file to edit, old, new, expected message fragment)
    ("docs/index.md", "a.md#kv-cache-size", "missing.md", "contains a link 'missing.md'"),
    ("docs/index.md", "a.md#kv-cache-size", "a.md#no-such-heading", "does not contain an anchor '#no-such-heading'"),
    ("docs/index.md", "Read [the", "![diagram](img/missing.svg)\n\nRead [the", "img/missing.svg"),
    ("mkdocs.yml", "  - reference/bibliography.md\n", "", "not included in the \"nav\""),
    ("docs/a.md", "title: KV cache", "title: [unclosed",
     "docs/a.md:3: YAML syntax error"),  # reported where the parser stops
    ("docs/a.md", "last_reviewed: 2026-11-27", "last_reviewed: soon",
     "docs/a.md:2: last_reviewed 'soon' is not a date"),
    ("docs/a.md", "model=tiny", "model=nope", "docs/a.md:11: placeholder"),
    ("docs/a.md", "kv_bytes_per_token", "kv_bites", "unknown placeholder 'kv_bites'"),
    ("docs/a.md", "[@kwon2023-pagedattention]", "[@nobody2020]", "docs/a.md:11: unknown citation key 'nobody2020'"),
    ("docs/a.md", "$2 \\times L", "$\\left( 2 \\times L", "cannot render TeX"),
    ("data/glossary.yml", "  definition: Time until the first output token arrives.\n", "",
     "data/glossary.yml:6: entry 'time to first token' has no `definition`"),
    ("data/glossary.yml", "explained_in: a.md#kv-cache-size\n  variants", "explained_in: nowhere.md\n  variants",
     "explained_in page docs/nowhere.md does not exist"),
    ("data/models.yml", "num_layers: 2", "num_layers: -2",
     "data/models.yml:7 (tiny.num_layers): expected a positive whole number"),
    ("data/gpus.yml", "capacity: 80 GiB", "capacity: 80 parsecs",
     "data/gpus.yml:6 (gpu-x.memory.capacity): capacity '80 parsecs' is not in binary units"),
    ("data/bibliography/core.yml", "  note: The PagedAttention paper.\n", "", "source without `note`"),
    ("data/models.yml", "  num_layers: 2\n", "  num_layers: 2\n  source_ref: nobody2020\n",
     "data/models.yml:8 (tiny.source_ref): source_ref 'nobody2020' is not a key"),
    ("data/bibliography/core.yml", "  year: 2023\n", "  year: 2023\n  venue: SOSP 2023\n", "repeats the year 2023"),
    # What the reader must not see, caught in the built HTML and traced to its source line:
    ("docs/a.md", "and TTFT matters.", "and TTFT matters {{ oops }}.", "docs/a.md:13: unrendered placeholder"),
    ("docs/a.md", "and TTFT matters.", "and TTFT matters (being written).", 'docs/a.md:13: "(being written)"'),
    ("docs/a.md", "and TTFT matters.", "and costs $x_{i} $ each.", "docs/a.md:13: unrendered TeX"),
    ("docs/a.md", "and TTFT matters.", "and TTFT matters [@kwon2023-pagedattention\n\n].", "unrendered citation"),
    ("docs/a.md", "unit=B >}} per token", "unit=B >}} B per token", "docs/a.md:11: doubled unit"),
    # Engine flags are checked against data/engines/ before the page renders:
    ("docs/a.md", "`--max-seqs`", "`--max-sequences`", "docs/a.md:15: `--max-sequences` is named for Toy 1.0"),
    ("docs/a.md", "Tiny caches", "Toy {{< flag toy --max-seq >}}. Tiny caches", "docs/a.md:11: placeholder"),
]


@pytest.mark.parametrize("path, old, new, expected", CASES, ids=[c[3][:40] for c in CASES])
def test_seeded_defect_fails_build_with_location(project, tmp_path, path, old, new, expected):
    edit(project / path, old, new)
    result = build(project, tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"build passed despite the defect\n{output}"
    assert expected in output, output
    assert output.count(expected) <= 2, f"the same error repeated:\n{output}"   # once, or once per page and print page
    assert "Traceback" not in output, output


def test_citation_wrapped_at_a_line_break_renders(project, tmp_path):
    """`[@a;\n@b]` (a citation list wrapped by an editor) is one citation, not raw text."""
    edit(project / "docs/a.md", "per token [@kwon2023-pagedattention].",
         "per token [@kwon2023-pagedattention;\n@kwon2023-pagedattention, §4].\nThe next line stays.")
    result = build(project, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / "out" / "a" / "index.html").read_text()
    assert "[@" not in html
    assert html.count('href="#ref-kwon2023-pagedattention"') == 2 and ">1, §4</a>" in html
    assert "The next line stays." in html


def test_real_handbook_builds_strict(site_build):
    """The site the other tests use was built with --strict (site_build fails otherwise) and logged no warning."""
    folder, _port, log = site_build
    assert (folder / "handbook" / "index.html").is_file()
    assert not re.search(r"WARNING|ERROR", log), log
