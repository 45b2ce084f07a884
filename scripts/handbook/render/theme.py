"""The theme adapter: the one place where the handbook changes how Material for MkDocs runs.

Everything else on the site is Material's own features and configuration. One patch is kept, because it was
measured to be worth it (Lighthouse mobile performance, median of three, 2026-12-07, 2-core machine): starting
Material's JavaScript on the reader's first interaction instead of during page load. Without it the KV cache
chapter scored 85 instead of 95-97 and the calculators page 90 instead of 97; other patches (our own colour toggle,
loading the search index on demand, moving the lightbox script, one-file bundling) bought nothing measurable and
were removed (CONTRIBUTING.md, "Page speed").

`defer_material` swaps Material's `<script src>` for an inline loader (material-on-demand.js, next to this file)
that fetches and starts the same bundle on the first touch, key, wheel, scroll or pointer movement. It relies on
three details of Material 9.x, each checked by tests/test_theme.py against the installed Material, so an upgrade
that changes one fails there with the reason:
  1. the rendered page loads the bundle with one `<script src=".../assets/javascripts/bundle.<hash>.min.js">`;
  2. the bundle starts its components from a DOMContentLoaded listener;
  3. the bundle publishes `document$` (which scripts subscribe to) and `component$` (last, once mounted).
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
                            "scripts/handbook/render/theme.py.")
    src = html_lib.escape(match.group("src"), quote=True)
    return f'{page_html[:match.start()]}<script data-material="{src}">{LOADER}</script>{page_html[match.end():]}'


def start_material(page, timeout_ms: int = 15000) -> None:
    """In a Playwright page: move the pointer, as a reader does, and wait until Material's bundle has started."""
    page.mouse.move(3, 3)
    page.mouse.move(6, 6)
    page.wait_for_function(MATERIAL_STARTED, timeout=timeout_ms)


TAB_LABELS = '<div class="tabbed-labels">'


def focusable_tab_labels(page_html: str) -> str:
    """Content tabs (the engine commands) whose labels overflow a phone's width scroll sideways; a scrolling region
    must be reachable from the keyboard, so the row of labels joins the tab order (axe: scrollable-region-focusable).
    pymdownx.tabbed writes the row; this adds the one attribute it lacks."""
    return page_html.replace(TAB_LABELS, '<div class="tabbed-labels" tabindex="0">')


PRODUCTION_BOX = '<div class="admonition production">'


def unsearched_production_box(page_html: str) -> str:
    """The In production box restates the page's numbers and flags in a few lines; indexed, it put "TTFT" and "p99"
    at the top of nearly every page and pushed the pages that explain them down the search results. Material's
    search skips a block marked data-search-exclude."""
    return page_html.replace(PRODUCTION_BOX, '<div class="admonition production" data-search-exclude>')
