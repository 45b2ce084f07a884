"""What the loaders of data/ check alike: a file that must be a YAML list of mappings, required fields, choices,
dates, URLs, lists of strings, unknown fields and unique ids, each refused with a HandbookError at `file:line`.

    for record in read_records(path, what="changes", fix="start each with '- date: YYYY-MM-DD'."):
        record.fields(FIELDS)
        date = record.date("date")            # data/changes.yml:12: date '27.11' is not YYYY-MM-DD. Fix: ...

A Record is one mapping of the list. It names the line of the key at fault (`.key_lines`, kept by yamlsrc), and the
line of the mapping itself for a key that is missing. The model and accelerator files add the field's name to
the line: `data/gpus.yml:42 (h100-sxm.memory.capacity)`; a Record with a `label` does that. Each check takes
`problem=` and `fix=` for a loader whose wording differs from the default.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml

from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError

_MISSING = object()


def line_of(node: Any, path: str = "") -> int:
    """The line where `path` (keys joined by dots, `[i]` for an item of a list: `memory.reported[0].tool`) is
    written inside the mapping `node`, following the path as far as it exists; 0 if nothing knows its line."""
    line = getattr(node, "line", 0)
    for part in path.split(".") if path else []:
        key, _, index = part.partition("[")
        if not isinstance(node, dict) or key not in node:
            break
        line = (getattr(node, "key_lines", None) or {}).get(key, line)
        node = node[key]
        if index and isinstance(node, list):
            position = int(index.rstrip("]")) if index.rstrip("]").isdigit() else len(node)
            if position >= len(node):
                break
            node = node[position]
            line = getattr(node, "line", line)
    return line


def _item_line(path: Path, index: int) -> int:
    """The line of the index-th item of the list a YAML file holds (an item that is not a mapping has no `.line`)."""
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return 0
    items = getattr(root, "value", None)
    if isinstance(root, yaml.SequenceNode) and index < len(items):
        return items[index].start_mark.line + 1
    return 0


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, dict)) and not value)


def _text(message: str | Callable[[Any], str], arg: Any) -> str:
    return message(arg) if callable(message) else message


class Record:
    """One mapping of a data file, and the checks on its fields. `file` is how messages name the file; `label`
    (the entry's id, for the model and accelerator files) is printed after the line; `guide` is the section of
    CONTRIBUTING.md that the default fix for a missing field points to."""

    def __init__(self, file: str, data: dict, label: str | None = None, guide: str | None = None,
                 root: dict | None = None, path: str = ""):
        self.file, self.data, self.label, self.guide = file, data, label, guide
        self._root, self._path = (data, "") if root is None else (root, path)

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.data

    def get(self, key: Any, default: Any = None) -> Any:
        return self.data.get(key, default)

    def line(self, key: str | None = None) -> int:
        """The line of `key` (a key of this mapping, else a dotted path inside it, see line_of), or of this mapping
        where the key is not written."""
        if key is not None and key in self.data:
            lines = getattr(self.data, "key_lines", None) or {}
            return lines.get(key) or self.line()
        return line_of(self._root, ".".join(p for p in (self._path, key) if p))

    def where(self, key: str | None = None) -> str:
        """`file:line`, and ` (label.key)` when the record has a label."""
        line = self.line(key)
        text = f"{self.file}:{line}" if line else self.file
        if self.label:
            text += f" ({self.label}.{key})" if key else f" ({self.label})"
        return text

    def fail(self, key: str | None, problem: str, fix: str = "") -> NoReturn:
        raise HandbookError(self.where(key), problem, fix)

    def child(self, key: str, problem: str | None = None, fix: str = "") -> Record:
        """The mapping at `key` (which may end in `[i]`, an item of a list) as a Record of its own."""
        key_name, _, index = key.partition("[")
        node = self.data.get(key_name)
        if index:
            position = int(index.rstrip("]")) if index.rstrip("]").isdigit() else -1
            node = node[position] if isinstance(node, list) and 0 <= position < len(node) else None
        if not isinstance(node, dict):
            self.fail(key, problem or f"expected a mapping, got {node!r}.", fix)
        label = f"{self.label}.{key}" if self.label else None
        path = ".".join(p for p in (self._path, key) if p)
        return Record(self.file, node, label, self.guide, self._root, path)

    def _missing(self, key: str, at: str | None, problem: str | None, fix: str | None) -> NoReturn:
        guide = f" (see {self.guide})" if self.guide else ""
        self.fail(at, problem or f"missing required field {key!r}.", fix or f"add `{key}:` to this entry{guide}.")

    def require(self, key: str, kind: type | tuple[type, ...] | None = None, *, problem: str | None = None,
                fix: str | None = None) -> Any:
        """The value of `key`, which must be written, not empty (blank text, empty list or mapping) and, when
        `kind` is given, of that type. `problem` and `fix` replace the default message for either failure."""
        value = self.data.get(key)
        if _blank(value):
            self._missing(key, key, problem, fix)
        if kind is not None and not isinstance(value, kind):
            name = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            self.fail(key, problem or f"`{key}` must be {name}, got {value!r}.", fix or f"write `{key}:` as {name}.")
        return value

    def choice(self, key: str, choices: Collection, *, default: Any = _MISSING, problem: str | None = None,
               fix: str | None = None) -> Any:
        """The value of `key`, which must be one of `choices`; `default` when the key is absent, if one is given."""
        value = self.require(key) if default is _MISSING else self.data.get(key, default)
        try:
            known = value in choices
        except TypeError:  # a list or mapping where a word belongs
            known = False
        if not known:
            self.fail(key, problem or f"unknown {key} {value!r}.", fix or f"use one of {sorted(choices)}.")
        return value

    def date(self, key: str, *, problem: str | None = None, fix: str | None = None) -> dt.date:
        """The value of `key` as a date: a YAML date, or text in the form YYYY-MM-DD (not a time of day, nor the
        other forms Python's fromisoformat takes, such as 20261127)."""
        value = self.require(key)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.fail(key, problem or f"{key} {self.data[key]!r} is not YYYY-MM-DD.", fix or "write e.g. 2026-11-27.")
        return value

    def url(self, key: str, *, problem: str | None = None, fix: str | None = None) -> str:
        """The value of `key`, which must be an http(s) address."""
        value = self.require(key)
        if not str(value).startswith(("https://", "http://")):
            self.fail(key, problem or f"{key} {value!r} is not a URL.",
                      fix or "give the address where a reader finds it (https://...).")
        return str(value)

    def strings(self, key: str, *, problem: str | None = None, fix: str | None = None) -> list[str]:
        """The value of `key`, which must be a list of strings; [] when the key is absent."""
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, problem or f"`{key}` must be a list of strings.", fix or f"write `{key}: [a, b]`.")
        return value

    def fields(self, allowed: Collection, required: Collection = (), *, problem: str | None = None,
               fix: str | None = None) -> None:
        """Refuse a key outside `allowed` (at the line of the first one) and a `required` key that is not written
        (at the line of the mapping; an empty value is require's to refuse)."""
        extra = sorted((k for k in self.data if k not in allowed), key=str)
        if extra:
            first = min(extra, key=self.line)
            self.fail(first, problem or f"unknown field(s) {extra}.", fix or f"use only {sorted(allowed)}.")
        for key in required:
            if key not in self.data:
                self._missing(key, None, problem, fix)

    def unique(self, key: str, seen: dict, value: Any = _MISSING, *, what: str | None = None,
               problem: str | Callable[[str], str] | None = None, fix: str | None = None) -> None:
        """Refuse a value of `key` already in `seen` (value -> (file, line) where it was first written), naming
        that line; then add it. `value` replaces the field's value as compared (e.g. case-folded), `what` its name in
        the message, and a callable `problem` receives the first place as `file:line`."""
        shown = self.data.get(key)
        value = shown if value is _MISSING else value
        if value in seen:
            file, line = seen[value]
            first = f"line {line}" if file == self.file else f"{file}:{line}"
            self.fail(key, _text(problem, f"{file}:{line}") if problem else
                      f"duplicate {what or key} {shown!r} (first at {first}).",
                      fix or "each value may appear once; merge the two entries or rename one.")
        seen[value] = (self.file, self.line(key))


def read_records(path: Path, name: str | None = None, *, what: str = "entries", fix: str = "",
                 allow_null: bool = False, non_empty: bool = False,
                 item_problem: str | Callable[[Any], str] = "each entry must be a mapping.",
                 item_fix: str = "", guide: str | None = None) -> Iterator[Record]:
    """The mappings of a YAML file that must hold a list of them, as Records, one at a time (so that a loader
    reports the problems of a file in the order they are written). `name` is how messages name the file (default:
    its path from the repository root); `allow_null` reads an empty file as no entries; `non_empty` refuses an empty
    list. An item that is not a mapping is refused with `item_problem` (a callable receives the item), at its line."""
    name = name or relpath(path)
    doc = load_yaml(path, name=name)
    if doc is None and allow_null:
        doc = []
    if not isinstance(doc, list) or (non_empty and not doc):
        raise HandbookError(name, f"expected a {'non-empty ' if non_empty else ''}YAML list of {what}.", fix)
    for index, item in enumerate(doc):
        if not isinstance(item, dict):
            raise HandbookError(f"{name}:{_item_line(path, index)}", _text(item_problem, item), item_fix)
        yield Record(name, item, guide=guide)
