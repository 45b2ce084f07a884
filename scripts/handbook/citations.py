"""Citations: `[@key]` in a page, one bibliography in data/bibliography/*.yml.

A page cites with `[@kwon2023-vllm]`, several at once with
`[@kwon2023-vllm; @yu2022-orca]`, and with a locator `[@kwon2023-vllm, §4.5]`.
The build numbers the citations per page, appends a "References" section, and
the bibliography page lists every source with the pages that cite it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import DATA
from .errors import HandbookError
from .markdown import fence_lines
from .yamlsrc import load_yaml, relpath

KINDS = {"paper", "docs", "source", "datasheet", "spec", "blog", "book", "model-card", "talk", "standard"}
REQUIRED = ("id", "title", "kind", "note")
CITE = re.compile(r"\[(@[A-Za-z0-9][\w.:+-]*(?:,[^\];@]*)?(?:\s*;\s*@[A-Za-z0-9][\w.:+-]*(?:,[^\];@]*)?)*)\]")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
KIND_TITLES = {
    "paper": "Papers", "book": "Books", "docs": "Engine and project documentation", "source": "Source code",
    "datasheet": "Datasheets", "spec": "Specifications", "standard": "Specifications", "model-card": "Model cards",
    "blog": "Technical blogs and reports", "talk": "Talks",
}


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


def _keys(inner: str) -> list[tuple[str, str]]:
    out = []
    for part in inner.split(";"):
        part = part.strip()[1:]
        key, _, locator = part.partition(",")
        out.append((key.strip(), locator.strip()))
    return out


def _paragraphs(lines: list[str]):
    """Yield (index of first line, text) for each paragraph outside code fences.

    Citations are parsed per paragraph, not per line, so that `[@a;\n@b]`, wrapped at a
    line break, is one citation. A blank line or a fence ends a paragraph."""
    block: list[str] = []
    first = 0
    for index, line, in_fence in fence_lines(lines):
        if in_fence or not line.strip():
            if block:
                yield first, "\n".join(block)
            block = []
            continue
        if not block:
            first = index
        block.append(line)
    if block:
        yield first, "\n".join(block)


def _matches(paragraph: str):
    """CITE matches in a paragraph, with inline code masked (same length, so offsets hold)."""
    masked = "\n".join(_strip_code(line) for line in paragraph.split("\n"))
    return CITE.finditer(masked)


def scan(markdown: str) -> list[tuple[int, str]]:
    """(line index, key) for every citation outside code."""
    found = []
    for first, paragraph in _paragraphs(markdown.split("\n")):
        if "[@" not in paragraph:
            continue
        for match in _matches(paragraph):
            index = first + paragraph.count("\n", 0, match.start())
            found.extend((index, key) for key, _ in _keys(match.group(1)))
    return found


def _strip_code(line: str) -> str:
    return re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), line)


def render(markdown: str, page_src: str, sources: dict[str, Source], first_line: int = 1) -> str:
    """Number the citations of one page and append its References section."""
    order: list[str] = []
    lines = markdown.split("\n")
    for first, paragraph in list(_paragraphs(lines)):
        if "[@" not in paragraph:
            continue
        pieces, last = [], 0
        for match in _matches(paragraph):
            line_no = first_line + first + paragraph.count("\n", 0, match.start())
            labels = []
            for key, locator in _keys(match.group(1)):
                if key not in sources:
                    raise HandbookError(f"docs/{page_src}:{line_no}", f"unknown citation key {key!r}.",
                                        "add the source to data/bibliography/<part>.yml or fix the key.")
                if key not in order:
                    order.append(key)
                number = order.index(key) + 1
                label = f"{number}, {' '.join(locator.split())}" if locator else str(number)
                labels.append(f'<a class="cite" href="#ref-{key}" '
                              f'title="{_attr(sources[key].short() or sources[key].title)}">{label}</a>')
            # Keep the paragraph's line count, so later errors still point at the right source line.
            breaks = "\n" * match.group(0).count("\n")
            pieces.append(paragraph[last:match.start()] + "<sup>[" + "; ".join(labels) + "]</sup>" + breaks)
            last = match.end()
        pieces.append(paragraph[last:])
        rendered = "".join(pieces).split("\n")
        lines[first:first + len(rendered)] = rendered
    if not order:
        return markdown
    bib = os.path.relpath("reference/bibliography.md", os.path.dirname(page_src) or ".")
    out = ["", "## References {#references}", "", '<ol class="references" markdown="1">']
    for key in order:
        src = sources[key]
        out.append(f'<li id="ref-{key}" markdown="span">{src.markdown()} '
                   f'[About this source]({bib}#{key}){{: .bib-link }}</li>')
    out.append("</ol>")
    return "\n".join(lines) + "\n" + "\n".join(out) + "\n"


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bibliography_page(sources: dict[str, Source], citing: dict[str, list[tuple[str, str]]], page_src: str) -> str:
    """Markdown for the bibliography page: every source, grouped by kind, with the pages citing it."""
    here = os.path.dirname(page_src) or "."
    groups: dict[str, list[Source]] = {}
    for src in sorted(sources.values(), key=lambda s: (s.authors or s.title).lower()):
        groups.setdefault(KIND_TITLES[src.kind], []).append(src)
    out = [f"The handbook cites {len(sources)} sources. Each entry says what the source is and what we take from it; "
           "*Cited by* lists the pages that rely on it.", ""]
    for title in sorted(groups, key=lambda t: list(KIND_TITLES.values()).index(t)):
        out += [f"## {title}", ""]
        for src in groups[title]:
            pages = citing.get(src.id, [])
            cited = ", ".join(f"[{t}]({os.path.relpath(p, here)})" for p, t in pages) or "not cited yet"
            out += [f'<div class="bib-entry" id="{src.id}" markdown>', "", src.markdown(), "",
                    f"{src.note}", "", f"*Cited by:* {cited}", "", "</div>", ""]
    return "\n".join(out)
