"""Front matter of a page (scripts/handbook/render/frontmatter.py): splitting it off and the rules it must meet."""
from __future__ import annotations

import datetime as dt

import pytest
from handbook.errors import HandbookError
from handbook.render.frontmatter import split, validate

DESCRIPTION = "Why the prompt is processed in one parallel pass and each output token in its own step."  # 87 chars


def page(*lines: str, body: str = "# Title\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


GOOD = ("title: Prefill and decode", f"description: {DESCRIPTION}", "last_reviewed: 2026-11-27")


def test_split_front_matter_from_the_body():
    front, body, first_line = split(page(*GOOD, body="# Title\n\nText.\n"))
    assert front == "".join(line + "\n" for line in GOOD)
    assert body == "# Title\n\nText.\n"
    assert first_line == 6          # lines 1 and 5 are the '---' markers, 2-4 the three keys


def test_split_without_front_matter():
    text = "# Title\n---\nnot front matter\n---\n"
    assert split(text) == ("", text, 1)


def test_split_empty_front_matter_and_trailing_spaces():
    assert split("---\n---\nbody") == ("", "body", 3)
    assert split("--- \ntitle: x\n---\t\nbody") == ("title: x\n", "body", 4)


def test_split_front_matter_at_end_of_file():
    assert split("---\ntitle: x\n---") == ("title: x\n", "", 3)


def test_split_needs_the_opening_marker_on_line_one():
    text = "\n---\ntitle: x\n---\nbody"
    assert split(text) == ("", text, 1)


def test_validate_returns_the_parsed_front_matter():
    meta = validate(page(*GOOD, "topics: [A04, M12]"), "docs/a.md")
    assert meta["title"] == "Prefill and decode"
    assert meta["last_reviewed"] == dt.date(2026, 11, 27)
    assert meta["topics"] == ["A04", "M12"]


def error(text: str) -> HandbookError:
    with pytest.raises(HandbookError) as caught:
        validate(text, "docs/a.md")
    return caught.value


def test_page_without_front_matter():
    exc = error("# Title\n\nText.\n")
    assert exc.where == "docs/a.md:1"
    assert "no front matter" in exc.problem


@pytest.mark.parametrize("missing", ["title", "description", "last_reviewed"])
def test_each_required_field(missing):
    lines = [line for line in GOOD if not line.startswith(missing + ":")]
    exc = error(page(*lines))
    assert exc.where == "docs/a.md:2"
    assert exc.problem == f"front matter lacks `{missing}`."


def test_empty_required_field_counts_as_missing():
    exc = error(page("title: ''", *GOOD[1:]))
    assert exc.problem == "front matter lacks `title`."


def test_empty_front_matter_is_not_a_mapping():
    exc = error("---\n---\n# Title\n")
    assert exc.where == "docs/a.md:2" and "not a mapping" in exc.problem


def test_unknown_key_is_named():
    exc = error(page(*GOOD, "tittle: x"))
    assert "['tittle']" in exc.problem and "typo" in exc.fix


@pytest.mark.parametrize("value", ["yesterday", "'2026-11-27'", "27.11.2026", "2026"])
def test_last_reviewed_must_be_a_date(value):
    exc = error(page(*GOOD[:2], f"last_reviewed: {value}"))
    assert "is not a date" in exc.problem and exc.fix == "write YYYY-MM-DD."


def test_impossible_date_is_refused():
    # YAML reads 2026-13-01 as a timestamp and fails on month 13; the error names the file.
    exc = error(page(*GOOD[:2], "last_reviewed: 2026-13-01"))
    assert exc.where == "docs/a.md"
    assert "month must be in 1..12" in exc.problem


@pytest.mark.parametrize("length, ok", [(39, False), (40, True), (200, True), (201, False)])
def test_description_length_bounds(length, ok):
    text = page(GOOD[0], "description: " + "x" * length, GOOD[2])
    if ok:
        assert len(validate(text, "docs/a.md")["description"]) == length
    else:
        assert error(text).problem == f"description is {length} characters."


@pytest.mark.parametrize("topic", ["a04", "A4", "A004", "N01", "04A"])
def test_bad_topic_ids(topic):
    exc = error(page(*GOOD, f"topics: [{topic}]"))
    assert f"topic '{topic}' is not an id like A04" in exc.problem


def test_good_topic_bounds_and_empty_topics():
    assert validate(page(*GOOD, "topics: [A00, M99]"), "docs/a.md")["topics"] == ["A00", "M99"]
    assert validate(page(*GOOD, "topics: []"), "docs/a.md")["topics"] == []


def test_yaml_errors_point_at_the_line_in_the_page():
    # Line 3 of the file is line 2 of the front matter: the '---' marker is added back.
    exc = error(page(GOOD[0], "description: a: b", GOOD[2]))
    assert exc.where == "docs/a.md:3"
    assert "YAML syntax error" in exc.problem


def test_duplicate_key_points_at_the_line_in_the_page():
    exc = error(page(*GOOD, "title: Again"))
    assert exc.where == "docs/a.md:5"
    assert exc.problem == "duplicate key 'title'."
