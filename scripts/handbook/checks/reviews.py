"""Which pages are due for review: last_reviewed older than a given age."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from handbook.errors import HandbookError
from handbook.render.frontmatter import validate


@dataclass(frozen=True)
class Stale:
    page: str
    reviewed: dt.date
    age_days: int


def months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.month - 1 - months, 12)
    year += today.year
    day = min(today.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                          31, 31, 30, 31, 30, 31][month])
    return dt.date(year, month + 1, day)


def stale_pages(docs: Path, max_age_months: int = 12, today: dt.date | None = None) -> list[Stale]:
    """Pages reviewed before `max_age_months` ago, oldest first. Raises HandbookError on bad front matter."""
    today = today or dt.date.today()
    cutoff = months_ago(today, max_age_months)
    found = []
    for path in sorted(docs.rglob("*.md")):
        where = path.relative_to(docs.parent).as_posix()
        meta = validate(path.read_text(encoding="utf-8"), where)
        reviewed = meta["last_reviewed"]
        if reviewed < cutoff:
            found.append(Stale(where, reviewed, (today - reviewed).days))
    return sorted(found, key=lambda s: (s.reviewed, s.page))


__all__ = ["Stale", "stale_pages", "months_ago", "HandbookError"]
