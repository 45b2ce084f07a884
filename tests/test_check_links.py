"""check_links over small fixture sites: a clean one, and one seeded defect each."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from handbook.checks.linkcheck import check_site

PAGE = """<!doctype html><html><head><link href="{css}" rel="stylesheet"></head><body>
<h1 id="top">T</h1><h2 id="section">S</h2>
<a href="{link}">x</a> <img src="{img}" alt=""> <a href="https://example.org/page">ext</a>
<a href="#section">same page</a>
</body></html>"""


def make_site(root: Path, link="../b/#part", img="../img/d.svg", css="../style.css") -> Path:
    site, docs = root / "site", root / "docs"
    (site / "a").mkdir(parents=True)
    (site / "b").mkdir()
    (site / "img").mkdir()
    (site / "img" / "d.svg").write_text("<svg/>")
    (site / "style.css").write_text("")
    (site / "a" / "index.html").write_text(PAGE.format(link=link, img=img, css=css))
    (site / "b" / "index.html").write_text('<html><body><h2 id="part">P</h2><a href="../a/">back</a></body></html>')
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nSee [B](b.md#part).\n\n![d](img/d.svg)\n")
    (docs / "b.md").write_text("# B\n")
    return site


def test_clean_site_has_no_findings(tmp_path):
    site = make_site(tmp_path)
    findings, external = check_site(site, tmp_path / "docs")
    assert findings == []
    assert external == ["https://example.org/page"]


RENDERED = "docs/a.md (rendered as site/a/index.html)"


@pytest.mark.parametrize("kwargs, expected", [
    ({"link": "../missing/"}, f"{RENDERED}: target does not exist: ../missing/"),
    ({"link": "../b/#nope"}, "docs/a.md:3: no id 'nope' on b/index.html: ../b/#nope"),
    ({"img": "../img/gone.svg"}, f"{RENDERED}: target does not exist: ../img/gone.svg"),
    ({"link": "/b/"}, "docs/a.md:3: absolute path (use a relative link): /b/"),
    ({"link": "https://exa mple.org/"}, f"{RENDERED}: malformed external URL: https://exa mple.org/"),
])
def test_seeded_defect_is_reported_with_its_source(tmp_path, kwargs, expected):
    site = make_site(tmp_path, **kwargs)
    findings, _ = check_site(site, tmp_path / "docs")
    assert [f.render() for f in findings] == [expected]


def test_cli_exit_codes(tmp_path):
    script = [sys.executable, str(ROOT / "scripts" / "check_links.py")]
    clean = make_site(tmp_path / "clean")
    assert subprocess.run([*script, str(clean)], capture_output=True).returncode == 0
    broken = make_site(tmp_path / "broken", link="../missing/")
    result = subprocess.run([*script, str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "target does not exist" in result.stdout
    result = subprocess.run([*script, str(tmp_path / "nothing")], capture_output=True, text=True)
    assert result.returncode == 2 and "not a built site" in result.stderr and "Traceback" not in result.stderr


def test_external_without_network_is_reported_cleanly(tmp_path, monkeypatch):
    import socket

    from handbook.checks import linkcheck

    def no_network(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    findings, note = linkcheck.check_external(["https://example.org/"])
    assert findings == [] and note == "no network: 1 external links were checked for form only"


def test_real_site_check_is_fast(served_site):
    import time

    _, site = served_site
    start = time.perf_counter()
    findings, _ = check_site(site, ROOT / "docs")
    assert time.perf_counter() - start < 2.0
    assert [f.render() for f in findings] == []
