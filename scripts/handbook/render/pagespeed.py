"""Keep scripts out of the way of the first paint and of the reader's first input.

`defer_material`: start Material's JavaScript on the reader's first interaction instead of during page load.

Material's bundle mounts every component in one long task as the page loads: on a long chapter that is about
175 ms of main-thread time on the 2-core test machine and 700 ms under Lighthouse's phone CPU, which alone held
Lighthouse performance to 60-75 (measured 2026-11-27; the numbers are in CONTRIBUTING.md, "Page speed").
`defer_material` swaps Material's `<script src>` for an inline loader (material-on-demand.js, next to this file)
that fetches and starts the same bundle on the first touch, key, wheel, scroll or pointer movement.

`late_lightbox`: mkdocs-glightbox puts its script in <head>, where it holds back the first paint until it has
downloaded; it is only needed by the start-up call at the end of <body>, so it moves to just before that call.
"""
from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from handbook.errors import HandbookError

# In a browser: true once Material's bundle has started (it publishes component$ last).
MATERIAL_STARTED = "typeof window.component$ !== 'undefined'"
BUNDLE_RE = re.compile(r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')
LOADER = (Path(__file__).with_name("material-on-demand.js")).read_text(encoding="utf-8")


def defer_material(page_html: str, where: str) -> str:
    """Replace Material's bundle <script> in one rendered page with the on-demand loader."""
    match = BUNDLE_RE.search(page_html)
    if match is None:
        raise HandbookError(where, "Material's bundle <script src=\"…/assets/javascripts/bundle.<hash>.min.js\"> "
                            "was not found in the rendered page.",
                            "if a Material upgrade renamed it, update BUNDLE_RE in "
                            "scripts/handbook/render/pagespeed.py.")
    src = html_lib.escape(match.group("src"), quote=True)
    return f'{page_html[:match.start()]}<script data-material="{src}">{LOADER}</script>{page_html[match.end():]}'


LIGHTBOX_RE = re.compile(r'<script src="[^"]*assets/javascripts/glightbox\.min\.js"></script>')
LIGHTBOX_INIT = '<script id="init-glightbox">'


def late_lightbox(page_html: str) -> str:
    """Move mkdocs-glightbox's <script src> from <head> to just before its start-up script (pages without it pass)."""
    match = LIGHTBOX_RE.search(page_html)
    if match is None or LIGHTBOX_INIT not in page_html[match.end():]:
        return page_html
    rest = page_html[:match.start()] + page_html[match.end():]
    return rest.replace(LIGHTBOX_INIT, match.group(0) + LIGHTBOX_INIT, 1)


def start_material(page, timeout_ms: int = 15000) -> None:
    """In a Playwright page: move the pointer, as a reader does, and wait until Material's bundle has started."""
    page.mouse.move(3, 3)
    page.mouse.move(6, 6)
    page.wait_for_function(MATERIAL_STARTED, timeout=timeout_ms)
