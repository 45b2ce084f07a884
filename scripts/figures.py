#!/usr/bin/env python3
"""Write the data-driven figures (SVG) from data/.

    python3 scripts/figures.py [--check] [--out DIR]

Without --check: rewrite every figure of scripts/handbook/render/figures.py (FIGURES). With --check: write nothing and
list the figures that differ from what data/ gives now. --out writes or checks under DIR instead of the repository
root. HANDBOOK_DATA points the data loaders at another data folder.

Exit status: 0 written or current, 1 stale figures (with --check).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handbook import ROOT  # noqa: E402
from handbook.render.figures import FIGURES, REGENERATE, stale, write_all  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale figures instead of writing them")
    parser.add_argument("--out", type=Path, default=ROOT, help="root to write or check under (default: the repository)")
    args = parser.parse_args(argv)
    if args.check:
        found = stale(args.out)
        for path in found:
            print(f"{path}: out of date with data/. Fix: run `{REGENERATE}`.")
        print(f"figures: {len(found)} stale of {len(FIGURES)}")
        return 1 if found else 0
    changed = write_all(args.out)
    for path in changed:
        print(f"wrote {path}")
    print(f"figures: {len(changed)} written, {len(FIGURES) - len(changed)} already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
