"""The change log: data/changes.yml, one entry per change a reader would notice (date, title, summary, pages),
newest first; `load` keeps it sorted, dated and pointing at real pages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from handbook import DATA, DOCS
from handbook.data.validate import read_records

FIELDS = {"date", "title", "summary", "pages"}


@dataclass(frozen=True)
class Change:
    date: dt.date
    title: str
    summary: str
    pages: tuple[str, ...]
    line: int


def load(path: Path | None = None, docs: Path | None = None) -> list[Change]:
    path = Path(path or DATA / "changes.yml")
    docs = Path(docs or DOCS)
    needs = lambda got: f"each change needs date, title and summary (and optional pages); got {got}."
    see = "see the comment at the top of data/changes.yml."
    out: list[Change] = []
    records = []
    for record in read_records(path, what="changes", fix="start each with '- date: YYYY-MM-DD'.", non_empty=True,
                               item_problem=lambda item: needs(type(item).__name__), item_fix=see):
        records.append(record)
        record.fields(FIELDS, ("date", "title", "summary"), problem=needs(sorted(record.data, key=str)), fix=see)
        date = record.date("date")
        title, summary = record.require("title"), record.require("summary")
        pages = record.strings("pages", problem="`pages` must be a list of docs-relative paths.",
                               fix="write `pages: [concepts/kv-cache.md]`.")
        for page in pages:
            if not (docs / page).is_file():
                record.fail("pages", f"page docs/{page} does not exist.", "fix the path (relative to docs/).")
        out.append(Change(date, str(title).strip(), " ".join(str(summary).split()), tuple(pages), record.line()))
    for (previous, change), record in zip(zip(out, out[1:]), records[1:]):
        if change.date > previous.date:
            record.fail("date", f"{change.date} comes after the older {previous.date}.",
                        "keep changes newest first; add new ones at the top.")
    return out
