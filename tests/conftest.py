"""Shared fixtures: a strict build of the real site served on localhost, and
headless Chromium driven by Playwright (Debian's Chromium; nothing downloaded)."""
from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE_PATH = "/handbook/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "/usr/bin/google-chrome"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def build_site(dest: Path, site_url: str | None = None, config: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(dest)],
                          cwd=config.parent, env=env, capture_output=True, text=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """(base URL, site folder): the real handbook built strictly and served under /handbook/."""
    port = _free_port()
    root = tmp_path_factory.mktemp("served")
    site = root / BASE_PATH.strip("/")
    base_url = f"http://127.0.0.1:{port}{BASE_PATH}"
    result = build_site(site, base_url)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url, site
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's `chromium` or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser, served_site):
    """A fresh page; `page.errors` collects console errors and uncaught exceptions,
    `page.foreign` every request to another origin."""
    base_url, _ = served_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.foreign = []
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    origin = base_url.split(BASE_PATH)[0]
    tab.on("request", lambda req: tab.foreign.append(req.url) if not req.url.startswith((origin, "data:", "blob:")) else None)
    tab.base_url = base_url
    yield tab
    context.close()

