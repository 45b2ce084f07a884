#!/usr/bin/env python3
"""Check the glossary and the spelling of terms across the handbook.

    python3 scripts/check_glossary.py [--glossary data/glossary.yml] [--docs docs]

Exit status: 0 clean, 1 findings, 2 the glossary source itself is malformed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handbook import DATA, DOCS  # noqa: E402
from handbook.checks.glossarycheck import check  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glossary", type=Path, default=DATA / "glossary.yml")
    parser.add_argument("--docs", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    findings = check(args.glossary, args.docs)
    for finding in findings:
        print(finding.render())
    print(f"check_glossary: {len(findings)} finding(s)")
    if any(f.rule == "source" for f in findings):
        return 2
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
