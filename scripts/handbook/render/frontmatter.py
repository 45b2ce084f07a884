"""Front matter rules: every page says what it is, for readers and for search."""
from __future__ import annotations

import datetime as dt
import re

from handbook.data.yamlsrc import load_yaml
from handbook.errors import HandbookError

REQUIRED = ("title", "description", "last_reviewed")
ALLOWED = {*REQUIRED, "topics", "status", "hide", "search", "template", "icon", "subtitle"}
TOPIC_RE = re.compile(r"^[A-M]\d\d$")
_BLOCK = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(\n|\Z)", re.S)


def split(text: str) -> tuple[str, str, int]:
    """(front matter text, body, line number where the body starts)."""
    match = _BLOCK.match(text)
    if not match:
        return "", text, 1
    return match.group(1) or "", text[match.end():], match.group(0).count("\n") + 1


def validate(text: str, where: str) -> dict:
    """Parse and check the front matter of a page's source; returns it."""
    front, _body, _ = split(text)
    if not front and not text.startswith("---"):
        raise HandbookError(f"{where}:1", "page has no front matter.",
                            "start the file with '---', title, description and last_reviewed, then '---'.")
    import pathlib
    try:
        meta = load_yaml(pathlib.Path(where), front, name=where)
    except HandbookError as exc:  # line numbers count from the opening '---'
        file, _, line = exc.where.rpartition(":")
        if line.isdigit():
            raise HandbookError(f"{file}:{int(line) + 1}", exc.problem, exc.fix) from None
        raise
    if not isinstance(meta, dict):
        raise HandbookError(f"{where}:2", "front matter is not a mapping.", "write `key: value` lines.")
    for key in REQUIRED:
        if not meta.get(key):
            raise HandbookError(f"{where}:2", f"front matter lacks `{key}`.", "see CONTRIBUTING.md, 'Page template'.")
    unknown = set(meta) - ALLOWED
    if unknown:
        raise HandbookError(f"{where}:2", f"unknown front matter key(s) {sorted(unknown)}.",
                            f"use only {sorted(ALLOWED)} (typo?).")
    reviewed = meta["last_reviewed"]
    if not isinstance(reviewed, dt.date):
        raise HandbookError(f"{where}:2", f"last_reviewed {reviewed!r} is not a date.", "write YYYY-MM-DD.")
    description = str(meta["description"])
    if not 40 <= len(description) <= 200:
        raise HandbookError(f"{where}:2", f"description is {len(description)} characters.",
                            "write one sentence of 40 to 200 characters: it becomes the search snippet "
                            "and meta description.")
    for topic in meta.get("topics") or []:
        if not TOPIC_RE.match(str(topic)):
            raise HandbookError(f"{where}:2", f"topic {topic!r} is not an id like A04.",
                                "use an id of a letter and two digits, such as A04, or leave `topics` out.")
    return meta
