"""The serving engines and their knobs: data/engines/<engine>.yml, one file per engine or component, each with the
release it was checked against and, for every flag, config key or environment variable the handbook names, its
default at that release, what it does, where that is written in the engine's source, and how it changed.

    engine = engines.get("vllm")
    engine.release                              # '0.34.0'
    engine.knob("--gpu-memory-utilization").effective

A bad entry fails with `data/engines/vllm.yml:LINE (vllm.--block-size.status)` and the fix. The drift report
(scripts/handbook/checks/enginedrift.py) holds the data against the release's own source.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from handbook import DATA
from handbook.data.validate import Record
from handbook.data.yamlsrc import load_yaml, relpath
from handbook.errors import HandbookError

ENGINE_DIR = DATA / "engines"
ENGINE_FIELDS = {"engine", "name", "release", "released", "release_source", "repository", "status", "status_note",
                 "names", "commands", "serve", "drift", "flags"}
ENGINE_REQUIRED = ("engine", "name", "release", "released", "release_source", "status", "names", "flags")
ENGINE_STATUSES = {"active", "maintenance", "archived"}
DRIFT_FIELDS = {"package", "files", "flag_classes", "env_files", "env_prefixes", "bool_negation", "snapshot"}
KNOB_FIELDS = {"flag", "kind", "aliases", "default", "effective", "does", "source", "history", "status", "since",
               "replacement", "command", "choices"}
KNOB_KINDS = {"cli", "config", "env"}
KNOB_STATUSES = {"current", "deprecated", "removed"}
_UNSET = object()


@dataclass(frozen=True)
class Knob:
    """One flag (`--max-num-seqs`), config key (`kv_cache_config.free_gpu_memory_fraction`) or environment
    variable (`VLLM_USE_V1`) of one engine at its checked release."""

    engine: str
    flag: str
    kind: str
    aliases: tuple[str, ...]
    default: Any                 # as the release's source writes it; _UNSET when the data does not state it
    effective: str               # what an unset or computed default comes to, with its conditions ("" if literal)
    does: str
    source: str                  # path in the engine's repository at the release, or a documentation URL
    history: str
    status: str
    since: str                   # the release that deprecated or removed it
    replacement: str
    command: str                 # the command it belongs to when not the engine's serve command
    choices: tuple[str, ...]     # the values it accepts at the release, where a page lists them
    line: int

    @property
    def has_default(self) -> bool:
        return self.default is not _UNSET

    def default_text(self) -> str:
        """The default as a reader should read it: the effective value where the source leaves it unset."""
        if self.effective:
            return self.effective
        if not self.has_default:
            return ""
        value = self.default
        if value is None:
            return "unset"
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, dict) and "computed" in value:
            return "computed at start"
        return str(value)

    def names(self) -> tuple[str, ...]:
        return (self.flag, *self.aliases)


@dataclass(frozen=True)
class Engine:
    id: str
    name: str
    release: str
    released: dt.date
    release_source: str
    repository: str
    status: str
    status_note: str
    names: tuple[str, ...]       # how pages name it ("vLLM"); the flag check attributes a flag by them
    commands: tuple[str, ...]    # command lines that start it ("vllm serve"); code blocks are attributed by them
    serve: str                   # the command that serves a model, with {model}: "vllm serve {model}"
    drift: dict
    knobs: tuple[Knob, ...]
    file: str

    def knob(self, name: str) -> Knob | None:
        for knob in self.knobs:
            if name in knob.names():
                return knob
        return None

    @property
    def label(self) -> str:
        """'vLLM 0.34.0': the engine with the release every statement about it was checked against."""
        return f"{self.name} {self.release}"


def _knob(record: Record, engine: str) -> Knob:
    record.fields(KNOB_FIELDS, ("flag", "does", "source"))
    flag = record.require("flag", str)
    kind = record.choice("kind", KNOB_KINDS, default="cli")
    if kind == "cli" and not flag.startswith("-"):
        record.fail("flag", f"command-line flag {flag!r} does not start with '-'.",
                    "write it as typed (`--max-num-seqs`), or set `kind: config` or `kind: env`.")
    status = record.choice("status", KNOB_STATUSES, default="current")
    since = str(record.get("since") or "")
    if status != "current" and not since:
        record.fail("status", f"a {status} knob needs `since:` (the release that {status[:-1]}d it).",
                    "add `since: 0.x.y`.")
    does = record.require("does", str)
    if "TODO" in does:
        record.fail("does", "the description is still a TODO.", "say in one line what the knob does.")
    return Knob(engine=engine, flag=flag, kind=kind, aliases=tuple(record.strings("aliases")),
                default=record.data["default"] if "default" in record.data else _UNSET,
                effective=str(record.get("effective") or ""), does=does, source=record.require("source", str),
                history=str(record.get("history") or ""), status=status, since=since,
                replacement=str(record.get("replacement") or ""), command=str(record.get("command") or ""),
                choices=tuple(str(c) for c in record.get("choices") or ()), line=record.line())


def load_file(path: Path) -> Engine:
    name = relpath(path)
    doc = load_yaml(path, name=name)
    if not isinstance(doc, dict):
        raise HandbookError(name, "expected a mapping with `engine:`, `release:` and `flags:`.",
                            "see the comment at the top of data/engines/vllm.yml.")
    record = Record(name, doc)
    record.fields(ENGINE_FIELDS, ENGINE_REQUIRED)
    engine_id = record.require("engine", str)
    if engine_id != path.stem:
        record.fail("engine", f"engine id {engine_id!r} differs from the file name {path.stem!r}.",
                    f"rename the file to {engine_id}.yml or fix the id.")
    record = Record(name, doc, label=engine_id)
    release = str(record.require("release"))
    released = record.date("released")
    status = record.choice("status", ENGINE_STATUSES)
    if status != "active" and not record.get("status_note"):
        record.fail("status", f"an engine in {status} needs `status_note:` saying since when and where that is stated.",
                    "add `status_note:` with the date and the source.")
    drift = record.get("drift") or {}
    if drift:
        record.child("drift").fields(DRIFT_FIELDS, ("package", "files"))
    flags = doc.get("flags")
    if not isinstance(flags, list) or not flags:
        record.fail("flags", "`flags:` must be a non-empty list.", "list every knob the handbook names.")
    knobs, seen = [], {}
    for index, _item in enumerate(flags):
        child = record.child(f"flags[{index}]")
        child.label = f"{engine_id}.{_item.get('flag', index) if isinstance(_item, dict) else index}"
        knob = _knob(child, engine_id)
        for spelled in knob.names():
            if spelled in seen:
                child.fail("flag", f"{spelled!r} is listed twice (first at line {seen[spelled]}).",
                           "merge the two entries.")
            seen[spelled] = knob.line
        knobs.append(knob)
    return Engine(id=engine_id, name=record.require("name", str), release=release, released=released,
                  release_source=record.url("release_source"), repository=str(record.get("repository") or ""),
                  status=status, status_note=str(record.get("status_note") or ""),
                  names=tuple(record.strings("names")), commands=tuple(record.strings("commands")),
                  serve=str(record.get("serve") or ""),
                  drift=dict(drift), knobs=tuple(knobs), file=name)


@lru_cache(maxsize=4)
def _load_dir(directory: str) -> dict[str, Engine]:
    return {path.stem: load_file(path) for path in sorted(Path(directory).glob("*.yml"))}


def load(directory: Path | None = None) -> dict[str, Engine]:
    """Every engine in data/engines/, by id."""
    return _load_dir(str(directory or ENGINE_DIR))


def get(engine_id: str) -> Engine:
    engines = load()
    if engine_id not in engines:
        raise KeyError(f"unknown engine {engine_id!r}; known: {', '.join(sorted(engines))}")
    return engines[engine_id]


def knob(engine_id: str, name: str) -> Knob:
    engine = get(engine_id)
    found = engine.knob(name)
    if found is None:
        raise KeyError(f"{engine.name} has no knob {name!r} in {engine.file}; add it there (with its source) or "
                       "fix the spelling")
    return found


def knob_names(engine: Engine) -> set[str]:
    return {name for k in engine.knobs for name in k.names()}


def describe_status(knob: Knob) -> str:
    """'deprecated since 0.5.14; use --x' for the pages and tables; '' for a current knob."""
    if knob.status == "current":
        return ""
    text = f"{knob.status} since {knob.since}"
    return f"{text}; use {knob.replacement}" if knob.replacement else text


def field_value(knob: Knob, name: str) -> Any:
    """A field of a knob as a page may print it (`default`, `does`, `since`, ...)."""
    if name == "default":
        return knob.default_text()
    if name not in KNOB_FIELDS:
        raise KeyError(f"knobs have no field {name!r}; use one of {sorted(KNOB_FIELDS)}")
    return getattr(knob, name)
