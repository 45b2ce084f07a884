"""Glossary consistency rules over the Markdown sources.

Rules (each finding names file:line, the rule and the fix):
  source      the glossary file parses and its entries are valid (unique, sorted, defined, linked)
  anchor      each `explained_in` anchor is a heading id on its page
  variant     a spelling the glossary flags appears in prose outside code
  abbr        an upper-case abbreviation in prose is neither in the glossary nor allowlisted
  unused      an entry is used nowhere in the handbook and is not marked see_also
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from handbook import DATA, DOCS
from handbook.data.glossary import load
from handbook.errors import HandbookError
from handbook.render.frontmatter import split
from handbook.render.markdown import fence_lines

# Upper-case words that are not terms, each with the reason it is allowed.
ALLOWLIST = {
    "I": "the pronoun",
    "A": "the article (and grade labels)",
    "OK": "plain English",
    "US": "the country (US dollars)",
    "USD": "a currency code",
    "UTC": "a time zone",
    "ID": "identifier, plain English",
    "IDS": "plural of ID in headings",
    "TODO": "never in published prose, but harmless in comments",
    "README": "a file name",
    "FAQ": "plain English",
    "NVIDIA": "a company name",
    "AMD": "a company name",
    "AWS": "a company name",
    "IBM": "a company name",
    "JSON": "a file format named in code contexts",
    "YAML": "a file format",
    "HTML": "a file format",
    "CSS": "a file format",
    "PDF": "a file format",
    "SVG": "a file format",
    "URL": "plain English",
    "HTTP": "a protocol name",
    "HTTPS": "a protocol name",
    "AI": "plain English (artificial intelligence), used only in names like 'compound AI'",
    "ML": "plain English (machine learning)",
    "UI": "plain English (user interface)",
    "UX": "plain English (user experience)",
    "QUEUED": "a request state name as engine logs print it",
    "SCHEDULED": "a request state name as engine logs print it",
    "MIT": "a licence name (the MIT licence)",
    "CC": "a licence name (CC BY 4.0)",
    "BY": "part of the licence name CC BY 4.0",
    "OSDI": "a conference name, cited as a venue",
    "ASPLOS": "a conference name, cited as a venue",
    "GTC": "a conference name (NVIDIA GTC), cited as a source",
    "GCS": "a cloud product name (Google Cloud Storage)",
    "MK": "a product of GEMM dimensions M and K in cost formulas",
    "KN": "a product of GEMM dimensions K and N in cost formulas",
    "MN": "a product of GEMM dimensions M and N in cost formulas",
}
ABBR = re.compile(r"(?<![\w/.-])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(?:s)?(?![\w-])")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*#([\w-]+)[^}]*\})?\s*#*\s*$")
HTML_ID = re.compile(r"""\sid=["']([\w-]+)["']""")


@dataclass(frozen=True)
class Finding:
    where: str
    rule: str
    message: str
    fix: str

    def render(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message} Fix: {self.fix}"


def slugify(text: str) -> str:
    """Python-Markdown's default toc slug."""
    text = re.sub(r"<[^>]+>", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def prose_lines(text: str):
    """(line number, text) for prose: no front matter, fenced code, inline code,
    link targets, HTML tags, abbreviation definitions or placeholders."""
    _front, body, first = split(text)
    for offset, line, in_fence in fence_lines(body.split("\n")):
        number = first + offset
        stripped = line.lstrip()
        if in_fence:
            continue
        if stripped.startswith("*["):  # abbreviation definitions
            continue
        clean = re.sub(r"`[^`]*`", " ", line)
        clean = re.sub(r"\{\{<.*?>\}\}", " ", clean)
        clean = re.sub(r"\]\([^)]*\)", "]", clean)
        clean = re.sub(r"<[^>]+>", " ", clean)
        clean = re.sub(r"\{[:#.][^}]*\}", " ", clean)
        clean = re.sub(r"\[@[^\]]*\]", " ", clean)
        clean = re.sub(r"https?://\S+", " ", clean)
        yield number, clean


def heading_ids(text: str) -> set[str]:
    ids = set(HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for line in text.split("\n"):
        match = HEADING.match(line)
        if not match:
            continue
        if match.group(3):
            ids.add(match.group(3))
            continue
        slug = slugify(match.group(2))
        count = seen.get(slug, 0)
        ids.add(slug if count == 0 else f"{slug}_{count}")
        seen[slug] = count + 1
    return ids


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return number
    return 1


def check(glossary_path: Path | None = None, docs: Path | None = None) -> list[Finding]:
    glossary_path = Path(glossary_path or DATA / "glossary.yml")
    docs = Path(docs or DOCS)
    rel = lambda p: p.resolve().relative_to(docs.resolve().parent).as_posix()  # noqa: E731
    gname = rel(glossary_path) if glossary_path.resolve().is_relative_to(docs.resolve().parent) else str(glossary_path)
    try:
        entries = load(glossary_path, docs, name=gname)
    except HandbookError as exc:
        return [Finding(exc.where, "source", exc.problem, exc.fix or "fix the glossary source.")]
    pages = {p: p.read_text(encoding="utf-8") for p in sorted(docs.rglob("*.md"))}
    glossary_page = docs / "reference" / "glossary.md"
    findings: list[Finding] = []

    # anchor: explained_in resolves to a heading
    for entry in entries:
        target, _, anchor = entry.explained_in.partition("#")
        if anchor and anchor not in heading_ids(pages.get(docs / target, "")):
            findings.append(Finding(f"{gname}:{entry.line}", "anchor",
                                    f"{entry.term!r}: explained_in {entry.explained_in!r} "
                                    "names no heading on that page.",
                                    f"give the heading an id ({{#{anchor}}}) or point to an existing one."))

    # variant spellings in prose
    variants = [(v, e) for e in entries for v in e.variants]
    patterns = [(re.compile(rf"(?<![\w-]){re.escape(v)}(?![\w-])"), v, e) for v, e in variants]
    # Known: every abbreviation, and upper-case words inside terms ("KV" in "KV cache").
    known_abbr = {e.abbr for e in entries if e.abbr} | {w for e in entries for w in ABBR.findall(e.term)}
    used: set[str] = set()
    for path, text in pages.items():
        if path == glossary_page:
            continue
        for number, line in prose_lines(text):
            for pattern, variant, entry in patterns:
                if pattern.search(line):
                    preferred = entry.abbr if variant.upper() == variant and entry.abbr else entry.term
                    findings.append(Finding(f"{rel(path)}:{number}", "variant",
                                            f"{variant!r} is a flagged spelling.",
                                            f"write {preferred!r} (glossary: {entry.id})."))
            for match in ABBR.finditer(line):
                word = match.group(1)
                if word in known_abbr or word in ALLOWLIST:
                    used.add(word)
                    continue
                findings.append(Finding(f"{rel(path)}:{number}", "abbr",
                                        f"abbreviation {word!r} is not in the glossary.",
                                        f"add an entry with `abbr: {word}` to {gname}, or spell it out."))
            lowered = line.casefold()
            for entry in entries:
                if entry.term.casefold() in lowered:
                    used.add(entry.id)
    for entry in entries:
        if entry.see_also or entry.id in used or (entry.abbr and entry.abbr in used):
            continue
        findings.append(Finding(f"{gname}:{entry.line}", "unused",
                                f"{entry.term!r} is not used on any page.",
                                "use it where it belongs, remove it, or mark it `see_also: true`."))
    return findings
