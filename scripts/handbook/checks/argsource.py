"""Read the command-line flags, defaults and config keys of an engine release from its Python source, with `ast`,
without importing it (no GPU, no dependencies).

Engines declare flags in two ways, and the reader understands both:

- argparse calls, `group.add_argument("--max-num-seqs", "-x", default=..., **kwargs["max_num_seqs"])`: the option
  strings are the flag and its aliases; the default is the literal `default=`, else the default of the field the
  `**kwargs["field"]` names (or of the field the flag's name spells) in the engine's argument classes;
- classes whose every annotated field is a flag (`--field-name`): vLLM's frontend arguments, SGLang's server
  argument namespaces (`A[type, Arg(cli_name=..., aliases=[...], no_cli=True)]`).

A default that is a literal is kept as its value; `Class.attr`, `field(default=...)`, `get_field(Class, "attr")`
and `_declared_default("attr")` are followed to the literal they name; anything else is kept as
`{"computed": "<the expression>"}`. A flag is deprecated when its argparse action's name says so
(`DeprecatedStoreTrueAction`), when `deprecated=True` is passed, when its help text starts with "Deprecated", or when
a string in the source (a warning) says "X is deprecated" or "the deprecated X" of it or of the field behind it.

    spec = ReaderSpec(files=["vllm/engine/arg_utils.py", "vllm/config/*.py"], flag_classes=["FrontendArgs"])
    release = read_release(Path("/tmp/vllm-0.34.0"), spec)
    release.flags["--max-num-seqs"].default    # -> None (unset: computed from the GPU at start)
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$")
_NAME = re.compile(r"(--[a-z0-9][a-z0-9-]*|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b)")


@dataclass(frozen=True)
class ReaderSpec:
    """Where an engine declares its arguments (paths relative to the unpacked package's root, globs allowed)."""

    files: list[str]
    flag_classes: list[str] = field(default_factory=list)   # every field of these classes is a flag; "*" = all
    env_files: list[str] = field(default_factory=list)      # files whose string constants name environment variables
    env_prefixes: list[str] = field(default_factory=list)   # e.g. ["VLLM_"]


@dataclass
class Flag:
    name: str
    aliases: list[str]
    default: Any
    deprecated: bool
    file: str
    line: int
    field_name: str = ""
    deprecation: str = ""   # where a warning says it is deprecated, when its declaration does not

    def as_json(self) -> dict:
        out = {"aliases": sorted(self.aliases), "default": self.default, "deprecated": self.deprecated,
               "source": f"{self.file}:{self.line}"}
        if self.deprecation:
            out["deprecation"] = self.deprecation
        return out


@dataclass
class Release:
    flags: dict[str, Flag] = field(default_factory=dict)        # primary name -> Flag
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)  # class -> field -> default
    env: dict[str, str] = field(default_factory=dict)           # variable -> file:line

    def lookup(self, name: str) -> Flag | None:
        """The flag spelled `name`, as its primary name or one of its aliases."""
        if name in self.flags:
            return self.flags[name]
        for flag in self.flags.values():
            if name in flag.aliases:
                return flag
        return None

    def as_json(self) -> dict:
        return {"flags": {k: v.as_json() for k, v in sorted(self.flags.items())},
                "classes": {k: dict(sorted(v.items())) for k, v in sorted(self.classes.items())},
                "env": dict(sorted(self.env.items()))}


class _Unresolved(Exception):
    pass


def _literal(node: ast.AST) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _Unresolved from None
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, tuple):
        return list(value)
    return value


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _first_string(node: ast.AST | None) -> str:
    """The text of a help string: a literal, an f-string's literal parts, or concatenated literals."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _first_string(node.left) + _first_string(node.right)
    return ""


def _kwarg(call: ast.Call, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


class _Reader:
    def __init__(self, root: Path, spec: ReaderSpec):
        self.root, self.spec = root, spec
        self.class_fields: dict[str, dict[str, tuple[ast.AST | None, str, int, ast.AST | None]]] = {}
        self.class_bases: dict[str, list[str]] = {}
        self.calls: list[tuple[ast.Call, str]] = []
        self.notices: list[tuple[str, str, int]] = []   # string constants that say "deprecated" (warnings)
        self.kwargs_class: dict[str, str] = {}   # cache_kwargs = get_kwargs(CacheConfig): the kwargs dict's class
        self.release = Release()

    def paths(self, patterns: list[str]) -> list[Path]:
        found: list[Path] = []
        for pattern in patterns:
            found.extend(sorted(p for p in self.root.glob(pattern) if p.is_file()))
        return list(dict.fromkeys(found))

    def parse(self) -> None:
        for path in self.paths(self.spec.files):
            rel = str(path.relative_to(self.root))
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    self.class_bases[node.name] = [_call_name(b) for b in node.bases]
                    fields = self.class_fields.setdefault(node.name, {})
                    for item in node.body:
                        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                            fields[item.target.id] = (item.value, rel, item.lineno, item.annotation)
                        elif isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(
                                item.targets[0], ast.Name):
                            fields.setdefault(item.targets[0].id, (item.value, rel, item.lineno, None))
                elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "deprecat" in node.value:
                    self.notices.append((node.value, rel, node.lineno))
                elif isinstance(node, ast.Call) and _call_name(node) == "add_argument":
                    self.calls.append((node, rel))
                elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                        and isinstance(node.value, ast.Call) and _call_name(node.value) == "get_kwargs" \
                        and node.value.args and isinstance(node.value.args[0], ast.Name):
                    self.kwargs_class[node.targets[0].id] = node.value.args[0].id
        for path in self.paths(self.spec.env_files):
            rel = str(path.relative_to(self.root))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
                name = ""
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    name = node.value                      # "VLLM_X": os.getenv("VLLM_X") or a dict key
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    name = next((t.id for t in targets if isinstance(t, ast.Name)), "")  # SGLANG_X = EnvBool(...)
                if name and ENV_NAME.match(name) and any(name.startswith(p) for p in self.spec.env_prefixes):
                    self.release.env.setdefault(name, f"{rel}:{node.lineno}")

    # --- defaults -------------------------------------------------------------------------------------------
    def field_default(self, cls: str, name: str, depth: int = 0) -> Any:
        if depth > 8:
            raise _Unresolved
        seen = {cls}
        queue = [cls]
        while queue:  # the class, then its bases
            current = queue.pop(0)
            entry = self.class_fields.get(current, {}).get(name)
            if entry is not None:
                return self.resolve(entry[0], depth + 1, entry[3])
            for base in self.class_bases.get(current, []):
                if base not in seen:
                    seen.add(base)
                    queue.append(base)
        raise _Unresolved

    def resolve(self, node: ast.AST | None, depth: int = 0, annotation: ast.AST | None = None) -> Any:
        if node is None:
            raise _Unresolved
        try:
            return _literal(node)
        except _Unresolved:
            pass
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.field_default(node.value.id, node.attr, depth)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in ("field", "Field"):
                default = _kwarg(node, "default")
                if default is not None:
                    return self.resolve(default, depth + 1)
                if node.args and name == "Field":
                    return self.resolve(node.args[0], depth + 1)
            if name == "get_field" and len(node.args) == 2 and isinstance(node.args[0], ast.Name):
                return self.field_default(node.args[0].id, _literal(node.args[1]), depth)
            if name == "_declared_default" and node.args:
                wanted = _literal(node.args[0])
                for cls, fields in self.class_fields.items():
                    if wanted in fields:
                        return self.field_default(cls, wanted, depth)
        raise _Unresolved

    def default_of(self, node: ast.AST | None) -> Any:
        try:
            return self.resolve(node)
        except _Unresolved:
            return {"computed": ast.unparse(node)} if node is not None else None

    def default_of_field(self, name: str) -> Any:
        for cls in self.class_fields:
            if name in self.class_fields[cls]:
                try:
                    return self.field_default(cls, name)
                except _Unresolved:
                    return {"computed": ast.unparse(self.class_fields[cls][name][0])} \
                        if self.class_fields[cls][name][0] is not None else None
        return None

    # --- flags ----------------------------------------------------------------------------------------------
    def add(self, flag: Flag) -> None:
        existing = self.release.flags.get(flag.name)
        if existing is None:
            self.release.flags[flag.name] = flag
        else:  # declared twice (a subcommand repeats a flag): keep the first, merge the aliases
            existing.aliases = sorted(set(existing.aliases) | set(flag.aliases))

    def read_calls(self) -> None:
        for call, rel in self.calls:
            options = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            long_names = [o for o in options if o.startswith("--")]
            if not long_names:
                continue
            names = long_names + [o for o in options if o.startswith("-") and not o.startswith("--")]
            primary = names[0]
            field_name, field_class = "", ""
            for keyword in call.keywords:  # **kwargs["field"]
                if keyword.arg is None and isinstance(keyword.value, ast.Subscript):
                    try:
                        field_name = _literal(keyword.value.slice)
                    except _Unresolved:
                        pass
                    if isinstance(keyword.value.value, ast.Name):
                        field_class = self.kwargs_class.get(keyword.value.value.id, "")
            default_node = _kwarg(call, "default")
            if default_node is not None:
                default = self.default_of(default_node)
            elif field_name and field_class:   # **scheduler_kwargs["policy"]: SchedulerConfig.policy only
                try:
                    default = self.field_default(field_class, field_name)
                except _Unresolved:
                    default = self.default_of_field(field_name)
            else:
                default = self.default_of_field(field_name or primary.lstrip("-").replace("-", "_"))
            action = _kwarg(call, "action")
            help_text = _first_string(_kwarg(call, "help"))
            deprecated = ("deprecat" in _call_name(action).lower() if action is not None else False) or (
                isinstance(_kwarg(call, "deprecated"), ast.Constant) and _kwarg(call, "deprecated").value is True
            ) or help_text.lower().startswith("deprecated")
            aliases = names[1:]
            if action is not None and _call_name(action) == "BooleanOptionalAction":
                aliases.append("--no-" + primary[2:])
            self.add(Flag(primary, aliases, default, deprecated, rel, call.lineno, field_name))

    def read_flag_classes(self) -> None:
        wanted = self.spec.flag_classes
        for cls, fields in self.class_fields.items():
            if "*" not in wanted and cls not in wanted:
                continue
            if "*" in wanted and not any(self._is_arg_annotation(f[3]) for f in fields.values()):
                continue
            for name, (value, rel, line, annotation) in fields.items():
                if name.startswith("_") or annotation is None:
                    continue
                arg = self._arg_call(annotation)
                no_cli = _kwarg(arg, "no_cli") if arg is not None else None
                if isinstance(no_cli, ast.Constant) and no_cli.value:
                    continue
                if "*" in wanted and not self._is_arg_annotation(annotation):
                    continue
                cli_name = _kwarg(arg, "cli_name") if arg is not None else None
                primary = _literal(cli_name) if cli_name is not None else "--" + name.replace("_", "-")
                aliases = list(_literal(_kwarg(arg, "aliases"))) if arg is not None and _kwarg(arg, "aliases") \
                    is not None else []
                help_node = _kwarg(arg, "help") if arg is not None else self._help_string(annotation)
                deprecated = _first_string(help_node).lower().startswith("deprecated")
                if _is_bool(annotation) and cls in self.spec.flag_classes and "*" not in wanted:
                    aliases.append("--no-" + primary[2:])   # vLLM's frontend booleans take --no-
                default = self.default_of(value) if value is not None else None
                self.add(Flag(primary, aliases, default, deprecated, rel, line, name))

    @staticmethod
    def _is_arg_annotation(annotation: ast.AST | None) -> bool:
        return isinstance(annotation, ast.Subscript) and _call_name(annotation.value) in ("A", "Annotated")

    @staticmethod
    def _arg_call(annotation: ast.AST) -> ast.Call | None:
        if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
            for element in annotation.slice.elts[1:]:
                if isinstance(element, ast.Call) and _call_name(element) == "Arg":
                    return element
        return None

    @staticmethod
    def _help_string(annotation: ast.AST) -> ast.AST | None:
        if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
            for element in annotation.slice.elts[1:]:
                if _first_string(element):
                    return element
        return None

    def read_notices(self) -> None:
        """A flag is also deprecated when a warning in the source says so in words: "X and Y are deprecated",
        "--x is deprecated", "the deprecated X" (X a flag or the field behind one)."""
        for text, rel, line in self.notices:
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                names: list[str] = []
                before = re.split(r"\b(?:is|are|was|were|has been|have been) deprecated\b", sentence, maxsplit=1)
                if len(before) == 2:
                    names += _NAME.findall(before[0])
                names += re.findall(r"\bdeprecated\s+`?(--[a-z0-9-]+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+)", sentence)
                for name in names:
                    flag = self.release.lookup(name if name.startswith("--") else "--" + name.replace("_", "-"))
                    if flag is not None and not flag.deprecated:
                        flag.deprecated = True
                        flag.deprecation = f"{rel}:{line}"

    def read_classes(self) -> None:
        for cls, fields in self.class_fields.items():
            out = {}
            for name, (value, _rel, _line, annotation) in fields.items():
                if name.startswith("_") or annotation is None:
                    continue
                out[name] = self.default_of(value) if value is not None else None
            if out:
                self.release.classes[cls] = out


def _is_bool(annotation: ast.AST) -> bool:
    return isinstance(annotation, ast.Name) and annotation.id == "bool"


def read_release(root: Path, spec: ReaderSpec) -> Release:
    """Every flag, config class field and environment variable the files of `spec` declare under `root`."""
    reader = _Reader(Path(root), spec)
    reader.parse()
    reader.read_flag_classes()   # the server's own argument classes first: a benchmark's same-named flag does not win
    reader.read_calls()
    reader.read_notices()
    reader.read_classes()
    return reader.release
