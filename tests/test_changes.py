"""data/changes.yml, the source of the What's new page: newest first, real dates,
real pages; and the page renders every entry with working links."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT
from handbook.data import changes as change_log
from handbook.errors import HandbookError
from handbook.render import changes


def test_real_change_log_loads_and_renders():
    entries = change_log.load()
    assert entries and all(c.summary for c in entries)
    text = changes.page(entries, "reference/whats-new.md", {"index.md": "Home"})
    assert text.startswith(f"## {entries[0].date.isoformat()}")
    assert text.count("\n- **") + text.startswith("- **") == len(entries)
    assert "[Home](../index.md)" in text


@pytest.mark.parametrize("body, problem", [
    ("- date: 2026-13-01\n  title: t\n  summary: s\n", "month must be in 1..12"),
    ("- date: 27.11.2026\n  title: t\n  summary: s\n", "is not YYYY-MM-DD"),
    ("- date: 2026-01-01\n  title: t\n", "needs date, title and summary"),
    ("- date: 2026-01-01\n  title: t\n  summary: s\n  pages: [nope.md]\n", "docs/nope.md does not exist"),
    ("- date: 2026-01-01\n  title: a\n  summary: s\n- date: 2026-02-01\n  title: b\n  summary: s\n",
     "comes after the older"),
])
def test_change_log_errors_name_the_line(tmp_path, body, problem):
    path = tmp_path / "changes.yml"
    path.write_text(body)
    with pytest.raises(HandbookError) as caught:
        change_log.load(path, ROOT / "docs")
    assert problem in caught.value.problem
    assert caught.value.where.startswith(str(path))


def test_whats_new_page_lists_the_changes(served_site):
    _, site = served_site
    html = (site / "reference" / "whats-new" / "index.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)   # titles may carry abbreviation tooltips (<abbr>SLO</abbr>)
    for change in change_log.load():
        assert change.title in text
    assert 'href="../../lab/decode/"' in html
