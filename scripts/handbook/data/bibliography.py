"""The bibliography: data/bibliography/*.yml, one file per part and core.yml for sources several parts share.

A source has an id (the citation key), title, kind, a note in our own words and a URL or arXiv id; `load`
validates every entry and names `file:line` and the fix. Pages cite sources with `[@key]`
(scripts/handbook/render/citations.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from handbook import DATA
from handbook.data.validate import read_records

KINDS = {"paper", "docs", "source", "datasheet", "spec", "blog", "book", "model-card", "talk", "standard"}


REQUIRED = ("id", "title", "kind", "note")


KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")


@dataclass
class Source:
    id: str
    title: str
    kind: str
    note: str
    authors: str = ""
    year: int | str | None = None
    venue: str = ""
    url: str = ""
    arxiv: str = ""
    retrieved: str = ""
    where: str = ""
    cited_by: list = field(default_factory=list)

    @property
    def href(self) -> str:
        return self.url or (f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else "")

    def short(self) -> str:
        who = self.authors.split(",")[0].strip() if self.authors else ""
        if who and "," in self.authors:
            who += " et al."
        return ", ".join(x for x in (who, str(self.year or "")) if x)

    def markdown(self) -> str:
        parts = []
        if self.authors:  # "Kwon, Li, et al." already ends a sentence
            parts.append(self.authors if self.authors.endswith(".") else self.authors + ".")
        title = self.title.replace("[", "\\[").replace("]", "\\]")
        parts.append(f"[*{title}*]({self.href})." if self.href else f"*{title}*.")
        # A venue that names its own year ("ICLR 2024" for a 2023 preprint) is printed without the entry's year,
        # so a reference never shows two years side by side.
        venue_has_year = bool(re.search(r"\b(?:19|20)\d\d\b", self.venue or ""))
        tail = ", ".join(str(x) for x in (self.venue, None if venue_has_year else self.year) if x)
        if tail:
            parts.append(tail + ".")
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}.")
        return " ".join(parts)


def load(directory: Path | None = None) -> dict[str, Source]:
    directory = Path(directory or DATA / "bibliography")
    sources: dict[str, Source] = {}
    seen: dict = {}
    for path in sorted(directory.glob("*.yml")):
        for record in read_records(path, what="sources", fix="start each entry with '- id: ...'.", allow_null=True,
                                   item_problem="each source must be a mapping.",
                                   item_fix="see CONTRIBUTING.md, 'Citations'."):
            for key in REQUIRED:
                record.require(key, problem=f"source without `{key}`.",
                               fix=f"add `{key}:` (see CONTRIBUTING.md, 'Citations').")
            key = str(record["id"])
            if not KEY_RE.match(key):
                record.fail("id", f"source id {key!r} has characters other than a-z 0-9 . + -.",
                            "use a lowercase key such as kwon2023-vllm.")
            record.unique("id", seen, key, problem=lambda first, key=key: f"source id {key!r} is already defined "
                          f"at {first}.", fix="cite the existing entry instead of adding a second one.")
            kind = record.choice("kind", KINDS)
            if not (record.get("url") or record.get("arxiv")):
                record.fail(None, f"source {key!r} has neither `url` nor `arxiv`.",
                            "give the address where a reader finds it.")
            year = str(record.get("year") or "")
            if year and re.search(rf"\b{re.escape(year)}\b", str(record.get("venue") or "")):
                record.fail("venue", f"venue {record['venue']!r} repeats the year {year}, which then prints twice.",
                            "keep the year only in `year:`; write the venue without it (venue: SOSP).")
            known = {k: record[k] for k in ("authors", "year", "venue", "url", "arxiv", "retrieved") if k in record}
            known = {k: str(v) if k in ("arxiv", "retrieved", "url") else v for k, v in known.items()}
            sources[key] = Source(id=key, title=str(record["title"]), kind=kind, note=str(record["note"]),
                                  where=record.where(), **known)
    return sources
