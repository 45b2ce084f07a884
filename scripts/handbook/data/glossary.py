"""The glossary's data: data/glossary.yml, one entry per term.

Entry fields: term (preferred form, as prose writes it), id (stable anchor), definition (one to three
sentences), explained_in (`part/page.md#anchor`), and optionally abbr, related (ids), variants (spellings to flag
in prose) and see_also (true for entries kept for look-up that prose need not use). The glossary page, the
abbreviation tooltips and the search keywords are written from it by scripts/handbook/render/glossary.py; the
spelling rules are checked by scripts/handbook/checks/glossarycheck.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from handbook import DATA, DOCS
from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError

FIELDS = {"term", "id", "definition", "explained_in", "abbr", "related", "variants", "see_also", "expansion"}


ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


LINK_RE = re.compile(r"^(?P<page>[a-z0-9][\w/.-]*\.md)(?:#(?P<anchor>[\w-]+))?$")


@dataclass
class Entry:
    term: str
    id: str
    definition: str
    explained_in: str
    line: int
    abbr: str = ""
    related: list = field(default_factory=list)
    variants: list = field(default_factory=list)
    see_also: bool = False

    @property
    def heading(self) -> str:
        return f"{self.term} ({self.abbr})" if self.abbr and self.abbr != self.term else self.term

    @property
    def tooltip(self) -> str:
        first = re.split(r"(?<=[.!?])\s", self.definition.strip(), maxsplit=1)[0]
        text = f"{self.term}: {first}" if self.abbr and self.abbr != self.term else first
        return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("\n", " ")


def sort_key(term: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", term.casefold())


def load(path: Path | None = None, docs: Path | None = None, name: str | None = None) -> list[Entry]:
    """Parse and validate the glossary; the first problem raises HandbookError."""
    path = Path(path or DATA / "glossary.yml")
    docs = Path(docs or DOCS)
    name = name or relpath(path)
    doc = load_yaml(path, name=name)
    if not isinstance(doc, list):
        raise HandbookError(name, "expected a YAML list of entries.", "start each entry with '- term: ...'.")
    entries: list[Entry] = []
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for raw in doc:
        line = getattr(raw, "line", 0)
        where = f"{name}:{line}"
        if not isinstance(raw, dict):
            raise HandbookError(where, "each entry must be a mapping.", "write '- term: ...' with its fields.")
        unknown = set(raw) - FIELDS
        if unknown:
            raise HandbookError(where, f"unknown field(s) {sorted(unknown)}.", f"use only {sorted(FIELDS)}.")
        for key in ("term", "id", "definition", "explained_in"):
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip():
                raise HandbookError(where, f"entry {raw.get('term', '?')!r} has no `{key}` (or it is not text).",
                                    f"add `{key}:` as a string (see CONTRIBUTING.md, 'Glossary').")
        entry_id = raw["id"]
        if not ID_RE.match(entry_id):
            raise HandbookError(where, f"id {entry_id!r} is not lowercase letters, digits and hyphens.",
                                "use a stable slug such as `ttft` or `kv-cache`.")
        if entry_id in ids:
            raise HandbookError(where, f"duplicate id {entry_id!r} (first at line {ids[entry_id]}).",
                                "merge the two entries or give one another id.")
        ids[entry_id] = line
        key = raw["term"].casefold()
        if key in names:
            raise HandbookError(where, f"duplicate term {raw['term']!r} (first at line {names[key]}).",
                                "merge the two entries.")
        names[key] = line
        for key in ("related", "variants"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise HandbookError(where, f"`{key}` must be a list of strings.", f"write `{key}: [a, b]`.")
        abbr = raw.get("abbr", "")
        if abbr and (not isinstance(abbr, str) or not re.match(r"^[\w$/&.+-]+$", abbr)):
            raise HandbookError(where, f"abbr {abbr!r} must be a single word.", "write e.g. `abbr: TTFT`.")
        see_also = raw.get("see_also", False)
        if not isinstance(see_also, bool):
            raise HandbookError(where, "`see_also` must be true or false.", "write `see_also: true`.")
        link = LINK_RE.match(raw["explained_in"].strip())
        if not link:
            raise HandbookError(where, f"explained_in {raw['explained_in']!r} is not `part/page.md#anchor`.",
                                "point to the page and section that explains the term.")
        if not (docs / link.group("page")).is_file():
            raise HandbookError(where, f"explained_in page docs/{link.group('page')} does not exist.",
                                "fix the path (relative to docs/).")
        entries.append(Entry(term=raw["term"].strip(), id=entry_id, definition=raw["definition"].strip(),
                             explained_in=raw["explained_in"].strip(), line=line, abbr=abbr,
                             related=raw.get("related", []), variants=raw.get("variants", []), see_also=see_also))
    for previous, entry in zip(entries, entries[1:]):
        if sort_key(entry.term) < sort_key(previous.term):
            raise HandbookError(f"{name}:{entry.line}", f"{entry.term!r} is out of order (after {previous.term!r}).",
                                "keep entries sorted by term, ignoring case and punctuation.")
    abbrs: dict[str, Entry] = {}
    for entry in entries:
        for rel in entry.related:
            if rel not in ids:
                raise HandbookError(f"{name}:{entry.line}", f"related id {rel!r} is not a glossary entry.",
                                    "use the id of an existing entry.")
        if entry.abbr:
            if entry.abbr in abbrs:
                raise HandbookError(f"{name}:{entry.line}", f"abbreviation {entry.abbr!r} also belongs to "
                                    f"{abbrs[entry.abbr].term!r}.", "an abbreviation may have one entry.")
            abbrs[entry.abbr] = entry
    return entries
