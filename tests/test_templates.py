"""Templates in overrides/ use only what both Jinja (MkDocs) and MiniJinja (the engine of Material's successor)
support, so the handbook's page furniture survives the move. Each template is rendered with MiniJinja against a
stub of Material's base.html that declares the blocks we fill."""
from __future__ import annotations

import os

import pytest
from conftest import ROOT

try:
    import minijinja
except ImportError:  # `python3 scripts/dev.py test` installs it from requirements-test.txt
    if os.environ.get("CI"):
        raise
    pytest.skip("minijinja not installed (pip install -r requirements-test.txt)", allow_module_level=True)

OVERRIDES = ROOT / "overrides"
BASE = "".join(f"{{% block {name} %}}{{% endblock %}}" for name in ("htmltitle", "extrahead", "header", "content"))
CONTEXT = {
    "config": {"site_name": "Handbook", "extra": {"repository": "https://example.org/r", "branch": "main"},
               "theme": {"palette": [{"media": "(prefers-color-scheme)", "toggle": {"name": "System", "icon": "x"}},
                                     {"media": "(prefers-color-scheme: light)", "scheme": "default",
                                      "toggle": {"name": "Light", "icon": "y"}}]}},
    "page": {"is_homepage": False, "title": "KV cache", "content": "<p>text</p>", "file": {"src_uri": "a.md"},
             "meta": {"last_reviewed": "2026-12-07", "reading_minutes": 3, "built": "2026-12-07",
                      "description": "A page."}},
}


def _load(name: str) -> str | None:
    if name == "base.html":
        return BASE
    if name.startswith(".icons/"):
        return "<svg></svg>"
    path = OVERRIDES / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


TEMPLATES = sorted(p.relative_to(OVERRIDES).as_posix() for p in OVERRIDES.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_with_minijinja(name):
    env = minijinja.Environment(loader=_load)
    out = env.render_template(name, **CONTEXT)
    assert out.strip() or name.endswith("javascripts/palette.html"), f"{name} rendered nothing"


def test_page_furniture_survives():
    out = minijinja.Environment(loader=_load).render_template("main.html", **CONTEXT)
    assert "3 min read" in out and "Last reviewed" in out and "Edit this page" in out


def test_home_page_title_is_the_site_name():
    context = {**CONTEXT, "page": {**CONTEXT["page"], "is_homepage": True}}
    out = minijinja.Environment(loader=_load).render_template("main.html", **context)
    assert "<title>Handbook</title>" in out
