"""scripts/handbook/render/theme.py, the one theme adapter: Material's bundle starts on the reader's first
interaction. Each assumption it makes about Material's internals has its own test against the installed Material,
so an upgrade that breaks one fails here, with what changed and where to look."""
from __future__ import annotations

from pathlib import Path

import pytest
from handbook.errors import HandbookError
from handbook.render import theme

PAGE = ('<html><head></head><body><p>text</p>'
        '<script id="__config" type="application/json">{}</script>'
        '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
        '<script src="../javascripts/handbook.js"></script></body></html>')


def material_bundle() -> str:
    import material

    bundles = sorted((Path(material.__file__).parent / "templates" / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert len(bundles) == 1, f"expected one Material bundle, found {bundles}: update theme.BUNDLE_RE"
    return bundles[0].read_text(encoding="utf-8")


def test_material_bundle_becomes_the_on_demand_loader():
    out = theme.defer_material(PAGE, "docs/x.md")
    assert 'src="../assets/javascripts/bundle.a5f9d56c.min.js"' not in out
    assert '<script data-material="../assets/javascripts/bundle.a5f9d56c.min.js">' in out
    assert theme.LOADER in out
    # in the same place: after the config Material reads, before the scripts that subscribe to document$
    assert out.index('id="__config"') < out.index("data-material=") < out.index('src="../javascripts/handbook.js"')


def test_a_page_without_material_bundle_is_an_error_that_names_the_fix():
    with pytest.raises(HandbookError) as info:
        theme.defer_material("<html><body></body></html>", "docs/x.md")
    assert str(info.value).startswith("docs/x.md: ") and "BUNDLE_RE" in str(info.value)


def test_loader_never_closes_its_own_script_element():
    assert "</script" not in theme.LOADER.lower()
    assert "<script" not in theme.LOADER.lower()


# --- the assumptions about Material's internals -----------------------------------------------------------------


def test_assumption_1_pages_load_material_with_one_script_element(served_site):
    """Material's base template loads its bundle with one <script src=...bundle.<hash>.min.js>."""
    _, site = served_site
    html = (site / "concepts" / "kv-cache" / "index.html").read_text(encoding="utf-8")
    assert "data-material=" in html and not theme.BUNDLE_RE.search(html), (
        "Material's bundle <script> no longer matches theme.BUNDLE_RE, so pages would load it at once: "
        "compare the template's script element with BUNDLE_RE")


def test_assumption_2_the_bundle_starts_on_domcontentloaded():
    """The loader replays DOMContentLoaded to the listeners the bundle registers while it evaluates."""
    assert "DOMContentLoaded" in material_bundle(), (
        "Material's bundle no longer starts from a DOMContentLoaded listener: material-on-demand.js replays that "
        "event, so check how the new bundle starts and adapt load() there")


@pytest.mark.parametrize("name", ["document$", "component$"])
def test_assumption_3_the_bundle_publishes_its_observables(name):
    """Scripts subscribe to document$ before the bundle runs (the loader's stand-in hands them over), and tests and
    the benchmark wait for component$ to know that Material has started."""
    assert name in material_bundle(), (
            f"Material's bundle no longer defines {name}: the loader's stand-in (material-on-demand.js) and "
            "theme.MATERIAL_STARTED rely on it")


def test_the_row_of_tab_labels_is_reachable_from_the_keyboard():
    from handbook.render import theme

    html = '<div class="tabbed-set"><input id="a"><div class="tabbed-labels"><label for="a">vLLM 0.34.0</label></div>'
    out = theme.focusable_tab_labels(html)
    assert '<div class="tabbed-labels" tabindex="0">' in out and out.count("tabindex") == 1


def test_the_production_box_stays_out_of_the_search_index():
    from handbook.render import theme

    out = theme.unsearched_production_box('<div class="admonition production"><p class="admonition-title">x</p>')
    assert out.startswith('<div class="admonition production" data-search-exclude>')
