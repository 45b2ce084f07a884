"""Search quality: type each query of tests/search_queries.yml into the site's
real search box (Material's search, in a browser) and record where the expected
page lands among the results.

Used by tests/test_search.py (the ≥90 % top-3 gate) and `scripts/bench.py --search`
(the per-query report for tuning).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError
from handbook.render.theme import MATERIAL_STARTED

TOP = 3
KINDS = {"abbreviation", "phrase", "question", "misspelling", "engine"}


@dataclass(frozen=True)
class Query:
    text: str
    expect: str   # page path relative to the site root, e.g. "concepts/kv-cache/"
    kind: str
    line: int


@dataclass(frozen=True)
class Outcome:
    query: Query
    pages: tuple[str, ...]   # result pages in order, as paths relative to the site root

    @property
    def rank(self) -> int | None:
        return self.pages.index(self.query.expect) + 1 if self.query.expect in self.pages else None

    @property
    def hit(self) -> bool:
        return self.rank is not None and self.rank <= TOP


def load_queries(path: Path, docs: Path) -> list[Query]:
    """Read and validate the query set; every problem names `file:line`."""
    data = load_yaml(path)
    name = relpath(path)
    if not isinstance(data, list) or not data:
        raise HandbookError(name, "the query set is not a non-empty YAML list.", "write `- query: …` items.")
    queries, seen = [], set()
    for item in data:
        line = getattr(item, "line", 1)
        where = f"{name}:{line}"
        if not isinstance(item, dict) or set(item) != {"query", "expect", "kind"}:
            raise HandbookError(where, "each item needs exactly the keys query, expect and kind",
                                "write `- query: …`, `expect: section/page/`, `kind: …`")
        text, expect, kind = (str(item[key]).strip() for key in ("query", "expect", "kind"))
        if text.lower() in seen:
            raise HandbookError(where, f"query {text!r} appears twice", "delete one of them")
        seen.add(text.lower())
        if kind not in KINDS:
            raise HandbookError(where, f"unknown kind {kind!r}", f"use one of {', '.join(sorted(KINDS))}")
        if not expect.endswith("/") or not expect.strip("/"):
            raise HandbookError(where, f"expect {expect!r} is not a page path like 'concepts/kv-cache/'",
                                "write the page's URL path relative to the site root, ending in /")
        stem = expect.rstrip("/")
        if not ((docs / f"{stem}.md").is_file() or (docs / stem / "index.md").is_file()):
            raise HandbookError(where, f"no page docs/{stem}.md for {expect!r}", "fix the path or write the page")
        queries.append(Query(text, expect, kind, line))
    return queries


def page_of(href: str, base_url: str) -> str:
    """'http://host/handbook/concepts/kv-cache/?h=kv#size' -> 'concepts/kv-cache/'."""
    base = urlsplit(base_url).path
    path = urlsplit(href).path
    return path[len(base):] if path.startswith(base) else path.lstrip("/")


def run_queries(page, base_url: str, queries: list[Query], timeout_ms: int = 15000) -> list[Outcome]:
    """Type each query into the search box of an open Playwright page and read the result list."""
    page.goto(base_url, wait_until="networkidle")
    page.keyboard.press("/")   # the reader's shortcut; it also starts Material's bundle and loading the index
    box = page.locator("input.md-search__input")
    box.wait_for(state="visible")
    page.wait_for_function(MATERIAL_STARTED, timeout=timeout_ms)
    # Count changes to the result list, so each query waits for its own results to settle.
    page.evaluate("""() => { window.__hbResultChanges = 0;
        new MutationObserver(() => { window.__hbResultChanges++; window.__hbLastChange = performance.now(); })
          .observe(document.querySelector('.md-search-result'), """
                  """{childList: true, subtree: true, characterData: true}); }""")
    outcomes = []
    for query in queries:
        box.fill("")
        box.press("End")
        before = page.evaluate("window.__hbResultChanges")
        box.fill(query.text)   # as a paste; Material reads the box on keyup, hence the End key
        box.press("End")
        page.wait_for_function(
            """before => { const meta = document.querySelector('.md-search-result__meta');
                           return window.__hbResultChanges > before && meta && /matching/i.test(meta.textContent)
                                  && performance.now() - window.__hbLastChange > 150; }""",
            arg=before, timeout=timeout_ms, polling=50)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__item", "items => items.map(li => li.querySelector('a').href)")
        pages: list[str] = []
        for href in hrefs:
            found = page_of(href, base_url)
            if found not in pages:
                pages.append(found)
        outcomes.append(Outcome(query, tuple(pages)))
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    hits = sum(o.hit for o in outcomes)
    lines = [f"search: {hits}/{len(outcomes)} queries ({100 * hits / len(outcomes):.1f} %) "
             f"find their page in the top {TOP}"]
    for kind in sorted(KINDS):
        subset = [o for o in outcomes if o.query.kind == kind]
        if subset:
            lines.append(f"  {kind:<13} {sum(o.hit for o in subset)}/{len(subset)}")
    for o in outcomes:
        if not o.hit:
            got = ", ".join(o.pages[:TOP]) or "no results"
            rank = f"rank {o.rank}" if o.rank else "not in results"
            lines.append(f"  miss line {o.query.line}: {o.query.text!r} -> want {o.query.expect} ({rank}); top: {got}")
    return "\n".join(lines)
