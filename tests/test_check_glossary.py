"""check_glossary: one seeded defect per rule with the exact finding, a clean
fixture with none, malformed sources (hand-written and random) that never
escape as a traceback, and the real handbook."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from handbook.checks.glossarycheck import check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GLOSSARY = """\
- term: KV cache
  id: kv-cache
  definition: Keys and values kept for earlier tokens.
  explained_in: a.md#kv-cache
  variants: [kv-cache, KV-cache]
- term: time to first token
  abbr: TTFT
  id: ttft
  definition: Time until the first output token arrives.
  explained_in: a.md#ttft
  related: [kv-cache]
"""
PAGE = """\
---
title: A
description: A fixture page for the glossary checker tests, long enough.
last_reviewed: 2026-11-27
---

# A

## KV cache {#kv-cache}

The KV cache grows with TTFT in mind.

## Time to first token {#ttft}

Measured per request. `kv-cache` in code is fine, and so is TODO in prose.
"""


def project(tmp_path: Path, glossary: str = GLOSSARY, page: str = PAGE) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(page)
    path = tmp_path / "data" / "glossary.yml"
    path.parent.mkdir()
    path.write_text(glossary)
    return path, docs


def findings(tmp_path, **kwargs) -> list[str]:
    path, docs = project(tmp_path, **kwargs)
    return [f.render() for f in check(path, docs)]


def test_clean_fixture_has_no_findings(tmp_path):
    assert findings(tmp_path) == []


def test_rule_variant(tmp_path):
    page = PAGE.replace("The KV cache grows", "The KV-cache grows")
    assert findings(tmp_path, page=page) == [
        "docs/a.md:11: [variant] 'KV-cache' is a flagged spelling. Fix: write 'KV cache' (glossary: kv-cache)."]


def test_rule_abbreviation_not_in_glossary(tmp_path):
    page = PAGE.replace("Measured per request.", "Measured per request at the p99 SLO.")
    assert findings(tmp_path, page=page) == [
        "docs/a.md:15: [abbr] abbreviation 'SLO' is not in the glossary. "
        "Fix: add an entry with `abbr: SLO` to data/glossary.yml, or spell it out."]


def test_rule_anchor(tmp_path):
    glossary = GLOSSARY.replace("explained_in: a.md#ttft", "explained_in: a.md#time-to-first")
    assert findings(tmp_path, glossary=glossary) == [
        "data/glossary.yml:6: [anchor] 'time to first token': explained_in 'a.md#time-to-first' names no heading "
        "on that page. Fix: give the heading an id ({#time-to-first}) or point to an existing one."]


def test_rule_unused(tmp_path):
    glossary = GLOSSARY + """\
- term: warm pool
  id: warm-pool
  definition: Replicas kept running to absorb bursts.
  explained_in: a.md#ttft
"""
    assert findings(tmp_path, glossary=glossary) == [
        "data/glossary.yml:12: [unused] 'warm pool' is not used on any page. "
        "Fix: use it where it belongs, remove it, or mark it `see_also: true`."]
    (tmp_path / "b").mkdir()
    assert findings(tmp_path / "b", glossary=glossary + "  see_also: true\n") == []  # marked for look-up only


@pytest.mark.parametrize("glossary, expected", [
    (GLOSSARY.replace("  definition: Time until the first output token arrives.\n", ""),
     "data/glossary.yml:6: [source] entry 'time to first token' has no `definition` (or it is not text)."),
    (GLOSSARY.replace("id: ttft", "id: kv-cache"),
     "data/glossary.yml:8: [source] duplicate id 'kv-cache' (first at line 2)."),
    (GLOSSARY.replace("- term: time to first token", "- term: aardvark"),
     "data/glossary.yml:6: [source] 'aardvark' is out of order"),
    (GLOSSARY.replace("a.md#ttft", "nowhere.md#ttft"),
     "data/glossary.yml:10: [source] explained_in page docs/nowhere.md does not exist."),
    (GLOSSARY.replace("related: [kv-cache]", "related: [nope]"),
     "data/glossary.yml:11: [source] related id 'nope' is not a glossary entry."),
    (GLOSSARY.replace("related: [kv-cache]", "related: kv-cache"),
     "data/glossary.yml:11: [source] `related` must be a list of strings."),
    (GLOSSARY.replace("abbr: TTFT", "abbr: [TTFT]"),
     "data/glossary.yml:7: [source] abbr ['TTFT'] must be a single word."),
    (GLOSSARY.replace("  id: ttft\n", "  id: ttft\n  colour: red\n"),
     "data/glossary.yml:9: [source] unknown field(s) ['colour']."),
    (GLOSSARY + "- just a string\n", "data/glossary.yml:12: [source] each entry must be a mapping."),
    ("term: [unclosed", "data/glossary.yml:2: [source] YAML syntax error"),  # libyaml marks the end of input
    ("{}", "data/glossary.yml: [source] expected a YAML list of entries."),
    (GLOSSARY.replace("explained_in: a.md#ttft", "explained_in: 42"),
     "data/glossary.yml:10: [source] entry 'time to first token' has no `explained_in` (or it is not text)."),
])
def test_malformed_source_is_one_located_finding(tmp_path, glossary, expected):
    result = findings(tmp_path, glossary=glossary)
    assert len(result) == 1 and result[0].startswith(expected), result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="- :#[]{}'\"\nabcTID0123_", max_size=200))
def test_random_sources_never_raise(tmp_path_factory, text):
    path, docs = project(tmp_path_factory.mktemp("random"), glossary=text)
    for finding in check(path, docs):  # never raises; every finding is located
        assert finding.where.startswith(("data/glossary.yml", "docs/a.md:")), finding


def test_cli_exit_codes(tmp_path):
    path, docs = project(tmp_path)
    script = [sys.executable, str(ROOT / "scripts" / "check_glossary.py"), "--glossary", str(path), "--docs", str(docs)]
    assert subprocess.run(script, capture_output=True).returncode == 0
    path.write_text("term: [unclosed")
    result = subprocess.run(script, capture_output=True, text=True)
    assert result.returncode == 2 and "YAML syntax error" in result.stdout and "Traceback" not in result.stderr


def test_real_handbook_is_clean():
    result = [f.render() for f in check()]
    assert result == [], "\n".join(result[:30])
