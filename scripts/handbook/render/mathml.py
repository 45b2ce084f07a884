"""Math at build time: TeX from pymdownx.arithmatex becomes MathML, so pages
need no script and no network to show formulas."""
from __future__ import annotations

import functools
import html
import re

from latex2mathml.converter import convert

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.S)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.S)


class MathError(ValueError):
    pass


@functools.cache  # the single-page edition converts every formula a second time
def _convert(tex: str, display: str) -> str:
    source = html.unescape(tex).strip()
    try:
        return convert(source, display=display)
    except Exception as exc:  # latex2mathml raises many exception types
        raise MathError(f"cannot render TeX {source!r}: {exc}") from None


def render(page_html: str) -> tuple[str, bool]:
    """Replace arithmatex output with MathML; returns (html, page_has_math)."""
    if "arithmatex" not in page_html:
        return page_html, False
    out = BLOCK.sub(lambda m: f'<div class="math-block">{_convert(m.group(1), "block")}</div>', page_html)
    out = INLINE.sub(lambda m: _convert(m.group(1), "inline"), out)
    return out, True
