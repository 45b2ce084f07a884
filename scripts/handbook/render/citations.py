"""Citations in a page: `[@key]`, `[@a; @b]`, `[@key, §4.5]`, numbered per page with a References section,
and the bibliography page listing every source with the pages that cite it.

Citations are parsed per paragraph, so a citation wrapped at a line break is still one citation.
"""
from __future__ import annotations

import os
import re

from handbook.data.bibliography import Source
from handbook.errors import HandbookError
from handbook.render.markdown import fence_lines

CITE = re.compile(r"\[(@[A-Za-z0-9][\w.:+-]*(?:,[^\];@]*)?(?:\s*;\s*@[A-Za-z0-9][\w.:+-]*(?:,[^\];@]*)?)*)\]")


KIND_TITLES = {
    "paper": "Papers", "book": "Books", "docs": "Engine and project documentation", "source": "Source code",
    "datasheet": "Datasheets", "spec": "Specifications", "standard": "Specifications", "model-card": "Model cards",
    "blog": "Technical blogs and reports", "talk": "Talks",
}


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
