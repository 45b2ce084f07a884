"""Search that finds: every query of tests/search_queries.yml is typed into the
site's real search box, and at least 90 % must list the expected page among the
first three results."""
from __future__ import annotations

import pytest

from conftest import ROOT
from handbook.errors import HandbookError
from handbook.searcheval import TOP, load_queries, page_of, report, run_queries

QUERIES = ROOT / "tests" / "search_queries.yml"
TARGET = 0.90


def test_query_set_is_large_and_varied():
    queries = load_queries(QUERIES, ROOT / "docs")
    assert len(queries) >= 60
    assert {q.kind for q in queries} == {"abbreviation", "phrase", "question", "misspelling", "engine"}
    assert len({q.expect for q in queries}) >= 40, "the queries should spread over the handbook"
    assert not any(q.expect in ("reference/glossary/", "reference/bibliography/") for q in queries)


@pytest.mark.parametrize("text, problem", [
    ("- query: ttft\n  expect: metrics/nope/\n  kind: abbreviation\n", "no page docs/metrics/nope.md"),
    ("- query: ttft\n  expect: metrics/latency/\n  kind: acronym\n", "unknown kind 'acronym'"),
    ("- query: ttft\n  expect: metrics/latency/\n  kind: abbreviation\n"
     "- query: TTFT\n  expect: metrics/latency/\n  kind: abbreviation\n", "appears twice"),
    ("- query: ttft\n  expect: metrics/latency\n  kind: abbreviation\n", "is not a page path"),
    ("- query: ttft\n  page: metrics/latency/\n", "exactly the keys"),
])
def test_query_set_errors_name_the_line(tmp_path, text, problem):
    path = tmp_path / "queries.yml"
    path.write_text(text)
    with pytest.raises(HandbookError) as caught:
        load_queries(path, ROOT / "docs")
    assert problem in caught.value.problem
    assert caught.value.where.startswith(str(path)) and ":" in caught.value.where


def test_page_of_strips_base_query_and_fragment():
    assert page_of("http://127.0.0.1:1/handbook/concepts/kv-cache/?h=kv#size", "http://127.0.0.1:1/handbook/") \
        == "concepts/kv-cache/"


@pytest.mark.browser
def test_search_finds_the_expected_page_in_the_top_three(page):
    queries = load_queries(QUERIES, ROOT / "docs")
    outcomes = run_queries(page, page.base_url, queries)
    print(report(outcomes))
    assert all(o.pages for o in outcomes if o.query.kind != "misspelling"), report(outcomes)
    score = sum(o.hit for o in outcomes) / len(outcomes)
    assert score >= TARGET, f"only {score:.0%} in the top {TOP}:\n{report(outcomes)}"
    assert page.errors == []
