#!/usr/bin/env python3
"""Benchmark the handbook: build time, link-check time, first-visit page
weight, search index size and search quality (tests/search_queries.yml).

    python3 scripts/dev.py bench [--pages / concepts/kv-cache/ optimizations/paged-attention/]

Page weight is measured in headless Chromium: every request a first visit
makes (cache empty), each body gzip-compressed at level 6 as a static host
would serve it. The search index and the math font are reported on their own.
"""
from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

DEFAULT_PAGES = ["", "concepts/kv-cache/", "optimizations/paged-attention/"]
EXCLUDED = ("search/search_index.json",)
MATH_FONT = "latinmodern-math.woff2"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def page_weight(base_url: str, paths: list[str], chromium: str | None = None, browser=None) -> list[dict]:
    """First-visit weight of each page, Material's bundle included (it starts on the first interaction), and the
    weight before any interaction; pass a Playwright `browser` or a Chromium path."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                  args=["--no-sandbox", "--disable-gpu",
                                                        "--disable-background-networking"])
            try:
                return page_weight(base_url, paths, browser=launched)
            finally:
                launched.close()
    from handbook.render.theme import start_material

    origin = base_url.split("/handbook/")[0]
    results = []
    for path in paths:
        context = browser.new_context()
        page = context.new_page()
        seen: list = []
        # A Python function, not the bound method list.append: Playwright reads the handler's signature.
        page.on("requestfinished", lambda request, seen=seen: seen.append(request))
        page.goto(base_url + path, wait_until="networkidle")
        page.wait_for_timeout(500)
        at_load = len(seen)
        # Material's bundle starts on the first interaction (scripts/handbook/render/material-on-demand.js):
        # a reader who touches the page pays for it on the first visit too, so the budget counts it.
        start_material(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        load_bytes = sum(gz(r.response().body() if r.response() else b"") for r in seen[:at_load]
                         if not r.url.endswith((*EXCLUDED, MATH_FONT)))
        total, count, foreign, math_font, index = 0, 0, 0, 0, 0
        for request in seen:
            response = request.response()
            size = gz(response.body() if response else b"")
            if not request.url.startswith(origin):
                foreign += 1
            if request.url.endswith(EXCLUDED):
                index += size
            elif request.url.endswith(MATH_FONT):
                math_font += size
            else:
                total += size
                count += 1
        results.append({"page": "/" + path, "bytes_gz": total, "requests": count, "foreign": foreign,
                        "math_font_gz": math_font, "search_index_gz": index, "bytes_gz_before_input": load_bytes})
        context.close()
    return results


def search_report(base_url: str, chromium: str) -> str:
    from devtools.searcheval import load_queries, report, run_queries
    from playwright.sync_api import sync_playwright

    queries = load_queries(ROOT / "tests" / "search_queries.yml", ROOT / "docs")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            return report(run_queries(browser.new_page(), base_url, queries))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", default=DEFAULT_PAGES)
    parser.add_argument("--no-search", action="store_true", help="skip the search-quality run (about 30 s)")
    args = parser.parse_args(argv)
    from conftest import build_site, chromium_path

    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served"
        site = served / "handbook"
        port = 8791
        start = time.perf_counter()
        build = build_site(site, f"http://127.0.0.1:{port}/handbook/")
        build_s = time.perf_counter() - start
        if build.returncode:
            print(build.stderr)
            return 1
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "check_links.py"), str(site),
                        "--docs", str(ROOT / "docs")], capture_output=True)
        links_s = time.perf_counter() - start
        index = (site / "search" / "search_index.json").read_bytes()
        pages = sum(1 for _ in site.rglob("*.html"))
        print(f"strict build:        {build_s:6.2f} s  ({pages} HTML pages)")
        print(f"link check:          {links_s:6.2f} s  (whole site, incl. Python start-up)")
        print(f"search index:        {len(index) / 1024:8.1f} KiB raw, {gz(index) / 1024:8.1f} KiB gzip")
        chromium = chromium_path()
        if not chromium:
            print("page weight:         skipped (no Chromium; set CHROMIUM_PATH)")
            return 0
        from devtools.staticserve import serve

        with serve(served, port, not_found=site / "404.html") as origin:
            for row in page_weight(f"{origin}/handbook/", args.pages, chromium):
                font = f", math font {row['math_font_gz'] / 1024:.1f} KiB" if row["math_font_gz"] else ""
                print(f"first visit {row['page']:<34} {row['bytes_gz'] / 1024:7.1f} KiB gzip"
                      f" in {row['requests']:2d} requests"
                      f" ({row['foreign']} to other origins{font}; search index excluded;"
                      f" {row['bytes_gz_before_input'] / 1024:.1f} KiB before the first interaction)")
            if not args.no_search:
                print(search_report(f"{origin}/handbook/", chromium))
    return 0


if __name__ == "__main__":
    sys.exit(main())
