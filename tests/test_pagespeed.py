"""scripts/handbook/render/pagespeed.py: Material's bundle starts on demand, the lightbox script leaves <head>."""
from __future__ import annotations

import pytest
from handbook.errors import HandbookError
from handbook.render import pagespeed

PAGE = ('<html><head><script src="../assets/javascripts/glightbox.min.js"></script></head><body><p>text</p>'
        '<script id="__config" type="application/json">{}</script>'
        '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
        '<script src="../javascripts/bundle.js"></script>'
        '<script id="init-glightbox">const lightbox = GLightbox({});</script></body></html>')


def test_material_bundle_becomes_the_on_demand_loader():
    out = pagespeed.defer_material(PAGE, "docs/x.md")
    assert 'src="../assets/javascripts/bundle.a5f9d56c.min.js"' not in out
    assert '<script data-material="../assets/javascripts/bundle.a5f9d56c.min.js">' in out
    assert pagespeed.LOADER in out
    # in the same place: after the config Material reads, before the scripts that subscribe to document$
    assert out.index('id="__config"') < out.index("data-material=") < out.index('src="../javascripts/bundle.js"')


def test_a_page_without_material_bundle_is_an_error_that_names_the_fix():
    with pytest.raises(HandbookError) as info:
        pagespeed.defer_material("<html><body></body></html>", "docs/x.md")
    assert str(info.value).startswith("docs/x.md: ") and "BUNDLE_RE" in str(info.value)


def test_loader_never_closes_its_own_script_element():
    assert "</script" not in pagespeed.LOADER.lower()
    assert "<script" not in pagespeed.LOADER.lower()


def test_lightbox_script_moves_from_head_to_just_before_its_start_up_call():
    out = pagespeed.late_lightbox(PAGE)
    head = out[:out.index("</head>")]
    assert "glightbox.min.js" not in head
    assert out.count("glightbox.min.js") == 1
    assert out.index("glightbox.min.js") < out.index('<script id="init-glightbox">')
    assert out.replace('<script src="../assets/javascripts/glightbox.min.js"></script>', "") == \
        PAGE.replace('<script src="../assets/javascripts/glightbox.min.js"></script>', "")


def test_pages_without_the_lightbox_pass_unchanged():
    page = "<html><head></head><body><p>no figures</p></body></html>"
    assert pagespeed.late_lightbox(page) == page
