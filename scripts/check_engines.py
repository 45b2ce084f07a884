"""Engine data against engine releases and pages (thin entry point; the logic is in scripts/handbook/).

    python3 scripts/check_engines.py drift [ENGINE ...]          # the data against the pinned releases' snapshots
    python3 scripts/check_engines.py drift vllm --source DIR     # ... against an unpacked release instead
    python3 scripts/check_engines.py fetch vllm 0.35.0           # download (no dependencies) and unpack a release
    python3 scripts/check_engines.py snapshot vllm --source DIR [--version 0.35.0]   # write its snapshot JSON
    python3 scripts/check_engines.py diff vllm 0.34.0 0.35.0     # flags added, removed, renamed; defaults changed
    python3 scripts/check_engines.py pages                       # every flag a page names, against the data

Exit status 1 when a check finds something; each finding names `file:line` and the fix.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handbook import ROOT  # noqa: E402
from handbook.checks import enginedrift, engineflags  # noqa: E402
from handbook.data import engines  # noqa: E402

CACHE = ROOT / ".cache" / "engines"


def fetch(engine: engines.Engine, version: str) -> Path:
    """Download the release's source distribution (or wheel) without its dependencies and unpack it."""
    package = engine.drift.get("package")
    if not package:
        raise SystemExit(f"{engine.file}: no `drift.package`; this engine's flags are checked by hand.")
    target = CACHE / f"{engine.id}-{version}"
    if target.exists():
        return target
    download = CACHE / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":none:", "-d",
                    str(download), f"{package}=={version}"], check=True)
    stem = package.replace("-", "_").lower()
    found = [p for p in download.iterdir() if p.name.lower().replace("-", "_").startswith(f"{stem}-{version}")]
    if not found:
        raise SystemExit(f"pip saved no file for {package}=={version} in {download}")
    archive = found[0]
    target.mkdir(parents=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            z.extractall(target, [n for n in z.namelist() if n.endswith(".py")])
    else:
        with tarfile.open(archive) as t:
            members = [m for m in t.getmembers() if m.name.endswith(".py")]
            t.extractall(target, members, filter="data")
        inner = [p for p in target.iterdir() if p.is_dir()]
        if len(inner) == 1:  # sdists unpack into NAME-VERSION/
            return inner[0]
    return target


def source_root(engine: engines.Engine, version: str, given: str | None) -> Path:
    if given:
        return Path(given)
    cached = CACHE / f"{engine.id}-{version}"
    if cached.exists():
        inner = [p for p in cached.iterdir() if p.is_dir() and not (cached / engine.drift["package"]).exists()]
        return inner[0] if len(inner) == 1 and not any(cached.glob("*.dist-info")) else cached
    return fetch(engine, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_drift = sub.add_parser("drift", help="the data against the pinned releases")
    p_drift.add_argument("engine", nargs="*")
    p_drift.add_argument("--source", help="an unpacked release to read instead of the committed snapshot")
    p_fetch = sub.add_parser("fetch", help="download and unpack a release")
    p_fetch.add_argument("engine")
    p_fetch.add_argument("version")
    p_snap = sub.add_parser("snapshot", help="write the snapshot JSON of a release")
    p_snap.add_argument("engine")
    p_snap.add_argument("--source")
    p_snap.add_argument("--version")
    p_diff = sub.add_parser("diff", help="what changed between two releases")
    p_diff.add_argument("engine")
    p_diff.add_argument("old")
    p_diff.add_argument("new")
    sub.add_parser("pages", help="every flag a page names, against the data")
    args = parser.parse_args(argv)

    if args.command == "pages":
        findings = engineflags.scan_docs()
        for finding in findings:
            print(finding)
        print(f"{len(findings)} finding(s)")
        return 1 if findings else 0
    if args.command == "drift":
        chosen = args.engine or [e.id for e in engines.load().values() if e.drift]
        total = 0
        for engine_id in chosen:
            engine = engines.get(engine_id)
            if not engine.drift and not args.source:
                print(f"{engine.label}: no `drift:` section; its {len(engine.knobs)} knobs are checked by hand "
                      "against the sources they cite.")
                continue
            if args.source:
                snapshot = enginedrift.snapshot_from_source(engine, Path(args.source))
            else:
                path = enginedrift.snapshot_path(engine)
                if not path.exists():
                    print(f"{engine.file}: no snapshot of {engine.label} at {path.relative_to(ROOT)}. Fix: run "
                          f"`python3 scripts/check_engines.py snapshot {engine.id}`.")
                    total += 1
                    continue
                snapshot = enginedrift.load_snapshot(path)
            problems = enginedrift.drift(engine, snapshot)
            for problem in problems:
                print(problem)
            print(f"{engine.label}: {len(engine.knobs)} knobs checked, {len(problems)} problem(s)")
            total += len(problems)
        return 1 if total else 0
    engine = engines.get(args.engine)
    if args.command == "fetch":
        print(fetch(engine, args.version))
        return 0
    if args.command == "snapshot":
        version = args.version or engine.release
        snapshot = enginedrift.snapshot_from_source(engine, source_root(engine, version, args.source), version)
        path = enginedrift.snapshot_path(engine, version)
        enginedrift.write_snapshot(snapshot, path)
        print(f"{path.relative_to(ROOT)}: {len(snapshot['flags'])} flags, {len(snapshot['env'])} variables")
        return 0
    if args.command == "diff":
        snaps = []
        for version in (args.old, args.new):
            path = enginedrift.snapshot_path(engine, version)
            snaps.append(enginedrift.load_snapshot(path) if path.exists() else
                         enginedrift.snapshot_from_source(engine, source_root(engine, version, None), version))
        changes = enginedrift.diff(*snaps)
        print(f"{engine.name} {args.old} -> {args.new}")
        for name, source in changes["added"]:
            print(f"  added      {name}  ({source})")
        for name in changes["removed"]:
            print(f"  removed    {name}")
        for old, new, source in changes["renamed"]:
            print(f"  renamed    {old} -> {new}  ({source})")
        for name, before, after, source in changes["defaults"]:
            print(f"  default    {name}: {before!r} -> {after!r}  ({source})")
        for name, source in changes["deprecated"]:
            print(f"  deprecated {name}  ({source})")
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
