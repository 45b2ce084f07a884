"""The single-page edition (print_page/): every chapter in reading order, every
anchor on it resolves (scripts/check_links.py covers it), and it prints to a
PDF whose pages hold the whole handbook with nothing cut off at the margins."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, page_url

SECTION_RE = re.compile(r'<section class="print-page" id="([^"]+)"')
A4_CONTENT_PX = 718   # 210 mm minus Chromium's default 10 mm margins, at 96 px per inch


def nav_pages() -> list[str]:
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))

    def walk(items):
        for item in items:
            if isinstance(item, dict):
                for value in item.values():
                    yield from walk(value) if isinstance(value, list) else [value]
            else:
                yield item
    return list(walk(config["nav"]))


def page_key(src: str) -> str:
    stem = src[:-3]
    if stem == "index":
        return "index"
    return stem[:-6].replace("/", "-") if stem.endswith("/index") else stem.replace("/", "-")


def test_every_chapter_in_reading_order(served_site):
    _, site = served_site
    html = (site / "print_page" / "index.html").read_text()
    assert SECTION_RE.findall(html) == [page_key(src) for src in nav_pages()]
    assert html.count("generate_toc();") == 1, "the print plugin's start-up script must run once"
    assert "<abbr" not in html and 'class="arithmatex"' not in html and "<math" in html
    assert "[About this source]" not in html, "reference lists must render as links"
    assert "css/print-site.css" in html
    for other in ("404.html", "concepts/kv-cache/index.html"):   # the plugin's assets stay on the print page
        assert "print-site" not in (site / other).read_text(), other


@pytest.mark.browser
def test_prints_to_a_clean_pdf(browser, served_site, tmp_path):
    from pypdf import PdfReader

    base_url, _ = served_site
    context = browser.new_context(viewport={"width": A4_CONTENT_PX, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "print_page/", wait_until="load", timeout=120_000)
    assert page.locator("#print-page-toc a").count() >= len(nav_pages())
    page.emulate_media(media="print")
    clipped = page.evaluate("""() => [...document.querySelectorAll(
          '.md-typeset__scrollwrap, .md-typeset__table, table, pre, .math-block, figure, img')]
        .filter(el => el.scrollWidth > el.clientWidth + 2)
        .map(el => `${el.tagName}.${el.className} in ${(el.closest('section.print-page') || {}).id}`)""")
    assert clipped == [], f"wider than an A4 page, would be cut off: {clipped[:10]}"
    pdf = tmp_path / "handbook.pdf"
    page.pdf(path=str(pdf), format="A4")
    context.close()
    assert errors == []
    reader = PdfReader(str(pdf))
    assert len(reader.pages) > 300
    first = reader.pages[0].extract_text()
    assert "LLM Inference Handbook" in first and "Single-page edition" in first
    toc = reader.pages[1].extract_text()
    assert "Table of Contents" in toc and "The KV cache" in toc
    last = reader.pages[-1].extract_text() + reader.pages[-2].extract_text()
    assert "References" in last or "Tensor parallel" in last


def test_finish_repairs_what_the_plugin_leaves():
    from handbook.render.printpage import finish

    raw = ('<head><script>x</script></head><section class="print-page" id="concepts-kv-cache" heading-number="2">'
           "<html><head>\n<script type=\"text/javascript\">\ndocument.addEventListener('DOMContentLoaded', "
           "function () {generate_toc();})\n</script>\n</head><body>"
           '<h1 id="the-kv-cache">The <abbr title="key-value">KV</abbr> cache'
           '<a class="headerlink" href="#concepts-kv-cache-the-kv-cache">¶</a></h1>'
           '<p><span class="arithmatex">\\(x^2\\)</span> <a href="#.">home</a> '
           '<a href="#reference-bibliography-k">k</a></p></body></html></section>'
           '<div class="bib-entry" id="k">K</div>')
    html = finish(raw)
    assert '<h1 id="concepts-kv-cache-the-kv-cache">The KV cache' in html
    assert "<html>" not in html and "generate_toc" not in html and "<abbr" not in html
    assert "<math" in html and 'href="#index"' in html
    assert '<div class="bib-entry" id="reference-bibliography-k">' in html


def test_every_page_links_to_the_previous_and_the_next(served_site):
    """Read start to finish on the site too: the footer of every page in the nav links both ways."""
    _, site = served_site
    pages = nav_pages()
    for index, src in enumerate(pages):
        html = (site / page_url(src) / "index.html").read_text()
        assert (index > 0) == ("md-footer__link--prev" in html), f"{src}: previous link"
        assert (index < len(pages) - 1) == ("md-footer__link--next" in html), f"{src}: next link"
