"""The practical top of every technical page (thin entry point; rules in scripts/handbook/checks/anatomy.py).

    python3 scripts/check_anatomy.py            # every technical page without a well-formed "In production" box
    python3 scripts/check_anatomy.py --stats    # the figures: words before the first section, code blocks, boxes

Exit status 1 when a page fails; each finding names `file:line` and the fix.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handbook.checks import anatomy  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stats", action="store_true", help="print the figures per page and in total")
    args = parser.parse_args(argv)
    findings, stats = anatomy.scan_docs()
    if args.stats:
        for src, row in sorted(stats.items()):
            print(f"{src:55} words before first section {row['words_before_first_section']:4}  "
                  f"code blocks {row['code_blocks']:3}  box {'yes' if row['box'] else 'no'}")
        words = [r["words_before_first_section"] for r in stats.values()]
        blocks = [r["code_blocks"] for r in stats.values()]
        print(f"{len(stats)} technical pages; words before the first section: median {statistics.median(words):.0f}, "
              f"max {max(words)}; code blocks: total {sum(blocks)}, pages with none {blocks.count(0)}; "
              f"pages with the box: {sum(r['box'] for r in stats.values())}")
        return 0
    for finding in findings:
        print(finding)
    print(f"{len(findings)} finding(s) on {len(stats)} technical pages")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
