"""Shared fixtures: a strict build of the real site served on localhost, and
headless Chromium driven by Playwright (Debian's Chromium; nothing downloaded)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from handbook.render.theme import start_material

ROOT = Path(__file__).resolve().parents[1]
BASE_PATH = "/handbook/"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "/usr/bin/google-chrome"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def page_url(src: str) -> str:
    """docs-relative source path -> the page's URL path: 'index.md' -> '', 'concepts/index.md' -> 'concepts/',
    'concepts/kv-cache.md' -> 'concepts/kv-cache/'."""
    stem = src[:-3]
    if stem == "index":
        return ""
    return stem[:-5] if stem.endswith("/index") else stem + "/"


def build_site(dest: Path, site_url: str | None = None,
               config: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(dest)],
                          cwd=config.parent, env=env, capture_output=True, text=True)


def prebuilt_site() -> tuple[Path, int] | None:
    """(folder holding handbook/, port) when `python3 scripts/dev.py test` has built the site for this run."""
    folder, port = os.environ.get("HANDBOOK_TEST_SITE"), os.environ.get("HANDBOOK_TEST_PORT")
    if folder and port and (Path(folder) / BASE_PATH.strip("/") / "index.html").is_file():
        return Path(folder), int(port)
    return None


@pytest.fixture(scope="session")
def site_build(tmp_path_factory):
    """(folder holding handbook/, port, the build's log): the real handbook built strictly once per test run,
    for /handbook/ on that port. `dev.py test` builds it before pytest starts; a bare `pytest` builds it here."""
    from devtools.staticserve import free_port

    prebuilt = prebuilt_site()
    if prebuilt:
        folder, port = prebuilt
        log = folder / "build.log"
        return folder, port, log.read_text(encoding="utf-8") if log.is_file() else ""
    port = free_port()
    folder = tmp_path_factory.mktemp("served")
    result = build_site(folder / BASE_PATH.strip("/"), f"http://127.0.0.1:{port}{BASE_PATH}")
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return folder, port, result.stderr


@pytest.fixture(scope="session")
def served_site(site_build):
    """(base URL, site folder): the real handbook served under /handbook/ the way a static host serves it
    (gzip, cache headers, 404 page)."""
    from devtools.staticserve import serve

    folder, port, _log = site_build
    site = folder / BASE_PATH.strip("/")
    with serve(folder, port, not_found=site / "404.html"):
        yield f"http://127.0.0.1:{port}{BASE_PATH}", site


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
    tab.on("request", lambda req: tab.foreign.append(req.url)
           if not req.url.startswith((origin, "data:", "blob:")) else None)
    tab.base_url = base_url
    tab.start_material = lambda: start_material(tab)
    yield tab
    context.close()



def fill_form(root, inputs: dict) -> None:
    """Type or choose each value into the widget control of that name (browser tests of calculators)."""
    for name, value in inputs.items():
        control = root.locator(f'[name="{name}"]')
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(str(value))


def widget_results(root) -> dict:
    """Each result of a widget by name, as the raw number it carries in data-value."""
    return {el.get_attribute("data-result"): el.get_attribute("data-value")
            for el in root.locator("[data-result]").all()}
