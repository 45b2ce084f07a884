#!/usr/bin/env python3
"""List pages whose last_reviewed date is older than a set age, oldest first.

    python3 scripts/check_reviews.py [--max-age-months 12] [--today YYYY-MM-DD] [--strict]

A maintainer's report: exit 0 unless --strict is given and pages are due
(exit 1), or a page's front matter is malformed (exit 2).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handbook import DOCS  # noqa: E402
from handbook.checks.reviews import HandbookError, stale_pages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age-months", type=int, default=12)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="pretend today is this date")
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--strict", action="store_true", help="exit 1 when any page is due")
    args = parser.parse_args(argv)
    try:
        due = stale_pages(args.docs, args.max_age_months, args.today)
    except HandbookError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    for item in due:
        print(f"{item.page}: last reviewed {item.reviewed} ({item.age_days} days ago)")
    print(f"check_reviews: {len(due)} page(s) older than {args.max_age_months} months")
    return 1 if (due and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
