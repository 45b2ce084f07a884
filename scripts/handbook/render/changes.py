"""The What's new page, written from data/changes.yml and grouped by date.
"""
from __future__ import annotations

import os

from handbook.data.changes import Change


def page(changes: list[Change], page_src: str, titles: dict[str, str] | None = None) -> str:
    """Markdown for the What's new page, links relative to `page_src`."""
    here = os.path.dirname(page_src) or "."
    titles = titles or {}
    out: list[str] = []
    current = None
    for change in changes:
        if change.date != current:
            current = change.date
            out += ["", f"## {change.date.isoformat()} {{#changes-{change.date.isoformat()}}}", ""]
        links = ", ".join(f"[{titles.get(p, p[:-3])}]({os.path.relpath(p, here)})" for p in change.pages)
        out.append(f"- **{change.title}.** {change.summary}" + (f" Pages: {links}." if links else ""))
    return "\n".join(out).lstrip("\n") + "\n"
