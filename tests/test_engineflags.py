"""The page flag check (scripts/handbook/checks/engineflags.py) on small pages about two toy engines, and on the
real pages against the real engine data."""
import pytest
from handbook.checks import engineflags
from handbook.data import engines

ALPHA = """\
engine: alpha
name: Alpha
release: "2.0"
released: 2026-01-01
release_source: https://example.org/alpha
status: active
names: [Alpha]
commands: [alpha serve]
flags:
  - {flag: --max-seqs, does: Most sequences per step., source: a.py, default: 256}
  - {flag: --eager, does: No graphs., source: a.py}
  - {flag: --scales, does: Scales., source: a.py}
  - {flag: --old-scales, status: removed, since: "1.5", replacement: --scales, does: Old scales., source: a.py}
  - {flag: --legacy-dp, status: deprecated, since: "1.9", replacement: --dp, does: Old DP., source: a.py}
  - {flag: kv_cache_config.dtype, kind: config, does: KV precision., source: a.py}
"""
BETA = """\
engine: beta
name: Beta
release: "0.3"
released: 2026-01-01
release_source: https://example.org/beta
status: active
names: [Beta]
commands: [beta-server, python -m beta.serve]
flags:
  - {flag: --running-requests, does: Most requests running., source: b.py}
"""


@pytest.fixture()
def toys(tmp_path):
    (tmp_path / "alpha.yml").write_text(ALPHA)
    (tmp_path / "beta.yml").write_text(BETA)
    return {p.stem: engines.load_file(p) for p in sorted(tmp_path.glob("*.yml"))}


def check(text, toys):
    return [str(f) for f in engineflags.check_page(text, "docs/x.md", 10, toys)]


def test_a_known_flag_in_a_paragraph_passes(toys):
    assert check("In Alpha, set `--max-seqs 128` to cap the batch.\n", toys) == []


def test_an_unknown_flag_fails_with_the_line(toys):
    found = check("Intro.\n\nIn Alpha, set `--max-sequences` to cap the batch.\n", toys)
    assert len(found) == 1 and found[0].startswith("docs/x.md:12: `--max-sequences` is named for Alpha 2.0")


def test_a_flag_is_attributed_to_the_engines_of_its_paragraph_only(toys):
    assert check("Alpha calls it `--max-seqs`.\n\nBeta calls it `--running-requests`.\n", toys) == []
    assert len(check("Alpha calls it `--running-requests`.\n", toys)) == 1
    assert check("Use `--help` on any command; `kubectl apply -f x.yaml`.\n", toys) == []   # no engine named


def test_removed_and_deprecated_flags_must_be_called_so(toys):
    assert "was removed from Alpha in 1.5" in check("In Alpha, pass `--old-scales`.\n", toys)[0]
    assert check("Alpha removed `--old-scales` in 1.5; use `--scales`.\n", toys) == []
    assert "deprecated in Alpha 2.0" in check("In Alpha, pass `--legacy-dp`.\n", toys)[0]
    assert check("Alpha's `--legacy-dp` still works but is deprecated.\n", toys) == []


def test_table_columns_name_the_engine(toys):
    table = ("| Knob | Alpha | Beta |\n| --- | --- | --- |\n"
             "| Batch | `--max-seqs` | `--running-requests` |\n"
             "| Wrong | `--running-requests` | `--max-seqs` |\n")
    found = check(table, toys)
    assert len(found) == 2 and all(f.startswith("docs/x.md:13:") for f in found)


def test_table_rows_name_the_engine_when_the_header_does_not(toys):
    table = "| Engine | Setting |\n| --- | --- |\n| Alpha | `--max-seqs` |\n| Beta | `--max-seqs` |\n"
    found = check(table, toys)
    assert len(found) == 1 and found[0].startswith("docs/x.md:13:")


def test_release_columns_must_name_a_release(toys):
    table = ("| Engine | Setting | Version checked |\n| --- | --- | --- |\n| Alpha | `--eager` | 2.0 |\n"
             "| Beta | `--running-requests` | main, 2025 |\n| Alpha | `--max-seqs` | {{< engine_release alpha >}} |\n")
    found = check(table, toys)
    assert len(found) == 1 and "docs/x.md:13: release cell 'main, 2025'" in found[0]


def test_command_lines_in_code_blocks_are_checked_against_their_engine(toys):
    block = ("```bash\nalpha serve model \\\n  --max-seqs 64 \\\n  --chunk -1\n"
             "beta-server --running-requests 8\npython -m beta.serve --running-requests 8\n"
             "curl -X POST localhost\n```\n")
    found = check(block, toys)
    assert len(found) == 1 and "`--chunk` is named for Alpha 2.0" in found[0]
    assert found[0].startswith("docs/x.md:11:")


def test_dotted_config_keys_are_checked_within_a_known_section(toys):
    assert check("In Alpha's YAML, set `kv_cache_config.dtype: fp8`.\n", toys) == []
    found = check("In Alpha's YAML, set `kv_cache_config.dtpye`.\n", toys)
    assert len(found) == 1 and "`kv_cache_config.dtpye`" in found[0]
    assert check("Alpha reads `config.json` and `model.safetensors`.\n", toys) == []   # no such section in the data


def test_the_handbook_pages_name_only_flags_the_data_holds():
    findings = engineflags.scan_docs()
    assert findings == [], "\n".join(map(str, findings[:40]))


def test_flag_placeholders_of_deprecated_knobs_must_be_called_so(toys):
    found = check("Pass {{< flag alpha --legacy-dp >}} to split attention.\n", toys)
    assert len(found) == 1 and "deprecated in Alpha 2.0" in found[0]
    assert check("The deprecated {{< flag alpha --legacy-dp >}} still works.\n", toys) == []
    assert check("| Knob | Alpha |\n| --- | --- |\n| DP | {{< flag alpha --legacy-dp >}} (deprecated) |\n", toys) == []
