"""The site in a real browser (headless Chromium): pages load cleanly, search,
tooltips, the colour toggle and instant navigation work, nothing is fetched
from another origin."""
from __future__ import annotations

import re

import pytest
from handbook.render.theme import MATERIAL_STARTED

pytestmark = pytest.mark.browser

PAGES = ["", "concepts/", "concepts/kv-cache/", "metrics/latency/", "reference/glossary/",
         "reference/bibliography/", "reference/calculators/", "lab/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors_or_foreign_requests(page, path):
    response = page.goto(page.base_url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    assert page.errors == []
    assert page.foreign == []
    assert page.locator("h1").first.is_visible()
    page.start_material()  # Material's bundle runs from the first interaction on: it must start cleanly too
    page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert page.foreign == []


def test_search_finds_a_term(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.keyboard.press("/")
    # "/" opens search before Material has started; the keystrokes that follow land in the box
    page.locator("input.md-search__input").press_sequentially("ttft", delay=40)  # keystrokes, as a reader types
    assert page.locator("input.md-search__input").input_value() == "ttft"
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=15000)
    titles = " ".join(page.locator(".md-search-result__item").all_inner_texts()).lower()
    assert "time to first token" in titles
    assert page.errors == []


def test_tooltip_shows_glossary_definition(page):
    page.goto(page.base_url + "concepts/prefill-and-decode/", wait_until="networkidle")
    abbr = page.locator("article abbr[title]").first
    title = abbr.get_attribute("title")
    assert title and ": " in title  # "time to first token: The time from ..."
    page.start_material()  # Material's tooltips arrive with its bundle, on the first interaction
    abbr.scroll_into_view_if_needed()
    abbr.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text().startswith(title[:30])


def test_colour_toggle_cycles_system_light_dark_and_persists(page):
    """Material's own toggle (mkdocs.yml theme.palette), shown once Material has started (the reader's first
    interaction); a stored choice applies before that, from Material's inline script."""
    page.goto(page.base_url, wait_until="networkidle")
    page.start_material()
    visible = "form[data-md-component=palette] label:not([hidden])"

    def toggle():
        page.wait_for_selector(visible, state="visible")   # Material swaps the label after each click
        return page.locator(visible)

    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    # Option i's label is the visible one while option i is active; it offers what option i's toggle names.
    offers = lambda: page.evaluate("""() => {
        const form = document.querySelector('form[data-md-component=palette]');
        const labels = Array.from(form.querySelectorAll('label')), inputs = form.querySelectorAll('input');
        return inputs[labels.findIndex(l => !l.hidden)].getAttribute('aria-label');
    }""")  # noqa: E731
    states = [(offers(), scheme())]
    for _ in range(3):
        toggle().click()
        states.append((offers(), scheme()))
    # the browser reports a light system setting: "follow the system" shows the light scheme
    assert states == [("Switch to light mode", "default"), ("Switch to dark mode", "default"),
                      ("Follow the system setting", "slate"), ("Switch to light mode", "default")]
    toggle().click()
    toggle().click()  # dark
    page.reload(wait_until="networkidle")
    assert scheme() == "slate"                       # before Material starts
    page.start_material()
    assert offers() == "Follow the system setting"
    assert page.errors == []


def test_material_starts_on_the_first_interaction_not_on_load(page):
    bundles = []
    bundle = re.compile(r"/assets/javascripts/bundle\.\w+\.min\.js$")
    page.on("request", lambda req: bundles.append(req.url) if bundle.search(req.url) else None)
    page.goto(page.base_url + "concepts/kv-cache/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert bundles == [], "Material's bundle loaded before the reader did anything"
    assert page.evaluate(MATERIAL_STARTED) is False
    assert page.locator("input.md-search__input").is_visible(), "the search box must show before Material starts"
    assert page.locator("a.md-footer__link--next").is_visible()
    page.start_material()
    assert len(bundles) == 1
    assert page.locator(".md-typeset__scrollwrap").count() > 0  # Material's table wrappers: its components mounted
    assert page.locator(".md-search__form").get_attribute("aria-label") == "Search the handbook"  # handbook.js ran
    assert page.errors == []


def test_instant_navigation_keeps_scripts_working(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.start_material()  # instant navigation is Material's: from the first interaction on
    page.evaluate("window.__sameDocument = true")
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url(re.compile(r"/concepts/(#[\w-]*)?$"))  # navigation.tracking may keep a section hash
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__sameDocument === true"), "navigation reloaded the page: instant navigation is off"
    # handbook.js ran again on the new page
    assert page.locator(".md-search__form").get_attribute("aria-label") == "Search the handbook"
    assert page.errors == []


def test_search_index_loads_only_after_the_first_interaction(page):
    index = []
    page.on("request", lambda req: index.append(req.url) if req.url.endswith("search/search_index.json") else None)
    page.goto(page.base_url + "concepts/kv-cache/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert index == [], "the search index was fetched before anyone searched"
    page.locator("input.md-search__input").click()   # the reader clicks into the search box
    page.locator("input.md-search__input").press_sequentially("paged", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    assert len(index) == 1
    assert page.errors == []


def test_search_link_with_query_loads_the_index_at_once(page):
    page.goto(page.base_url + "?q=goodput", wait_until="networkidle")
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    assert "goodput" in page.locator(".md-search-result").inner_text().lower()


def test_keyboard_alone_reaches_content_and_the_next_page(page):
    page.goto(page.base_url, wait_until="networkidle")
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert "md-skip" in skip[0], f"the first Tab stop should be the skip link, got {skip}"
    # That key started Material (it starts on the first key, touch or pointer move) and with it the colour toggle,
    # whose labels stay hidden until then; a reader's next key comes after the ~0.2 s that takes.
    page.wait_for_function(MATERIAL_STARTED)
    invisible, reached = [], False
    for _ in range(400):
        page.keyboard.press("Tab")
        # Material's palette radios are visually hidden; their focus ring shows on the label next to them.
        state = page.evaluate("""() => { const el = document.activeElement;
            const shown = el.matches('input.md-option') ? el.nextElementSibling : el;
            const box = shown.getBoundingClientRect();
            return [el.tagName + '.' + el.className, box.width > 0 && box.height > 0,
                    el.classList.contains('md-footer__link--next')]; }""")
        if not state[1]:
            invisible.append(state[0])
        if state[2]:
            reached = True
            break
    assert reached, "Tab never reached the footer's Next link"
    assert invisible == [], f"focus landed on elements the reader cannot see: {invisible[:5]}"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/concepts/(#[\w-]*)?$"))
    assert page.errors == []


# --- phone width (375 px): boxes that scroll sideways show it ----------------------------------------

PHONE = {"width": 375, "height": 800}


def _png_rows(png: bytes) -> tuple[int, list[bytes]]:
    """(channels, rows of pixels) of a PNG as Chromium writes it (8-bit RGB or RGBA, not interlaced): enough to
    compare a few pixels without an image library."""
    import struct
    import zlib

    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6) and body[12] == 0, "unexpected PNG format"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], (prev[i - channels] if i >= channels else 0)
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return channels, rows


def _band(png: bytes, side: str, width: int = 5) -> float:
    """Mean brightness (0-255) of the `width` px band at the left or right edge of a screenshot."""
    channels, rows = _png_rows(png)
    total = count = 0
    for row in rows:
        pixels = len(row) // channels
        for x in (range(width) if side == "left" else range(pixels - width, pixels)):
            total += sum(row[x * channels:x * channels + 3]) / 3
            count += 1
    return total / count


def _edge_shadows(page, box) -> dict[str, float]:
    """How much each edge of `box` differs from the same box drawn without its edge shadows (brightness, 0-255)."""
    shot = box.screenshot()
    plain = page.add_style_tag(content=".md-typeset .math-block, .md-typeset table:not([class]), "
                                        ".md-typeset .expl-scroll { background: none !important; }")
    bare = box.screenshot()
    plain.evaluate("el => el.remove()")
    return {side: abs(_band(shot, side) - _band(bare, side)) for side in ("left", "right")}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_display_formulas_show_that_they_scroll_on_a_phone(page, scheme):
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    page.goto(page.base_url + "reference/calculators/", wait_until="networkidle")  # the math font widens formulas
    overflow = page.evaluate("[...document.querySelectorAll('.math-block')].map(b => b.scrollWidth - b.clientWidth)")
    index = max(range(len(overflow)), key=overflow.__getitem__)
    assert overflow[index] > 40, "no display formula overflows at 375 px: pick a page that has one"
    block = page.locator(".math-block").nth(index)
    block.scroll_into_view_if_needed()
    page.wait_for_function("i => document.querySelectorAll('.math-block')[i].getAttribute('tabindex') === '0'",
                           arg=index)  # handbook.js makes it keyboard-scrollable
    assert block.get_attribute("role") == "group" and "scrolls sideways" in block.get_attribute("aria-label")
    start = _edge_shadows(page, block)
    assert start["right"] > 3 and start["left"] < 1, start  # more to the right, nothing to the left
    block.focus()
    page.keyboard.press("End")
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert block.evaluate("b => b.scrollLeft") > 0, "the formula does not scroll from the keyboard"
    block.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    end = _edge_shadows(page, block)
    assert end["left"] > 3 and end["right"] < 1, end
    assert page.errors == []


def test_wide_tables_scroll_with_readable_columns_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "reference/accelerators/", wait_until="networkidle")
    table = page.locator("article table:not([class])").first
    shape = table.evaluate("""t => { const cell = t.rows[1].cells[0], style = getComputedStyle(cell);
        const lines = [...t.rows].slice(1).map(r => Math.max(...[...r.cells].map(c => {
            const range = document.createRange(); range.selectNodeContents(c);
            return Math.round(range.getBoundingClientRect().height / parseFloat(style.lineHeight)); })));
        lines.sort((a, b) => a - b);
        return {columns: t.rows[0].cells.length, scrolls: t.scrollWidth > t.clientWidth + 100,
                narrowest: Math.min(...[...t.rows[1].cells].map(c => c.getBoundingClientRect().width)),
                em: parseFloat(style.fontSize), medianLines: lines[lines.length >> 1]}; }""")
    assert shape["columns"] >= 8 and shape["scrolls"], shape
    assert shape["narrowest"] >= 10 * shape["em"], f"columns squeezed to {shape['narrowest']:.0f} px: {shape}"
    assert shape["medianLines"] <= 3, f"rows wrap to {shape['medianLines']} lines: {shape}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table.scroll_into_view_if_needed()
    edges = _edge_shadows(page, table)
    assert edges["right"] > 3 and edges["left"] < 1, edges
    assert page.errors == []
