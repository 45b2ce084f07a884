"""Engine facts on pages, from data/engines/: flags, defaults, releases and the tables built from them.

    {{< engine_release vllm >}}                          vLLM 0.34.0
    {{< engine_released vllm >}}                         2026-11-16
    {{< flag vllm --max-num-seqs >}}                     `--max-num-seqs` (refused if the data lacks it)
    {{< engine_default vllm --gpu-memory-utilization >}} what the default comes to, as the data states it
    {{< engine_table vllm:--block-size sglang:--page-size >}}   the "In the engines" table of those knobs
    {{< engine_crossref section=batch-memory >}}         a section of the engine flag cross-reference

A table row names the engine with its release, the knob, what it does, its default and status, and links the file
of the engine's repository at that release where the default is written.
"""
from __future__ import annotations

import re

from handbook import DATA
from handbook.data import engines as engine_data
from handbook.data.validate import read_records

CROSSREF = DATA / "engine-crossref.yml"
CROSSREF_FIELDS = {"knob", "section", "engines", "note"}


def _pipe(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_PAREN = re.compile(r"\s*\(([^()]*)\)")
_CODE_WORD = re.compile(r"^[\w./:<>=-]+$")


def reader_text(text: str) -> str:
    """The data's wording without the parentheses that only name code (`(EngineArgs.get_batch_defaults)`,
    `(sglang/srt/arg_groups/memory_hook.py)`): the source link of the row gives the file, the data keeps the rest."""
    def keep(match: re.Match) -> str:
        words = [w for w in re.split(r"[;,\s]+", match.group(1)) if w and w not in ("and", "in", "see")]
        code = words and all(_CODE_WORD.match(w) for w in words) and any(
            ("_" in w or "/" in w or re.search(r"[a-z]\.[A-Za-z]", w)) for w in words)
        return "" if code else match.group(0)
    return _PAREN.sub(keep, str(text)).strip()


def release(engine: str) -> str:
    return engine_data.get(engine).label


def released(engine: str) -> str:
    return engine_data.get(engine).released.isoformat()


def _knob(engine: str, name: str) -> engine_data.Knob:
    try:
        return engine_data.knob(engine, name)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None


def flag(engine: str, name: str, removed: str = "") -> str:
    knob = _knob(engine, name)
    if knob.status == "removed" and not removed:
        raise ValueError(f"{knob.flag} was removed from {engine_data.get(engine).name} in {knob.since}; write "
                         f"removed=1 where the page says so, or use {knob.replacement or 'the current knob'}")
    return f"`{knob.flag}`"


def default(engine: str, name: str) -> str:
    knob = _knob(engine, name)
    text = reader_text(knob.default_text())
    if not text:
        raise ValueError(f"{engine_data.get(engine).file}:{knob.line}: {knob.flag} states no default; add "
                         "`default:` (and `effective:`) with its source")
    return text


def history(engine: str, name: str) -> str:
    knob = _knob(engine, name)
    if not knob.history:
        raise ValueError(f"{engine_data.get(engine).file}:{knob.line}: {knob.flag} has no `history:`")
    return knob.history


def source_link(engine: engine_data.Engine, knob: engine_data.Knob) -> str:
    if knob.source.startswith(("http://", "https://")):
        return f"[documentation]({knob.source})"
    base = engine.repository.replace("/tree/", "/blob/") if "/tree/" in engine.repository else ""
    if not base:
        return f"`{knob.source}`"
    return f"[`{knob.source.rsplit('/', 1)[-1]}`]({base}/{knob.source})"


def _setting(engine: engine_data.Engine, knob: engine_data.Knob) -> str:
    names = " / ".join(f"`{n}`" for n in knob.names())
    command = f" (`{knob.command}`)" if knob.command else ""
    return f"{names}{command}: {_pipe(reader_text(knob.does))} ({source_link(engine, knob)})"


def _default_cell(knob: engine_data.Knob) -> str:
    text = _pipe(reader_text(knob.default_text()) or "not stated in the data")
    status = engine_data.describe_status(knob)
    return f"{text} (**{status}**)" if status else text


def table(*rows: str) -> str:
    """The "In the engines" table of the knobs named as `engine:flag`, in that order."""
    if not rows:
        raise ValueError("name the knobs as engine:flag, e.g. {{< engine_table vllm:--block-size >}}")
    out = ["| Engine (release checked) | Setting (source at that release) | Default |", "| --- | --- | --- |"]
    for row in rows:
        engine_id, sep, name = row.partition(":")
        if not sep:
            raise ValueError(f"write {row!r} as engine:flag, e.g. vllm:--block-size")
        engine = engine_data.get(engine_id) if engine_id in engine_data.load() else None
        if engine is None:
            raise ValueError(f"unknown engine {engine_id!r}; known: {', '.join(sorted(engine_data.load()))}")
        knob = _knob(engine_id, name)
        out.append(f"| {engine.label} | {_setting(engine, knob)} | {_default_cell(knob)} |")
    return "\n".join(out)


def load_crossref(path=None) -> list[dict]:
    rows = []
    engines = engine_data.load()
    for record in read_records(path or CROSSREF, what="knobs", fix="start each with '- knob: NAME'."):
        record.fields(CROSSREF_FIELDS, ("knob", "section", "engines"))
        mapping = record.require("engines", dict)
        for engine_id, names in mapping.items():
            if engine_id not in engines:
                record.fail("engines", f"unknown engine {engine_id!r}.", f"use one of {sorted(engines)}.")
            if isinstance(names, dict):
                names = names.get("flags") or []
            for name in names if isinstance(names, list) else [names]:
                if engines[engine_id].knob(name) is None:
                    record.fail("engines", f"{engines[engine_id].file} holds no knob {name!r}.",
                                "add it there with its source, or fix the spelling.")
        rows.append(dict(record.data))
    return rows


def crossref(section: str = "") -> str:
    """One section of the engine flag cross-reference: per knob, a row for each engine (with its release) giving the
    engine's flags and their defaults; the knob's name is written on its first row."""
    rows = [r for r in load_crossref() if not section or r["section"] == section]
    if not rows:
        raise ValueError(f"no cross-reference rows in section {section!r} of data/engine-crossref.yml")
    order = [e for e in ("vllm", "sglang", "tensorrt-llm") if any(e in r["engines"] for r in rows)]
    order += sorted({e for r in rows for e in r["engines"]} - set(order))
    engines = engine_data.load()
    out = ["| Knob | Engine (release checked) | Flag or key | Default |", "| --- | --- | --- | --- |"]
    for row in rows:
        first = True
        for engine_id in order:
            names = row["engines"].get(engine_id)
            note = ""
            if isinstance(names, dict):
                names, note = names.get("flags") or [], names.get("note", "")
            if not names:
                continue
            flags, defaults = [], []
            for name in names if isinstance(names, list) else [names]:
                knob = engines[engine_id].knob(name)
                status = engine_data.describe_status(knob)
                flags.append(" / ".join(f"`{n}`" for n in knob.names()) + (f" (**{status}**)" if status else ""))
                value = reader_text(knob.default_text())
                if value:
                    defaults.append((f"`{knob.flag}`: " if len(names) > 1 else "") + _pipe(value))
            knob_text = (_pipe(row["knob"]) + (f" ({_pipe(row['note'])})" if row.get("note") else "")) if first else ""
            flag_text = "; ".join(flags) + (f" ({_pipe(note)})" if note else "")
            out.append(f"| {knob_text} | {engines[engine_id].label} | {flag_text} | "
                       f"{'; '.join(defaults) or 'not stated in the data'} |")
            first = False
    return "\n".join(out)


def _command_words(engine: engine_data.Engine, text: str) -> list[str]:
    """The flags and values of one engine's command, each flag checked against the data (current knobs only) and
    printed under its current name."""
    import shlex

    words = shlex.split(text)
    out: list[str] = []
    for word in words:
        name, eq, value = word.partition("=")
        if name.startswith("-") and not name[1:2].isdigit():
            knob = engine.knob(name)
            if knob is None:
                raise ValueError(f"{engine.label} has no flag {name!r} in {engine.file}")
            if knob.status != "current":
                raise ValueError(f"{name} is {engine_data.describe_status(knob)} in {engine.label}; a command to "
                                 "copy must use the current flag")
            word = knob.flag + eq + value
        out.append(word)
    return out


def commands(model: str = "MODEL", **per_engine: str) -> str:
    """Content tabs with one copyable command per engine, e.g.
    {{< engine_commands model=meta-llama/Llama-3.1-8B-Instruct vllm="--max-num-seqs 256" sglang="..." >}}.
    Each tab is titled with the engine and its release; each flag is checked against the data."""
    import shlex

    if not per_engine:
        raise ValueError('give one command per engine: vllm="--flag value" sglang="--flag value"')
    out: list[str] = []
    for key, text in per_engine.items():
        engine_id = key.replace("_", "-")
        engine = engine_data.get(engine_id) if engine_id in engine_data.load() else None
        if engine is None:
            raise ValueError(f"unknown engine {engine_id!r}; known: {', '.join(sorted(engine_data.load()))}")
        if not engine.serve:
            raise ValueError(f"{engine.file} has no `serve:` command line to start from")
        words = _command_words(engine, text)
        lines = [engine.serve.format(model=shlex.quote(model))]
        index = 0
        while index < len(words):  # one flag per line, with its value
            part = [shlex.quote(words[index])]
            index += 1
            while index < len(words) and not (words[index].startswith("-") and not words[index][1:2].isdigit()):
                part.append(shlex.quote(words[index]))
                index += 1
            lines.append("  " + " ".join(part))
        body = " \\\n".join(lines)
        out += [f'=== "{engine.label}"', "", "    ```bash"]
        out += ["    " + line for line in body.split("\n")]
        out += ["    ```", ""]
    return "\n".join(out).rstrip() + "\n"
