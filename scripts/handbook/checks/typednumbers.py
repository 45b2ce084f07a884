"""Numbers typed by hand: memory sizes, bandwidths and FLOP/s written into a page as text.

Such a number stays behind when its data changes. On a page it must be one of:
drawn from data (a `{{< ... >}}` placeholder, which leaves no digits in the source),
cited (a `[@key]` in the same sentence), or marked as an assumption or an
illustration in the same sentence ("assumed", "assume", "illustrative",
"hypothetical", "for example", "e.g.", "say,"), or measured by the lab (the sentence says
"measured" and links to a lab page). Everything else is reported as `file:line`
with the fix. Code (fences and inline), front matter, headings' ids, link targets
and product names that glue a size to the name ("H100 80GB") are not prose numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from handbook.render.markdown import PLACEHOLDER, fence_lines

UNITS = (r"(?:KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|GB/s|TB/s|MB/s|GiB/s|TiB/s|Gb/s|Tb/s|"
         r"GFLOPS|TFLOPS|PFLOPS|TOPS|POPS|[GTP]?FLOP/s|TFLOP/s|PFLOP/s)")
# A number, optionally a range or a product ("2-4 GB", "8 x 80 GB"), then a space and a unit.
NUMBER = re.compile(r"(?<![\w.\-/])(\d[\d,]*(?:\.\d+)?)(?:\s?[-–]\s?\d[\d,]*(?:\.\d+)?)?[ \u00a0]?" + UNITS +
                    r"(?![\w/])")
GLUED_NAME = re.compile(r"\b\d+GB\b")            # "80GB" in a product name, as vendors print it
MARKERS = re.compile(r"\[@|\bassum|\billustrat|\bhypothetical|\bfor example\b|\be\.g\.|\bsuppose\b|\bsay,", re.I)
LAB = re.compile(r"\bmeasured\b.*\]\((?:\.\./)*lab/|\]\((?:\.\./)*lab/.*\bmeasured\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(*\[])")


@dataclass(frozen=True)
class TypedNumber:
    path: str
    line: int
    text: str
    sentence: str

    def message(self) -> str:
        return (f"{self.path}:{self.line}: \u201c{self.text}\u201d is typed by hand in "
                f"\u201c{self.sentence[:120]}\u201d. "
                "Fix: draw it from data/ with a placeholder (CONTRIBUTING.md, 'Numbers from data/'), cite its source "
                "with [@key] in the same sentence, or say in the sentence that it is assumed or an example.")


def _prose(line: str) -> str:
    """The line without inline code, placeholders, link targets, HTML attributes and glued product names."""
    line = PLACEHOLDER.sub(" ", line)
    line = re.sub(r"`[^`]*`", " ", line)
    line = re.sub(r"\]\([^)]*\)", "]", line)
    line = re.sub(r"\{[#:.][^}]*\}", " ", line)
    line = re.sub(r'\w+="[^"]*"', " ", line)
    return GLUED_NAME.sub(" ", line)


def _paragraphs(text: str, first_line: int):
    """(line number, line) groups: one group per paragraph, table row or list item, outside code fences."""
    block: list[tuple[int, str]] = []
    for index, line, in_fence in fence_lines(text.split("\n")):
        stripped = line.strip()
        starts_new = stripped.startswith(("|", "- ", "* ", "#", ">")) or re.match(r"\d+\. ", stripped)
        if in_fence or not stripped or starts_new:
            if block:
                yield block
            block = []
            if in_fence or not stripped:
                continue
        block.append((first_line + index, line))
        if stripped.startswith(("|", "#")):
            yield block
            block = []
    if block:
        yield block


def scan_text(text: str, path: str, first_line: int = 1) -> list[TypedNumber]:
    found = []
    for block in _paragraphs(text, first_line):
        raw = " ".join(line for _, line in block)
        if block[0][1].lstrip().startswith("|"):
            sentences = [raw]            # a table row is checked as one unit; its source cell or caption may cite
        else:
            sentences = SENTENCE_END.split(raw)
        for sentence in sentences:
            prose = _prose(sentence)
            if MARKERS.search(sentence) or LAB.search(sentence):
                continue
            for match in NUMBER.finditer(prose):
                line = next((n for n, src in block if match.group(0).split()[0] in _prose(src)), block[0][0])
                found.append(TypedNumber(path, line, match.group(0), " ".join(sentence.split())))
    return found


def scan_page(path: Path, root: Path) -> list[TypedNumber]:
    from handbook.render.frontmatter import split

    text = path.read_text(encoding="utf-8")
    _front, body, first_line = split(text)
    return scan_text(body, path.relative_to(root).as_posix(), first_line)


def scan_docs(docs: Path, root: Path) -> list[TypedNumber]:
    found = []
    for path in sorted(docs.rglob("*.md")):
        found.extend(scan_page(path, root))
    return found
