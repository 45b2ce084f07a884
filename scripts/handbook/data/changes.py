"""The change log: data/changes.yml, one entry per change a reader would notice (date, title, summary, pages),
newest first; `load` keeps it sorted, dated and pointing at real pages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from handbook import DATA, DOCS
from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError

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
    name = relpath(path)
    raw = load_yaml(path, name=name)
    if not isinstance(raw, list) or not raw:
        raise HandbookError(name, "expected a non-empty YAML list of changes.", "start each with '- date: YYYY-MM-DD'.")
    out: list[Change] = []
    for item in raw:
        where = f"{name}:{getattr(item, 'line', 0)}"
        if not isinstance(item, dict) or set(item) - FIELDS or not {"date", "title", "summary"} <= set(item):
            raise HandbookError(where, f"each change needs date, title and summary (and optional pages); got "
                                f"{sorted(item) if isinstance(item, dict) else type(item).__name__}.",
                                "see the comment at the top of data/changes.yml.")
        date = item["date"]
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                date = None
        if not isinstance(date, dt.date):
            raise HandbookError(where, f"date {item['date']!r} is not YYYY-MM-DD.", "write e.g. 2026-11-27.")
        pages = item.get("pages", [])
        if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
            raise HandbookError(where, "`pages` must be a list of docs-relative paths.",
                                "write `pages: [concepts/kv-cache.md]`.")
        for page in pages:
            if not (docs / page).is_file():
                raise HandbookError(where, f"page docs/{page} does not exist.", "fix the path (relative to docs/).")
        out.append(Change(date, str(item["title"]).strip(), " ".join(str(item["summary"]).split()), tuple(pages),
                          getattr(item, "line", 0)))
    for previous, change in zip(out, out[1:]):
        if change.date > previous.date:
            raise HandbookError(f"{name}:{change.line}", f"{change.date} comes after the older {previous.date}.",
                                "keep changes newest first; add new ones at the top.")
    return out
