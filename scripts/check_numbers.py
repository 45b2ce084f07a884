#!/usr/bin/env python3
"""Find memory sizes, bandwidths and FLOP/s typed by hand on a page.

    python3 scripts/check_numbers.py [--docs docs] [FILE ...]

A number with such a unit must be drawn from data/ (a placeholder), cited in its
sentence, or marked there as assumed or an example (scripts/handbook/checks/typednumbers.py
says exactly what counts). Exit status: 0 clean, 1 findings.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handbook import DOCS  # noqa: E402
from handbook.checks.typednumbers import scan_docs, scan_page  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("files", nargs="*", type=Path, help="only these pages")
    args = parser.parse_args(argv)
    root = args.docs.resolve().parent
    if args.files:
        found = [n for f in args.files for n in scan_page(f.resolve(), root)]
    else:
        found = scan_docs(args.docs.resolve(), root)
    for number in found:
        print(number.message())
    print(f"check_numbers: {len(found)} number(s) typed by hand")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
