"""TeX to MathML at build time (scripts/handbook/render/mathml.py): no script, no network."""
from __future__ import annotations

import re

import pytest
from handbook.render.mathml import MathError, render

MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def inline(tex: str) -> str:
    return f'<span class="arithmatex">\\({tex}\\)</span>'


def block(tex: str) -> str:
    return f'<div class="arithmatex">\\[{tex}\\]</div>'


def test_inline_tex_becomes_inline_mathml():
    html, has_math = render(f"<p>Area {inline('x^2')} here.</p>")
    assert has_math is True
    assert html == (f'<p>Area {MATH} display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
                    " here.</p>")


def test_display_tex_becomes_a_math_block():
    html, has_math = render(block(r"\frac{a}{b}"))
    assert has_math is True
    assert html.startswith(f'<div class="math-block">{MATH} display="block">')
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in html
    assert html.endswith("</math></div>")
    assert "arithmatex" not in html and "\\[" not in html


def test_every_formula_on_a_page_is_converted():
    page = f"<p>{inline('a')} and {inline('b')}</p>\n{block('c + d')}\n<p>{inline('e')}</p>"
    html, _ = render(page)
    assert html.count("<math ") == 4
    assert html.count('display="inline"') == 3 and html.count('display="block"') == 1
    assert re.findall(r"<mi>(\w)</mi>", html) == ["a", "b", "c", "d", "e"]


def test_html_entities_are_unescaped_before_conversion():
    # Markdown escapes '<' in the TeX; the converter must see the character, not '&lt;'.
    html, _ = render(inline("a &lt; b"))
    assert "<mi>a</mi><mo>&#x0003C;</mo><mi>b</mi>" in html
    assert "<mi>l</mi>" not in html          # not read as the letters l, t


def test_multiline_display_math():
    html, _ = render(block("a\n+ b"))
    assert "<mi>a</mi><mo>&#x0002B;</mo><mi>b</mi>" in html


@pytest.mark.parametrize("tex", [r"x^", r"\sqrt", r"\begin{matrix} a"])
def test_bad_tex_raises_math_error_naming_the_source(tex):
    with pytest.raises(MathError, match=re.escape(f"cannot render TeX {tex!r}")):
        render(f"<p>{inline(tex)}</p>")


def test_bad_display_tex_raises_too():
    with pytest.raises(MathError):
        render(block(r"\frac{a}{b} + x^"))


def test_math_error_is_a_value_error():
    assert issubclass(MathError, ValueError)


@pytest.mark.parametrize("page", [
    "<p>No formulas here, only $5 and a price.</p>",
    "<p>TeX delimiters \\(x\\) with no markup around them.</p>",
    "",
])
def test_pages_without_math_are_untouched(page):
    html, has_math = render(page)
    assert html is page            # the same string: nothing was rebuilt
    assert has_math is False


def test_tex_outside_arithmatex_markup_is_left_alone():
    page = f"<p>{inline('x')}</p><code>\\(y\\)</code>"
    html, _ = render(page)
    assert html.endswith("<code>\\(y\\)</code>")
    assert "<mi>y</mi>" not in html
