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
from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError

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
    for path in sorted(directory.glob("*.yml")):
        doc = load_yaml(path) or []
        if not isinstance(doc, list):
            raise HandbookError(relpath(path), "expected a YAML list of sources.", "start each entry with '- id: ...'.")
        for entry in doc:
            line = getattr(entry, "line", 0)
            where = f"{relpath(path)}:{line}"
            if not isinstance(entry, dict):
                raise HandbookError(where, "each source must be a mapping.", "see CONTRIBUTING.md, 'Citations'.")
            for key in REQUIRED:
                if not entry.get(key):
                    raise HandbookError(where, f"source without `{key}`.",
                                        f"add `{key}:` (see CONTRIBUTING.md, 'Citations').")
            key = str(entry["id"])
            if not KEY_RE.match(key):
                raise HandbookError(where, f"source id {key!r} has characters other than a-z 0-9 . + -.",
                                    "use a lowercase key such as kwon2023-vllm.")
            if key in sources:
                raise HandbookError(where, f"source id {key!r} is already defined at {sources[key].where}.",
                                    "cite the existing entry instead of adding a second one.")
            if entry["kind"] not in KINDS:
                raise HandbookError(where, f"unknown kind {entry['kind']!r}.", f"use one of {sorted(KINDS)}.")
            if not (entry.get("url") or entry.get("arxiv")):
                raise HandbookError(where, f"source {key!r} has neither `url` nor `arxiv`.",
                                    "give the address where a reader finds it.")
            year = str(entry.get("year") or "")
            if year and re.search(rf"\b{year}\b", str(entry.get("venue") or "")):
                raise HandbookError(where,
                                    f"venue {entry['venue']!r} repeats the year {year}, which then prints twice.",
                                    "keep the year only in `year:`; write the venue without it (venue: SOSP).")
            known = {k: entry[k] for k in ("authors", "year", "venue", "url", "arxiv", "retrieved") if k in entry}
            known = {k: str(v) if k in ("arxiv", "retrieved", "url") else v for k, v in known.items()}
            sources[key] = Source(id=key, title=str(entry["title"]), kind=entry["kind"], note=str(entry["note"]),
                                  where=where, **known)
    return sources
