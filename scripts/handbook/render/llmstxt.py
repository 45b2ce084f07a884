"""For machines too: llms.txt (an index of the handbook in Markdown, per
llmstxt.org) and each page's Markdown next to its HTML (`.../index.md`), with
data placeholders already resolved and citations numbered."""
from __future__ import annotations

from pathlib import Path

PART_TITLES = {"concepts": "Concepts", "metrics": "Metrics", "optimizations": "Optimizations",
               "operations": "Operations", "interfaces": "Interfaces", "reference": "Reference", "lab": "Lab"}


def markdown_url(page_url: str) -> str:
    """'concepts/kv-cache/' -> 'concepts/kv-cache/index.md'; '' -> 'index.md'."""
    return (page_url if page_url.endswith("/") or not page_url else page_url + "/") + "index.md"


def write(site: Path, config, order: list[str], pages: dict) -> None:
    base = config.get("site_url") or ""
    lines = [f"# {config['site_name']}", "", f"> {' '.join(str(config.get('site_description', '')).split())}", "",
             "Each link below is the Markdown of one page, with computed numbers filled in.", ""]
    current = None
    for src in order:
        if src not in pages:
            continue
        page, markdown = pages[src]
        url = markdown_url(page.url)
        target = site / url
        target.parent.mkdir(parents=True, exist_ok=True)
        title = page.meta.get("title") or page.title or src
        description = page.meta.get("description", "")
        target.write_text(f"# {title}\n\n> {description}\n\n{_strip_h1(markdown)}", encoding="utf-8")
        part = src.split("/")[0] if "/" in src else ""
        if part != current:
            lines += ["", f"## {PART_TITLES.get(part, 'Start here')}", ""]
            current = part
        draft = " (draft)" if page.meta.get("status") == "draft" else ""
        lines.append(f"- [{title}]({base}{url}){draft}: {description}")
    (site / "llms.txt").write_text("\n".join(lines).replace("\n\n\n", "\n\n") + "\n", encoding="utf-8")


def _strip_h1(markdown: str) -> str:
    lines = markdown.lstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).lstrip("\n")
