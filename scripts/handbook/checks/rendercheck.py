"""What a reader must never see: a scan of the visible text of every built page.

Markup that failed to render reaches the reader as raw text: a citation the
parser missed (`[@key]`), a placeholder or template tag (`{{`, `{%`), TeX that
was not turned into MathML (`$x^2$`), and slips of generated text such as a
doubled unit ("tokens/s tokens/s"), "et al.." or a doubled year
("SOSP 2023, 2023"). `scan_html` finds them in one page's visible text (code,
scripts, styles and MathML annotations are not prose and are skipped);
`locate` names the source line that produced each, so the build error says
`file:line` and the fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

# Units that a generated number prints after itself; the same unit twice in a row is a doubled unit.
_UNITS = ("tokens/s", "requests/s", "tokens", "TB/s", "GB/s", "TFLOPS", "PFLOPS", "TOPS", "FLOP/B", "GiB", "MiB",
          "KiB", "GB", "MB", "TB", "B", "ms", "us", "µs", "s", "W")
_UNIT_ALT = "|".join(re.escape(u) for u in _UNITS)

BLOCK = "\u2029"  # what separates block elements (paragraphs, cells, headings) in the visible text

# (name, pattern, fix); each pattern runs on the visible text of one page.
PROBLEMS: tuple[tuple[str, re.Pattern, str], ...] = (
    ("unrendered citation", re.compile(r"\[@[^\]\s]*"),
     "write the citation as [@key] or [@a; @b] with keys from data/bibliography/; a citation may span lines "
     "inside one paragraph but not across a blank line."),
    ("unrendered placeholder or template tag", re.compile(r"\{\{[<\s].{0,200}?\}\}|\{%.{0,200}?%\}|\{\{[<\s]|\{%"),
     "check the placeholder name and syntax ({{< name args >}}, CONTRIBUTING.md 'Numbers from data/'), or put "
     "literal braces inside `code`."),
    ("unrendered TeX", re.compile(r"\$\$.{0,400}?\$\$|\$\$|\$[^$\n]{0,200}?[\\^_{}][^$\n]{0,200}?\$"),
     "write inline math as $...$ with no space after the opening $ and before the closing $ "
     "(pymdownx.arithmatex), or escape a literal dollar sign as \\$."),
    ("doubled unit", re.compile(rf"(?<![\w/])({_UNIT_ALT})[^\S{BLOCK}]+\1(?![\w/])"),
     "the placeholder already prints its unit: drop the typed unit after it, or add bare=1 to the placeholder."),
    ("doubled engine name",
     re.compile(rf"(?<![\w-])(vLLM|SGLang|TensorRT-LLM|TGI|TEI|llama\.cpp)[^\S{BLOCK}]+\1(?![\w-])"),
     "{{< engine_release ENGINE >}} already prints the engine's name: drop the typed name before it."),
    ('"et al.."', re.compile(r"et al\.\."),
     "a sentence that ends on an author list needs one full stop; check data/bibliography/ authors and the page."),
    ("doubled year", re.compile(r"\b((?:19|20)\d\d),\s+\1\b"),
     "keep the year only in `year:` of the bibliography entry, not in `venue:`."),
    ('"(being written)"', re.compile(r"\(being written\)", re.I),
     "link the page if it exists; otherwise leave the entry out until it does."),
)

_SKIP = {"script", "style", "code", "pre", "template", "annotation", "noscript", "svg", "textarea"}


class _Visible(HTMLParser):
    """Collects the text a reader sees, outside code and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag in ("p", "li", "td", "th", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
                     "figcaption", "caption", "summary", "tr", "section", "article", "blockquote"):
            self.parts.append(BLOCK)

    def handle_endtag(self, tag):
        if tag in _SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page_html: str) -> str:
    parser = _Visible()
    parser.feed(page_html)
    parser.close()
    return "".join(parser.parts)


@dataclass(frozen=True)
class Finding:
    problem: str
    fragment: str
    fix: str


def scan_html(page_html: str) -> list[Finding]:
    text = visible_text(page_html)
    found = []
    for name, pattern, fix in PROBLEMS:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 30)
            fragment = " ".join(text[start:match.end() + 30].replace(BLOCK, " ").split())
            found.append(Finding(name, fragment, fix))
    return found


GENERATED = ('"et al.."', "doubled year")  # slips of text the build writes from data/bibliography/


def locate(finding: Finding, sources: list[Path], root: Path, page_source: Path | None = None) -> str:
    """The first `file:line` among `sources` whose text holds the heart of the fragment, else ''.
    Slips of generated text are looked for in the data files first, everything else in the page's
    own source first, then in the other pages."""
    if finding.problem in GENERATED:
        sources = sorted(sources, key=lambda p: p.suffix != ".yml")
    elif page_source is not None:
        sources = [page_source] + [p for p in sources if p != page_source]
    for needle in _needles(finding):
        for path in sources:
            try:
                lines = path.read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, 1):
                if needle in line:
                    try:
                        shown = path.relative_to(root)
                    except ValueError:
                        shown = path
                    return f"{shown}:{number}"
    return ""


def _needles(finding: Finding) -> list[str]:
    """Parts of a fragment likely to appear verbatim in the source, most specific first."""
    pattern = dict((n, p) for n, p, _ in PROBLEMS)[finding.problem]
    match = pattern.search(finding.fragment)
    if match is None:
        return []
    if finding.problem in ("unrendered citation", "unrendered TeX", '"(being written)"'):
        return [match.group(0)[:40]]
    words = finding.fragment[:match.start()].split()
    if finding.problem == "doubled year":
        return [f"{words[-1]} {match.group(1)}"] if words else [match.group(1)]
    # A number before the slip was usually written by a placeholder: the plain words before it are in the source.
    plain = [w for w in words if not any(c.isdigit() for c in w)]
    return [" ".join(plain[-n:]) for n in (3, 2) if len(plain) >= n]


def _source_of(rel: str, docs: Path) -> Path | None:
    """docs/a/b.md for site/a/b/index.html (or docs/a/b/index.md), when it exists."""
    stem = rel[: -len("index.html")].rstrip("/") if rel.endswith("index.html") else rel[: -len(".html")]
    for candidate in (docs / f"{stem}.md", docs / stem / "index.md", docs / "index.md" if not stem else None):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CONTRAST = re.compile(r'<div class="units-contrast"[^>]*>.*?</div>', re.S)
_CELL = re.compile(r"<t[hd]\b.*?</t[hd]>", re.S)
_INLINE_TAG = re.compile(r"</?(?:abbr|span|a|em|strong|code|sup|sub|b|i)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
# A size is a number followed by a unit; rates (GB/s) are decimal by convention everywhere and do not count.
_DECIMAL = re.compile(r"\d[ \u00a0]+(?:KB|MB|GB|TB)(?![\w/-])")
_BINARY = re.compile(r"\d\s?(?:KiB|MiB|GiB|TiB)(?![\w/])")
# A column header that names its unit: "Weights (GB)", "Capacity (GiB)".
_DECIMAL_HEAD = re.compile(r"\((?:[^()]*[\s,;])?(?:KB|MB|GB|TB)\)")
_BINARY_HEAD = re.compile(r"\((?:[^()]*[\s,;])?(?:KiB|MiB|GiB|TiB)\)")


_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d")   # a label quoted as the vendor prints it ("192 GB") is not a size


def _cell_text(cell: str) -> str:
    return _QUOTED.sub(" ", " ".join(html_unescape(_TAG.sub(" ", _INLINE_TAG.sub("", cell))).split()))


def mixed_tables(page_html: str) -> list[str]:
    """The header row of each table in which some cell prints sizes only in decimal units (GB) and another
    only in binary units (GiB): the reader would compare numbers of two conventions. A cell that gives both
    ("85.0 GB (79.2 GiB)") is a conversion, not a mix. A table that contrasts the conventions on purpose
    sits inside <div class="units-contrast" markdown> and is left alone."""
    found = []
    for table in _TABLE.findall(_CONTRAST.sub("", page_html)):
        cells = [_cell_text(cell) for cell in _CELL.findall(table)]
        is_decimal = [bool(_DECIMAL.search(c) or _DECIMAL_HEAD.search(c)) for c in cells]
        is_binary = [bool(_BINARY.search(c) or _BINARY_HEAD.search(c)) for c in cells]
        decimal = [c for c, d, b in zip(cells, is_decimal, is_binary) if d and not b]
        binary = [c for c, d, b in zip(cells, is_decimal, is_binary) if b and not d]
        if decimal and binary:
            head = (" | ".join(_cell_text(c) for c in _CELL.findall(table.split("</thead>")[0]))
                    if "</thead>" in table else "")
            found.append(f"{head or cells[0]}; e.g. \u201c{decimal[0][:40]}\u201d against \u201c{binary[0][:40]}\u201d")
    return found


def scan_site(site: Path, docs: Path, data: Path, skip: set[str] = frozenset()) -> list[str]:
    """Every problem in every HTML page of a built site, as 'file:line: problem "fragment". Fix: ...'.
    `skip` holds site-relative paths of pages whose build already failed with an error of its own."""
    sources = sorted(docs.rglob("*.md")) + sorted(data.rglob("*.yml"))
    root = docs.parent
    messages = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel in skip:
            continue
        for finding in scan_html(page.read_text(encoding="utf-8")):
            where = locate(finding, sources, root, _source_of(rel, docs)) or f"site/{rel}"
            messages.append(f"{where}: {finding.problem} reaches the reader on {rel}: "
                            f"\u201c{finding.fragment}\u201d. Fix: {finding.fix}")
        if rel != "print_page/index.html":   # the single-page edition repeats every page's tables
            for head in mixed_tables(page.read_text(encoding="utf-8")):
                where = (f"docs/{_source_of(rel, docs).relative_to(docs).as_posix()}" if _source_of(rel, docs)
                         else f"site/{rel}")
                messages.append(f"{where}: a table mixes decimal (GB) and binary (GiB) sizes on {rel} "
                                f"(columns: {head}). "
                                "Fix: print every size in one table in one convention (unit= on the placeholders); "
                                "capacities of accelerators are binary, see data/gpus.yml.")
    return messages
