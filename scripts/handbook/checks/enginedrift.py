"""The drift report: what the engine data (data/engines/) says against what a release's source declares.

`snapshot` turns a release's source (read by argsource.py) into the JSON kept under data/engines/releases/, so
that the test command can hold the data against the pinned release without downloading it. `drift` lists every
knob whose existence, status, aliases or default the release contradicts; `diff` lists what changed between two
releases (flags added, removed or renamed, defaults changed), which is what to read when bumping an engine.

    problems = drift(engines.get("vllm"), load_snapshot(snapshot_path(engines.get("vllm"))))
    for p in problems: print(p)      # data/engines/vllm.yml:41: --block-size: default 16, release says None ...
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.checks.argsource import ReaderSpec, read_release
from handbook.data.engines import ENGINE_DIR, Engine, Knob

SNAPSHOT_DIR = ENGINE_DIR / "releases"


@dataclass(frozen=True)
class Problem:
    where: str      # data/engines/vllm.yml:41
    knob: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.knob}: {self.message} Fix: {self.fix}"


def reader_spec(engine: Engine) -> ReaderSpec:
    d = engine.drift
    return ReaderSpec(files=list(d.get("files", [])), flag_classes=list(d.get("flag_classes", [])),
                      env_files=list(d.get("env_files", [])), env_prefixes=list(d.get("env_prefixes", [])))


def snapshot_from_source(engine: Engine, root: Path, version: str | None = None) -> dict:
    """The flags, config classes and environment variables of the release unpacked at `root`."""
    release = read_release(root, reader_spec(engine))
    out = release.as_json()
    if engine.drift.get("bool_negation"):
        _add_negations(out, root, engine)
    out["engine"] = engine.id
    out["release"] = version or engine.release
    out["read"] = dt.date.today().isoformat()
    out["reader"] = "scripts/handbook/checks/argsource.py"
    return out


def _add_negations(snapshot: dict, root: Path, engine: Engine) -> None:
    """vLLM gives every boolean field of its argument classes a `--no-` form (argparse.BooleanOptionalAction set
    when the kwargs are computed, not at the call): add it where the field is annotated `bool`."""
    booleans = set()
    for fields in snapshot["classes"].values():
        for name, value in fields.items():
            if isinstance(value, bool):
                booleans.add(name)
    for flag, entry in snapshot["flags"].items():
        # A default of None is the add_argument call overriding a `bool` field's default (vLLM's
        # --enable-prefix-caching and --enable-chunked-prefill), which keeps the `--no-` form.
        if (flag.startswith("--") and flag[2:].replace("-", "_") in booleans
                and (isinstance(entry["default"], bool) or entry["default"] is None)):
            negation = "--no-" + flag[2:]
            if negation not in entry["aliases"]:
                entry["aliases"] = sorted([*entry["aliases"], negation])


def snapshot_path(engine: Engine, version: str | None = None) -> Path:
    return SNAPSHOT_DIR / f"{engine.id}-{version or engine.release}.json"


def load_snapshot(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_snapshot(snapshot: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _lookup(snapshot: dict, name: str) -> tuple[str, dict] | None:
    flags = snapshot["flags"]
    if name in flags:
        return name, flags[name]
    for primary, entry in flags.items():
        if name in entry["aliases"]:
            return primary, entry
    return None


def _config_key(snapshot: dict, key: str) -> bool | None:
    """Whether `a.b` names a field `b` of the class that the flag `--a` or the key `a` takes (CamelCase of `a`, as
    vLLM's `--compilation-config` takes CompilationConfig); None when no class of that name was read."""
    head, _, rest = key.lstrip("-").partition(".")
    if not rest:
        return None
    wanted = "".join(part.capitalize() for part in head.replace("-", "_").split("_"))
    for cls, fields in snapshot["classes"].items():
        if cls.lower() == wanted.lower():
            return rest.split(".")[0] in fields
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(repr, a)) == sorted(map(repr, b))
    return a == b and type(a) is type(b) if isinstance(a, bool) or isinstance(b, bool) else a == b


def check_knob(engine: Engine, knob: Knob, snapshot: dict) -> list[Problem]:
    where = f"{engine.file}:{knob.line}"
    out: list[Problem] = []

    def problem(message: str, fix: str) -> None:
        out.append(Problem(where, knob.flag, message, fix))

    if knob.kind == "env":
        present = knob.flag in snapshot.get("env", {})
        if knob.status == "removed" and present:
            problem(f"marked removed since {knob.since}, but {engine.label} still reads it "
                    f"({snapshot['env'][knob.flag]}).", "set `status: current` or fix `since:`.")
        elif knob.status != "removed" and not present and snapshot.get("env"):
            problem(f"{engine.label} does not read this variable.", "mark it `status: removed` with `since:`, "
                    "or fix the spelling.")
        return out
    if knob.kind == "config":
        known = _config_key(snapshot, knob.flag)
        if known is False and knob.status != "removed":
            problem(f"no such key in {engine.label}'s config classes.", "fix the key or mark it removed.")
        if known is True and knob.status == "removed":
            problem(f"marked removed since {knob.since}, but {engine.label} still has it.", "set `status: current`.")
        return out
    if "." in knob.flag:  # --compilation-config.max_decode_cudagraph_capture_requests
        known = _config_key(snapshot, knob.flag)
        if known is False and knob.status != "removed":
            problem(f"{engine.label} has no such key.", "fix the key or mark it removed.")
        return out
    found = _lookup(snapshot, knob.flag)
    if knob.status == "removed":
        if found:
            problem(f"marked removed since {knob.since}, but {engine.label} declares it at {found[1]['source']}.",
                    "set `status: current` (or `deprecated`) and fix `since:`.")
        return out
    if not found:
        problem(f"{engine.label} does not declare this flag.",
                "if it was renamed or dropped, set `status: removed`, `since:` and `replacement:`; "
                "else fix the spelling.")
        return out
    primary, entry = found
    if entry["deprecated"] and knob.status != "deprecated":
        problem(f"{engine.label} marks it deprecated ({entry['source']}).", "set `status: deprecated` and `since:`.")
    if knob.status == "deprecated" and not entry["deprecated"]:
        problem(f"marked deprecated, but {engine.label} does not say so ({entry['source']}).",
                "check the source; set `status: current` if it is not deprecated.")
    spelled = {primary, *entry["aliases"]}
    for alias in knob.aliases:
        if alias not in spelled:
            problem(f"alias {alias} is not declared by {engine.label}.", "remove it from `aliases:`.")
    if knob.has_default and not _same(knob.default, entry["default"]):
        problem(f"default {knob.default!r} in the data, {entry['default']!r} in {engine.label} ({entry['source']}).",
                "write the release's default (and what it comes to in `effective:`), with the change in `history:`.")
    return out


def drift(engine: Engine, snapshot: dict) -> list[Problem]:
    """Every knob of `engine` that the release in `snapshot` contradicts."""
    out: list[Problem] = []
    if str(snapshot.get("release")) != engine.release:
        out.append(Problem(engine.file, "release", f"the data is checked against {engine.release}, the snapshot "
                           f"is of {snapshot.get('release')}.", "take the snapshot of the release the data names."))
        return out
    for knob in engine.knobs:
        out.extend(check_knob(engine, knob, snapshot))
    return out


def diff(old: dict, new: dict) -> dict[str, list]:
    """What changed from one release's snapshot to another's: flags added and removed, flags renamed (a removed
    flag whose name survives as an alias, or whose field another flag now carries), defaults changed and
    deprecations, each with the new source line."""
    old_flags, new_flags = old["flags"], new["flags"]
    added = sorted(set(new_flags) - set(old_flags))
    removed = sorted(set(old_flags) - set(new_flags))
    renamed = []
    for name in list(removed):
        survivor = _lookup(new, name)
        if survivor:
            renamed.append((name, survivor[0], survivor[1]["source"]))
            removed.remove(name)
            if survivor[0] in added:
                added.remove(survivor[0])
    defaults = [(name, old_flags[name]["default"], entry["default"], entry["source"])
                for name, entry in sorted(new_flags.items())
                if name in old_flags and not _same(old_flags[name]["default"], entry["default"])]
    deprecated = [(name, entry["source"]) for name, entry in sorted(new_flags.items())
                  if entry["deprecated"] and not old_flags.get(name, {}).get("deprecated")]
    return {"added": [(n, new_flags[n]["source"]) for n in added], "removed": removed, "renamed": renamed,
            "defaults": defaults, "deprecated": deprecated}
