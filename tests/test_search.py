"""Search that finds: every query of tests/search_queries.yml is typed into the
site's real search box, and at least 90 % must list the expected page among the
first three results."""
from __future__ import annotations

import pytest
from conftest import ROOT
from devtools.searcheval import TOP, load_queries, page_of, report, run_queries
from handbook.errors import HandbookError

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


def test_glossary_keywords_cover_terms_abbreviations_and_variants():
    from handbook.data import glossary as glossary_data
    from handbook.render import glossary

    keywords = glossary.search_keywords(glossary_data.load())
    assert {"TTFT", "time to first token", "Time-To-First-Token"} <= set(keywords["metrics/latency.md"])
    assert "quantisation" in keywords["optimizations/quantization.md"]
    entries = [glossary_data.Entry(term="paged attention", id="pa", definition="d", explained_in="a.md#x", line=1,
                              abbr="PA", variants=["pagedattention"]),
               glossary_data.Entry(term="block table", id="bt", definition="d", explained_in="a.md#y", line=2,
                                   see_also=True)]
    assert glossary.search_keywords(entries) == {"a.md": ["PA", "paged attention", "pagedattention"]}


def test_keywords_land_on_every_entry_of_their_page(tmp_path):
    import json

    from handbook.render.searchindex import add_keywords

    index = tmp_path / "search_index.json"
    index.write_text(json.dumps({"config": {}, "docs": [
        {"location": "metrics/latency/", "title": "Latency", "text": ""},
        {"location": "metrics/latency/#ttft", "title": "TTFT", "text": ""},
        {"location": "concepts/tokens/", "title": "Tokens", "text": ""}]}))
    assert add_keywords(index, {"metrics/latency/": ["TTFT"]}) == 2
    docs = json.loads(index.read_text())["docs"]
    assert [d.get("tags") for d in docs] == [["TTFT"], ["TTFT"], None]
    assert add_keywords(tmp_path / "missing.json", {}) == 0
