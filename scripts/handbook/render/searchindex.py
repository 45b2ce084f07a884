"""Post-process Material's search index: give every entry of a page the
keywords the glossary assigns to that page (glossary.search_keywords), in the
`tags` field, which the search configuration in mkdocs.yml boosts. Done after
the build rather than through page.meta so that no template shows them."""
from __future__ import annotations

import json
from pathlib import Path


def add_keywords(index_path: Path, keywords_by_url: dict[str, list[str]]) -> int:
    """Add keywords to each entry whose page URL (location before '#') has some; return entries changed."""
    if not index_path.is_file():
        return 0
    index = json.loads(index_path.read_text(encoding="utf-8"))
    changed = 0
    for entry in index.get("docs", []):
        words = keywords_by_url.get(entry["location"].split("#", 1)[0])
        if words:
            entry["tags"] = list(words)
            changed += 1
    index_path.write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    return changed
