"""Repairs to the single-page edition written by mkdocs-print-site-plugin.

The plugin prefixes heading ids with the page's key ("concepts-kv-cache-…")
and rewrites links to match, but it misses a page's <h1> when the markup before
it has no whitespace, so the table of contents and the title's own permalink
point to an id that does not exist. This sets each such <h1> id to the target
of its own permalink; scripts/check_links.py checks every anchor of the print
page like any other page."""
from __future__ import annotations

import re

H1_RE = re.compile(r'<h1 id="([^"]+)"(.*?)</h1>', re.S)
PERMALINK_RE = re.compile(r'<a class="headerlink" href="#([^"]+)"')


def fix_titles(html: str) -> str:
    def repair(match: re.Match) -> str:
        link = PERMALINK_RE.search(match.group(2))
        if link and link.group(1) != match.group(1):
            return f'<h1 id="{link.group(1)}"{match.group(2)}</h1>'
        return match.group(0)

    return H1_RE.sub(repair, html)


ABBR_RE = re.compile(r'<abbr title="[^"]*">(.*?)</abbr>', re.S)
# Each page's content arrives wrapped in <html><head></head><body>…</body></html>; the plugin
# then injects its start-up script before every "</head>", so it ran once per chapter
# (117 copies of the table of contents). Keep the copy in the real <head>, drop the wrappers.
WRAPPER_START_RE = re.compile(
    r"<html><head>\s*<script type=\"text/javascript\">\s*"
    r"document\.addEventListener\('DOMContentLoaded'.*?</script>\s*</head><body>",
    re.S)
WRAPPER_END = "</body></html></section>"
# The plugin prefixes ids only on headings, <sup> and <li>; bibliography entries are <div>s,
# so links to them ("#reference-bibliography-<key>") need the same prefix on the entry.
BIB_ENTRY_RE = re.compile(r'<div class="bib-entry" id="(?!reference-bibliography-)')


def finish(html: str) -> str:
    """Everything the single-page edition needs after the plugin wrote it: title
    anchors, MathML (the plugin copies each page before the hook renders its math),
    and plain text for abbreviations (a tooltip per use would make the page slow to
    open and does nothing on paper; the glossary chapter defines every term)."""
    from handbook.render.mathml import render

    html = WRAPPER_START_RE.sub("", html).replace(WRAPPER_END, "</section>")
    html = fix_titles(html)
    html = BIB_ENTRY_RE.sub('<div class="bib-entry" id="reference-bibliography-', html)
    # Links to the home page and to the print page itself come out as "#." and "#print_page".
    html = html.replace('href="#."', 'href="#index"').replace('href="#print_page"', 'href="#print-page-toc"')
    html, _ = render(html)
    return ABBR_RE.sub(r"\1", html)


PRINT_ASSET_RE = re.compile(
    r'\s*(?:<link rel="stylesheet" href="[^"]*css/print-site[^"]*\.css">'
    r'|<script src="[^"]*js/print-site\.js"></script>)')


def strip_print_assets(html: str) -> str:
    """The plugin adds its CSS and script to every page; only the print page needs them
    (three requests per page otherwise; the page budget in tests/test_quality.py counts them)."""
    return PRINT_ASSET_RE.sub("", html)
