"""YAML loading that remembers line numbers and refuses duplicate keys."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handbook.errors import HandbookError


class Located(dict):
    """A mapping that knows the line (1-based) where it starts in its file."""

    line: int = 0
    key_lines: dict  # key -> the line (1-based) where that key is written


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    out = Located()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise HandbookError(
                f"{loader.name}:{key_node.start_mark.line + 1}",
                f"duplicate key {key!r}.",
                "each key may appear once in a mapping; merge or rename the two.",
            )
        out[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, (str, int)):
            out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def relpath(path: Path) -> str:
    from handbook import ROOT

    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load_yaml(path: Path, text: str | None = None, name: str | None = None) -> Any:
    """Parse a YAML file; syntax errors become a HandbookError with file:line.
    `name` is how messages refer to the file (default: relative to the repository)."""
    name = name or relpath(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise HandbookError(name, "file not found.", "create it or fix the path.") from None
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except HandbookError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HandbookError(
            f"{name}{line}",
            f"YAML syntax error: {problem}.",
            "check indentation and quote values that contain ': ' or ' #'.",
        ) from None
    except ValueError as exc:  # e.g. a date such as 2026-13-01 that YAML reads as a timestamp
        raise HandbookError(name, f"invalid value: {exc}.", "check dates (YYYY-MM-DD) and numbers.") from None
    finally:
        loader.dispose()
