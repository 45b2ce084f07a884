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
from handbook.data.validate import read_records

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
    entries: list[Entry] = []
    records = []
    ids: dict = {}
    terms: dict = {}
    for record in read_records(path, name, fix="start each entry with '- term: ...'.",
                               item_fix="write '- term: ...' with its fields."):
        records.append(record)
        record.fields(FIELDS)
        for key in ("term", "id", "definition", "explained_in"):
            record.require(key, str, problem=f"entry {record.get('term', '?')!r} has no `{key}` (or it is not text).",
                           fix=f"add `{key}:` as a string (see CONTRIBUTING.md, 'Glossary').")
        entry_id = record["id"]
        if not ID_RE.match(entry_id):
            record.fail("id", f"id {entry_id!r} is not lowercase letters, digits and hyphens.",
                        "use a stable slug such as `ttft` or `kv-cache`.")
        record.unique("id", ids, fix="merge the two entries or give one another id.")
        record.unique("term", terms, record["term"].casefold(), fix="merge the two entries.")
        related, variants = record.strings("related"), record.strings("variants")
        abbr = record.get("abbr", "")
        if abbr and (not isinstance(abbr, str) or not re.match(r"^[\w$/&.+-]+$", abbr)):
            record.fail("abbr", f"abbr {abbr!r} must be a single word.", "write e.g. `abbr: TTFT`.")
        see_also = record.get("see_also", False)
        if not isinstance(see_also, bool):
            record.fail("see_also", "`see_also` must be true or false.", "write `see_also: true`.")
        link = LINK_RE.match(record["explained_in"].strip())
        if not link:
            record.fail("explained_in", f"explained_in {record['explained_in']!r} is not `part/page.md#anchor`.",
                        "point to the page and section that explains the term.")
        if not (docs / link.group("page")).is_file():
            record.fail("explained_in", f"explained_in page docs/{link.group('page')} does not exist.",
                        "fix the path (relative to docs/).")
        entries.append(Entry(term=record["term"].strip(), id=entry_id, definition=record["definition"].strip(),
                             explained_in=record["explained_in"].strip(), line=record.line(), abbr=abbr,
                             related=related, variants=variants, see_also=see_also))
    for (previous, entry), record in zip(zip(entries, entries[1:]), records[1:]):
        if sort_key(entry.term) < sort_key(previous.term):
            record.fail("term", f"{entry.term!r} is out of order (after {previous.term!r}).",
                        "keep entries sorted by term, ignoring case and punctuation.")
    abbrs: dict[str, Entry] = {}
    for entry, record in zip(entries, records):
        for rel in entry.related:
            if rel not in ids:
                record.fail("related", f"related id {rel!r} is not a glossary entry.",
                            "use the id of an existing entry.")
        if entry.abbr:
            if entry.abbr in abbrs:
                record.fail("abbr", f"abbreviation {entry.abbr!r} also belongs to {abbrs[entry.abbr].term!r}.",
                            "an abbreviation may have one entry.")
            abbrs[entry.abbr] = entry
    return entries
