"""Citations as a unit: reference text, parsing per paragraph, numbering."""
from __future__ import annotations

import pytest
from handbook.data import bibliography
from handbook.data.bibliography import Source
from handbook.errors import HandbookError
from handbook.render import citations


def source(**kw) -> Source:
    base = dict(id="kwon2023-pagedattention", title="PagedAttention", kind="paper", note="n", arxiv="2309.06180")
    return Source(**{**base, **kw})


@pytest.mark.parametrize("fields, text", [
    (dict(authors="Kwon, Li, et al.", venue="SOSP", year=2023), "Kwon, Li, et al. [*PagedAttention*]"),
    (dict(authors="Kwon, Li", venue="SOSP", year=2023), "Kwon, Li. [*PagedAttention*]"),
    (dict(venue="SOSP", year=2023), "SOSP, 2023."),
    (dict(venue="ICLR 2024", year=2023), "ICLR 2024. arXiv"),        # the venue's year only, never two
])
def test_reference_text(fields, text):
    rendered = source(**fields).markdown()
    assert text in rendered and "et al.." not in rendered


def test_citation_across_a_line_break_is_one_citation():
    markdown = "Text [@a;\n@b, §2] and more.\n\nNext paragraph [@a]."
    assert citations.scan(markdown) == [(0, "a"), (0, "b"), (3, "a")]
    out = citations.render(markdown, "x.md", {"a": source(id="a"), "b": source(id="b")})
    body = out.split("\n## References")[0].rstrip("\n")
    assert "[@" not in body
    assert body.count("\n") == markdown.count("\n")   # the line count is kept, so later errors point at the right line
    assert ">2, §2</a>" in body


def test_a_blank_line_ends_a_citation():
    assert citations.scan("Text [@a;\n\n@b].") == []


def test_citations_in_code_are_left_alone():
    markdown = "Cite with `[@key]`.\n\n```\n[@key]\n```\n"
    assert citations.scan(markdown) == []
    assert citations.render(markdown, "x.md", {}) == markdown


def test_unknown_key_names_the_line():
    with pytest.raises(HandbookError) as caught:
        citations.render("one\n\ntwo [@a;\n@nope]", "p.md", {"a": source(id="a")}, first_line=10)
    assert caught.value.where == "docs/p.md:12"   # where the citation starts


def test_venue_repeating_the_year_is_refused(tmp_path):
    (tmp_path / "core.yml").write_text("- id: a\n  title: T\n  kind: paper\n  note: n\n  arxiv: '1'\n"
                                       "  year: 2023\n  venue: SOSP 2023\n")
    with pytest.raises(HandbookError, match="repeats the year 2023"):
        bibliography.load(tmp_path)
