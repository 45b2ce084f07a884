"""The engine data (scripts/handbook/data/engines.py) and the engine placeholders and tables
(scripts/handbook/render/engines.py)."""
import pytest
from handbook.data import engines
from handbook.errors import HandbookError
from handbook.render import engines as render
from handbook.render.placeholders import evaluate

HEAD = """\
engine: toy
name: Toy
release: "1.0"
released: 2026-01-01
release_source: https://example.org/toy
status: active
names: [Toy]
flags:
"""


def load(tmp_path, flags, head=HEAD):
    path = tmp_path / "toy.yml"
    path.write_text(head + flags)
    return engines.load_file(path)


def test_a_good_file_loads(tmp_path):
    toy = load(tmp_path, "  - {flag: --max-seqs, default: null, effective: 256 on the API server, does: Cap., "
                         "source: a.py}\n  - {flag: --tp, aliases: [-t], default: 1, does: TP., source: a.py}\n")
    assert toy.label == "Toy 1.0"
    assert toy.knob("-t").flag == "--tp" and toy.knob("--tp").default_text() == "1"
    assert toy.knob("--max-seqs").default_text() == "256 on the API server"


@pytest.mark.parametrize("flags, line, message", [
    ("  - {flag: --a, does: TODO, source: a.py}\n", 9, "still a TODO"),
    ("  - {flag: --a, status: removed, does: Gone., source: a.py}\n", 9, "needs `since:`"),
    ("  - {flag: a, does: A., source: a.py}\n", 9, "does not start with '-'"),
    ("  - {flag: --a, kind: yaml, does: A., source: a.py}\n", 9, "unknown kind"),
    ("  - {flag: --a, does: A., source: a.py}\n  - {flag: --b, aliases: [--a], does: B., source: a.py}\n", 10,
     "listed twice"),
    ("  - {flag: --a, does: A.}\n", 9, "missing required field 'source'"),
])
def test_bad_entries_name_the_line_and_the_fix(tmp_path, flags, line, message):
    with pytest.raises(HandbookError) as info:
        load(tmp_path, flags)
    assert info.value.where.startswith(f"toy.yml:{line}") or f"toy.yml:{line}" in str(info.value)
    assert message in str(info.value)


def test_an_engine_in_maintenance_must_say_since_when(tmp_path):
    with pytest.raises(HandbookError, match="status_note"):
        load(tmp_path, "  - {flag: --a, does: A., source: a.py}\n", HEAD.replace("active", "maintenance"))


def test_the_file_name_is_the_engine_id(tmp_path):
    path = tmp_path / "other.yml"
    path.write_text(HEAD + "  - {flag: --a, does: A., source: a.py}\n")
    with pytest.raises(HandbookError, match="differs from the file name"):
        engines.load_file(path)


def test_every_engine_file_loads_and_names_an_exact_release():
    loaded = engines.load()
    assert {"vllm", "sglang", "tensorrt-llm"} <= set(loaded)
    for engine in loaded.values():
        assert any(ch.isdigit() for ch in engine.release), engine.file
        assert engine.names and engine.knobs


def test_placeholders_print_releases_flags_and_defaults():
    vllm = engines.get("vllm")
    assert evaluate("engine_release vllm") == f"vLLM {vllm.release}"
    assert evaluate("engine_released vllm") == vllm.released.isoformat()
    assert evaluate("flag vllm --max-num-seqs") == "`--max-num-seqs`"
    assert evaluate("flag vllm -tp") == "`--tensor-parallel-size`"       # an alias prints the primary name
    assert evaluate("engine_default vllm --kv-cache-dtype") == "auto"
    with pytest.raises(ValueError, match="no knob"):
        evaluate("flag vllm --no-such-flag")


def test_a_removed_flag_needs_the_page_to_say_so():
    removed = next(k for k in engines.get("vllm").knobs if k.status == "removed")
    with pytest.raises(ValueError, match="was removed"):
        evaluate(f"flag vllm {removed.flag}")
    assert evaluate(f"flag vllm {removed.flag} removed=1") == f"`{removed.flag}`"


def test_the_engine_table_names_the_release_and_links_the_source():
    text = render.table("vllm:--kv-cache-dtype", "sglang:--kv-cache-dtype")
    lines = text.splitlines()
    assert lines[0].startswith("| Engine (release checked) |") and len(lines) == 4
    vllm, sglang = engines.get("vllm"), engines.get("sglang")
    assert lines[2].startswith(f"| {vllm.label} | `--kv-cache-dtype`")
    assert f"/blob/v{vllm.release}/" in lines[2] and lines[3].startswith(f"| {sglang.label} |")
    with pytest.raises(ValueError, match="engine:flag"):
        render.table("--kv-cache-dtype")


def test_the_crossref_has_a_column_per_engine_with_defaults():
    text = render.crossref("batch-memory")
    lines = text.splitlines()
    assert lines[0] == "| Knob | Engine (release checked) | Flag or key | Default |"
    vllm_row = next(line for line in lines if f"| {engines.get('vllm').label} | `--max-num-seqs`" in line)
    assert vllm_row.startswith("| Most sequences in a batch |")
    assert render.reader_text(engines.get("vllm").knob("--max-num-seqs").default_text())[:20] in vllm_row
    rows = render.load_crossref()
    assert rows and all(r["section"] for r in rows)


def test_engine_commands_render_tabs_with_the_release_and_checked_flags():
    text = render.commands(model="meta-llama/Llama-3.1-8B-Instruct", vllm="--max-num-seqs 128 -tp 2",
                           sglang="--max-running-requests 128")
    vllm, sglang = engines.get("vllm"), engines.get("sglang")
    assert f'=== "{vllm.label}"' in text and f'=== "{sglang.label}"' in text
    assert "    vllm serve meta-llama/Llama-3.1-8B-Instruct \\\n      --max-num-seqs 128 \\\n" in text
    assert "--tensor-parallel-size 2" in text                  # the alias is printed under its current name
    with pytest.raises(ValueError, match="has no flag"):
        render.commands(vllm="--max-sequences 4")
    deprecated = next(k for k in sglang.knobs if k.status == "deprecated")
    with pytest.raises(ValueError, match="current flag"):
        render.commands(sglang=deprecated.flag)


def test_every_command_on_the_pages_parses_against_its_engine_release():
    """Each engine_commands block a page writes is rendered, and every command line in it is held against the flags
    of the release its tab names (the page flag check, run on the rendered Markdown)."""
    import re

    from handbook import DOCS
    from handbook.checks import engineflags
    from handbook.render.markdown import PLACEHOLDER

    found = 0
    for path in sorted(DOCS.rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in PLACEHOLDER.finditer(line):
                if not match.group(1).startswith("engine_commands"):
                    continue
                rendered = evaluate(match.group(1))
                commands = re.findall(r"^    (\S.*?) \\$", rendered, re.M)
                assert commands, f"{path}:{number}: no command rendered"
                findings = engineflags.check_page(rendered, f"{path}:{number}")
                assert findings == [], "\n".join(map(str, findings))
                found += 1
    assert found >= 10, f"only {found} engine_commands blocks on the pages"


def test_tables_drop_parentheses_that_only_name_code():
    text = ("unset: on where supported (ModelConfig.is_prefix_caching_supported; EngineArgs._set_defaults), "
            "else 0.92 (on CUDA and ROCm) (vllm/config/cache.py) (16 up to 0.33.0)")
    assert render.reader_text(text) == "unset: on where supported, else 0.92 (on CUDA and ROCm) (16 up to 0.33.0)"
