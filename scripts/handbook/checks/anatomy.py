"""The practical top of every technical page: an "In production" box right under the title, then a short opening.

The box is one admonition, in this form (five to eight lines, each a list item with one of the labels below):

    !!! production "In production"

        - **Numbers that matter:** {{< ... >}} ... (one to three items, numbers from data through placeholders)
        - **Turn on:** what to enable or set in each engine (or **Check:** what to verify)
        - **Costliest pitfall:** the mistake that costs the most (exactly one)

Technical pages are those of concepts/, metrics/, optimizations/, operations/ and interfaces/, their index pages
aside. `page_stats` gives the figures the anatomy is judged by: words before the first section heading, code blocks
(a tab of an `engine_commands` block counts as one) and whether the box is there.
"""
from __future__ import annotations

import re
from pathlib import Path

from handbook import DOCS
from handbook.checks import Finding
from handbook.render.markdown import fence_lines

TECHNICAL_PARTS = ("concepts/", "metrics/", "optimizations/", "operations/", "interfaces/")
BOX = '!!! production "In production"'
LABELS = {"numbers": "**Numbers that matter:**", "turn_on": "**Turn on:**", "check": "**Check:**",
          "pitfall": "**Costliest pitfall:**"}
MIN_LINES, MAX_LINES = 5, 8
OPENING_WORDS = 70   # "about 60 words", with room for a citation or two
WORDS_BEFORE_SECTION = 80   # the opening is all that stands between the box and the first section


def is_technical(src: str) -> bool:
    return src.startswith(TECHNICAL_PARTS) and not src.endswith("index.md")


def _words(text: str) -> int:
    text = re.sub(r"\[@[^\]]*\]", " ", text)            # citations
    text = re.sub(r"\]\([^)]*\)", "]", text)              # link targets
    text = re.sub(r"\{\{<.*?>\}\}", "N", text)            # a placeholder prints one number
    return len(re.findall(r"[\w'’.,%-]+", text))


def _lines(body: str) -> list[tuple[int, str, bool]]:
    return list(fence_lines(body.split("\n")))


def check_page(body: str, where: str, first_line: int = 1) -> list[Finding]:
    """The findings on one technical page's Markdown (front matter removed)."""
    lines = body.split("\n")
    title = next((i for i, line, fenced in _lines(body) if not fenced and line.startswith("# ")), None)
    if title is None:
        return [Finding(f"{where}:{first_line}", "the page has no title (`# ...`).", "start the body with `# Title`.")]
    at = lambda i: f"{where}:{first_line + i}"  # noqa: E731
    index = title + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() != BOX:
        return [Finding(at(title), "no \"In production\" box under the title.",
                        f"put `{BOX}` right after the title, with five to eight labelled items (see "
                        "CONTRIBUTING.md, 'The In production box').")]
    box_line = index
    items: list[tuple[int, str]] = []
    index += 1
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("    ")):
        if lines[index].strip():
            items.append((index, lines[index].strip()))
        index += 1
    findings: list[Finding] = []
    if not MIN_LINES <= len(items) <= MAX_LINES:
        findings.append(Finding(at(box_line), f"the box has {len(items)} lines; it takes {MIN_LINES} to {MAX_LINES}.",
                                "keep the two or three numbers, what to turn on, and the costliest pitfall."))
    counts = {key: sum(1 for _i, text in items if text.startswith("- " + label)) for key, label in LABELS.items()}
    for i, text in items:
        if not text.startswith("- **") or not any(text.startswith("- " + label) for label in LABELS.values()):
            findings.append(Finding(at(i), f"box line {text[:40]!r} has no known label.",
                                    f"start each line with one of {', '.join(LABELS.values())}."))
    if not 1 <= counts["numbers"] <= 3:
        findings.append(Finding(at(box_line), f"the box has {counts['numbers']} 'Numbers that matter' lines.",
                                "give one to three, with their units, drawn from data through placeholders."))
    if counts["turn_on"] + counts["check"] == 0:
        findings.append(Finding(at(box_line), "the box says nothing to turn on or check.",
                                "add a `**Turn on:**` or `**Check:**` line naming what to do in each engine."))
    if counts["pitfall"] != 1:
        findings.append(Finding(at(box_line), f"the box has {counts['pitfall']} 'Costliest pitfall' lines.",
                                "give exactly one: the mistake that costs the most."))
    paragraph: list[str] = []
    start = index
    while index < len(lines) and not paragraph:
        while index < len(lines) and lines[index].strip() and not lines[index].startswith(("#", "!", "<", "|")):
            paragraph.append(lines[index])
            index += 1
        if not paragraph:
            if index < len(lines) and lines[index].startswith("#"):
                break
            index += 1
            start = index
    words = _words(" ".join(paragraph))
    if words > OPENING_WORDS:
        findings.append(Finding(at(start), f"the opening paragraph has {words} words.",
                                f"keep it to about 60 (at most {OPENING_WORDS}); move the detail below."))
    before = page_stats(body)["words_before_first_section"]
    if before > WORDS_BEFORE_SECTION and words <= OPENING_WORDS:
        findings.append(Finding(at(start), f"{before} words stand between the box and the first section.",
                                "keep only the opening paragraph there; move the rest into the first section."))
    return findings


def page_stats(body: str) -> dict:
    """Words before the first `##` heading (the box and the title excluded), code blocks, and the box."""
    words, blocks, has_box, seen_h2, in_box = 0, 0, False, False, False
    opened = False
    for _i, line, fenced in _lines(body):
        stripped = line.strip()
        if fenced:
            if stripped.startswith(("```", "~~~")):
                blocks += 0 if opened else 1
                opened = not opened
            continue
        blocks += len(re.findall(r"\b(vllm|sglang|tensorrt_llm|tensorrt-llm|llama-cpp)=", line)) \
            if "engine_commands" in line else 0
        if line.startswith("## "):
            seen_h2 = True
        if stripped == BOX:
            has_box, in_box = True, True
            continue
        if in_box and (line.startswith("    ") or not stripped):
            continue
        in_box = False
        if not seen_h2 and not line.startswith("#") and stripped:
            words += _words(stripped)
    return {"words_before_first_section": words, "code_blocks": blocks, "box": has_box}


def scan_docs(docs: Path | None = None) -> tuple[list[Finding], dict[str, dict]]:
    from handbook.render import frontmatter

    docs = Path(docs or DOCS)
    findings: list[Finding] = []
    stats: dict[str, dict] = {}
    for path in sorted(docs.rglob("*.md")):
        src = str(path.relative_to(docs))
        if not is_technical(src):
            continue
        _front, body, first_line = frontmatter.split(path.read_text(encoding="utf-8"))
        findings.extend(check_page(body, f"docs/{src}", first_line))
        stats[src] = page_stats(body)
    return findings, stats
