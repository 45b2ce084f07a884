#!/usr/bin/env python3
"""Check every internal link and anchor of the built site.

    python3 scripts/check_links.py site [--external] [--base-path /handbook/]

Exit status: 0 clean, 1 findings, 2 bad input (no such site folder).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handbook.checks.linkcheck import check_external, check_site  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="folder of the built site (mkdocs build writes site/)")
    parser.add_argument("--docs", type=Path, default=None, help="docs folder for file:line (default: next to the site)")
    parser.add_argument("--external", action="store_true", help="also check that external links are reachable")
    parser.add_argument("--base-path", default="", help="URL path the site is served under, e.g. /handbook/")
    args = parser.parse_args(argv)
    if not args.site.is_dir() or not any(args.site.rglob("*.html")):
        print(f"{args.site}: not a built site (no HTML files). Fix: run `python3 scripts/dev.py build` first.",
              file=sys.stderr)
        return 2
    docs = args.docs or (args.site.resolve().parent / "docs")
    start = time.perf_counter()
    findings, external = check_site(args.site, docs if docs.is_dir() else None, args.base_path)
    note = None
    if args.external:
        more, note = check_external(external)
        findings += more
    for finding in findings:
        print(finding.render())
    if note:
        print(note)
    pages = sum(1 for _ in args.site.rglob("*.html"))
    print(f"check_links: {len(findings)} finding(s) in {pages} pages, {len(external)} external links "
          f"({'reachability checked' if args.external and not note else 'form only'}), "
          f"{time.perf_counter() - start:.2f} s")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
