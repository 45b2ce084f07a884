"""The maintainer's review-age report."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

from conftest import ROOT
from handbook.checks.reviews import months_ago, stale_pages

PAGE = ("---\ntitle: {t}\ndescription: A fixture page for the review-age report, long enough to pass.\n"
        "last_reviewed: {d}\n---\n\n# {t}\n")


def make_docs(tmp_path, dates):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, date in dates.items():
        (docs / f"{name}.md").write_text(PAGE.format(t=name, d=date))
    return docs


def test_months_ago_handles_month_ends():
    assert months_ago(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_ago(dt.date(2026, 11, 27), 12) == dt.date(2025, 11, 27)


def test_stale_pages_oldest_first(tmp_path):
    docs = make_docs(tmp_path, {"new": "2026-11-01", "old": "2024-01-15", "older": "2023-06-01", "edge": "2025-11-27"})
    due = stale_pages(docs, 12, dt.date(2026, 11, 27))
    assert [(d.page, d.age_days) for d in due] == [("docs/older.md", 1275), ("docs/old.md", 1047)]


def test_cli_strict_and_bad_front_matter(tmp_path):
    docs = make_docs(tmp_path, {"old": "2020-01-01"})
    script = [sys.executable, str(ROOT / "scripts" / "check_reviews.py"), "--docs", str(docs), "--today", "2026-11-27"]
    report = subprocess.run(script, capture_output=True, text=True)
    assert report.returncode == 0 and "docs/old.md: last reviewed 2020-01-01" in report.stdout
    assert subprocess.run([*script, "--strict"], capture_output=True).returncode == 1
    (docs / "bad.md").write_text("---\ntitle: [x\n---\n")
    bad = subprocess.run(script, capture_output=True, text=True)
    assert bad.returncode == 2 and "docs/bad.md:" in bad.stderr and "Traceback" not in bad.stderr


def test_real_handbook_front_matter_reads_and_report_runs():
    # Not a deadline: the report lists due pages for maintainers; it fails only on unreadable front matter.
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_reviews.py")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("check_reviews: ")
