"""The flag check: every engine flag a page names must be one the engine data holds (data/engines/), and a flag
the data marks removed or deprecated must be named as such.

A flag is attributed to the engines its context names:
- in a code block, the engine whose command starts the command line (`vllm serve ...`, continued over `\\`);
- in a table, the engine named by the header of the flag's column, else the engines named in its row;
- elsewhere, the engines named in the same paragraph or list item.
A flag whose context names no engine is not checked (`--help`, `kubectl -f`). A "Version checked" or "Release"
column must name a release (a version number or `{{< engine_release ... >}}`), not "main, 2025" or "see docs".

    for finding in scan_docs(): print(finding)   # docs/optimizations/cuda-graphs.md:204: `--cuda-graph-max-bs` ...
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from pathlib import Path

from handbook import DOCS
from handbook.checks import Finding
from handbook.data import engines as engine_data
from handbook.render.markdown import fence_lines

CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FLAG = re.compile(r"^(--?[A-Za-z][A-Za-z0-9_.-]*)")
REMOVAL_WORDS = re.compile(r"\b(removed|gone|no longer|dropped|replaced|renamed|deleted|up to|until|before|"
                           r"older|legacy|was|were|V0)\b", re.I)
DEPRECATION_WORDS = re.compile(r"\b(deprecat\w*|alias|replaced|renamed|still (works|parses|accepted)|old|"
                               r"removed|legacy)\b", re.I)
VERSION_HEADER = re.compile(r"^\s*(version|release)s?( checked)?\s*$", re.I)
VERSION_TEXT = re.compile(r"\d+\.\d+|\{\{<\s*engine_release\b|^\s*(—|–|-|n/a)?\s*$", re.I)


def _names_pattern(engine: engine_data.Engine) -> re.Pattern:
    words = sorted(engine.names, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I)


class _Context:
    def __init__(self, engines: dict[str, engine_data.Engine]):
        self.engines = engines
        self.patterns = {e.id: _names_pattern(e) for e in engines.values() if e.names}
        self.names = {e.id: engine_data.knob_names(e) for e in engines.values()}

    def named_in(self, text: str) -> list[str]:
        text = CODE_SPAN.sub(lambda m: " " + m.group(1) + " ", text)
        return [engine_id for engine_id, pattern in self.patterns.items() if pattern.search(text)]

    def command_engine(self, command: str) -> tuple[str, str] | None:
        """(engine id, the command's words after the engine's command) when `command` starts an engine."""
        stripped = re.sub(r"^\s*(\$\s+)?([A-Z_][A-Z0-9_]*=\S+\s+)*", "", command)
        best = None
        for engine in self.engines.values():
            for start in engine.commands:
                if stripped.startswith(start) and (best is None or len(start) > len(best[1])):
                    best = (engine.id, start)
        return (best[0], stripped[len(best[1]):]) if best else None

    def judge(self, flag: str, candidates: Iterable[str], text: str, where: str) -> Finding | None:
        candidates = list(dict.fromkeys(candidates))
        if not flag.startswith("-"):  # a dotted key: checked only against engines with config keys of that section
            head = flag.split(".")[0] + "."
            candidates = [c for c in candidates if any(k.kind == "config" and k.flag.startswith(head)
                                                       for k in self.engines[c].knobs)]
        if not candidates:
            return None
        knobs = [k for c in candidates if (k := self.engines[c].knob(flag)) is not None]
        if not knobs:
            labels = " or ".join(self.engines[c].label for c in candidates)
            files = ", ".join(self.engines[c].file for c in candidates)
            return Finding(where, f"`{flag}` is named for {labels}, but the engine data ({files}) holds no such "
                                  "knob.", "check the flag against the release's source and add it to the data with "
                                           "its source, or correct the page.")
        if any(k.status == "current" for k in knobs):
            return None
        knob = knobs[0]
        label = self.engines[knob.engine].label
        text = CODE_SPAN.sub(" ", text)   # the flag's own name ("--legacy-dp") says nothing about its status
        if knob.status == "removed" and not REMOVAL_WORDS.search(text):
            return Finding(where, f"`{flag}` was removed from {self.engines[knob.engine].name} in {knob.since} "
                                  f"({self.engines[knob.engine].file}:{knob.line}), and the page does not say so.",
                           f"use {knob.replacement or 'the current knob'} or say that it was removed in {knob.since}.")
        if knob.status == "deprecated" and not DEPRECATION_WORDS.search(text):
            return Finding(where, f"`{flag}` is deprecated in {label} (since {knob.since}), and the page does not say "
                                  "so.", f"use {knob.replacement or 'the current knob'} or call it deprecated.")
        return None


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return re.split(r"(?<!\\)\|", row)


FLAG_PLACEHOLDER = re.compile(r"\{\{<\s*flag\s+(\S+)\s+(\S+)")
CONFIG_KEY = re.compile(r"^([a-z][a-z0-9_]*)(\.[a-z][a-z0-9_]*)+$")


def _spans(text: str) -> Iterable[str]:
    """Flags (`--max-num-seqs`, `--page-size 16`) and dotted config keys (`kv_cache_config.dtype`) in code spans."""
    for match in CODE_SPAN.finditer(text):
        inner = match.group(1).strip()
        found = FLAG.match(inner)
        if found:
            yield found.group(1).split("=")[0]
        elif CONFIG_KEY.match(inner.split("=")[0].split(":")[0].strip()):
            yield inner.split("=")[0].split(":")[0].strip()


def check_page(text: str, where: str, first_line: int = 1,
               engines: dict[str, engine_data.Engine] | None = None) -> list[Finding]:
    """Every finding on one page's Markdown (front matter removed; `first_line` is the line its first line has in
    the file `where`)."""
    context = _Context(engines if engines is not None else engine_data.load())
    lines = text.split("\n")
    findings: list[Finding] = []
    fenced: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []

    def placeholders(line: str, text: str, number: int) -> None:
        """{{< flag ENGINE FLAG >}} names its engine: a deprecated or removed knob must be called so around it (the
        placeholder itself refuses an unknown knob, and a removed one without removed=1)."""
        for engine_id, flag in FLAG_PLACEHOLDER.findall(line):
            if engine_id in context.engines:
                finding = context.judge(flag, [engine_id], FLAG_PLACEHOLDER.sub(" ", text), f"{where}:{number}")
                if finding and "holds no such knob" not in finding.message:
                    findings.append(finding)

    def flush_block() -> None:
        if not block:
            return
        if all(line.lstrip().startswith("|") for _, line in block) and len(block) >= 2:
            _check_table(block)
        else:
            joined = " ".join(line for _, line in block)
            named = context.named_in(joined)
            for number, line in block:
                for flag in _spans(line):
                    finding = context.judge(flag, named, joined, f"{where}:{number}")
                    if finding:
                        findings.append(finding)
                placeholders(line, joined, number)
        block.clear()

    def _check_table(rows: list[tuple[int, str]]) -> None:
        header = _cells(rows[0][1])
        header_engines = [context.named_in(cell) for cell in header]
        version_columns = {i for i, cell in enumerate(header) if VERSION_HEADER.match(re.sub(r"[*_`]", "", cell))}
        for number, row in rows[2:]:
            cells = _cells(row)
            row_engines = context.named_in(row)
            placeholders(row, row, number)
            for index, cell in enumerate(cells):
                if index in version_columns and not VERSION_TEXT.search(cell):
                    findings.append(Finding(f"{where}:{number}", f"release cell {cell.strip()!r} names no release.",
                                            "write the exact release checked, e.g. `{{< engine_release vllm >}}`."))
                column = header_engines[index] if index < len(header_engines) else []
                for flag in _spans(cell):
                    finding = context.judge(flag, column or row_engines, row, f"{where}:{number}")
                    if finding:
                        findings.append(finding)

    def flush_fence() -> None:
        command: list[str] = []
        start = 0
        for number, line in fenced:
            if not command:
                start = number
            command.append(line.rstrip().rstrip("\\"))
            if line.rstrip().endswith("\\"):
                continue
            joined = " ".join(command)
            started = context.command_engine(joined)
            if started:
                engine_id, rest = started
                try:
                    words = shlex.split(rest, comments=True)
                except ValueError:
                    words = rest.split()
                for word in words:
                    found = FLAG.match(word)
                    if found and not re.match(r"^-\d", word):
                        finding = context.judge(found.group(1).split("=")[0], [engine_id], joined,
                                                f"{where}:{start}")
                        if finding:
                            findings.append(finding)
            command = []
        fenced.clear()


    for index, line, in_fence in fence_lines(lines):
        number = first_line + index
        if in_fence:
            flush_block()
            if not line.lstrip().startswith(("```", "~~~")):
                fenced.append((number, line))
            continue
        if fenced:
            flush_fence()
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^\s*([-*+]|\d+\.)\s", line):
            flush_block()
        if line.strip() and not line.lstrip().startswith("#"):
            block.append((number, line))
    flush_block()
    flush_fence()
    return findings


def scan_docs(docs: Path | None = None) -> list[Finding]:
    from handbook.render import frontmatter

    docs = Path(docs or DOCS)
    engines = engine_data.load()
    findings: list[Finding] = []
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        _front, body, first_line = frontmatter.split(text)
        findings.extend(check_page(body, f"docs/{path.relative_to(docs)}", first_line, engines))
    return findings
