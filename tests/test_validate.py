"""The checks the data loaders share (scripts/handbook/data/validate.py): each one passes a good value and refuses
a bad one at the exact `file:line`, with its problem and fix."""
from __future__ import annotations

import datetime as dt

import pytest
from handbook.data.validate import Record, line_of, read_records
from handbook.errors import HandbookError

DOC = """\
- id: a
  name: A
  when: 2026-11-27
  url: https://example.org/a
  tags: [x, y]
  memory:
    label: 80GB
    reported:
      - {tool: smi, value: 1}
      - tool: torch
        value: 2
- id: b
  name: "  "
  when: 27.11.2026
  url: the model card
  tags: x
  colour: red
  kind: paper
  stamp: 2026-11-27 10:00:00
  compact: "20261127"
  quoted: "2026-11-28"
  count: 3
"""


@pytest.fixture
def records(tmp_path) -> list[Record]:
    path = tmp_path / "f.yml"
    path.write_text(DOC)
    return list(read_records(path, "f.yml"))


def refused(call, *args, **kwargs) -> HandbookError:
    with pytest.raises(HandbookError) as caught:
        call(*args, **kwargs)
    return caught.value


# read_records


def test_read_records_gives_one_record_per_mapping(records):
    assert [r["id"] for r in records] == ["a", "b"]
    assert [r.line() for r in records] == [1, 12] and records[0].file == "f.yml"


@pytest.mark.parametrize("text, options, where, problem", [
    ("a: 1\n", {}, "f.yml", "expected a YAML list of entries."),
    ("", {}, "f.yml", "expected a YAML list of entries."),
    ("[]\n", {"non_empty": True, "what": "changes"}, "f.yml", "expected a non-empty YAML list of changes."),
    ("- id: a\n- just text\n", {}, "f.yml:2", "each entry must be a mapping."),
    ("- id: a\n  x: 1\n\n- [1, 2]\n", {"item_problem": lambda item: f"got {type(item).__name__}."}, "f.yml:4",
     "got list."),
])
def test_read_records_refuses_what_is_not_a_list_of_mappings(tmp_path, text, options, where, problem):
    path = tmp_path / "f.yml"
    path.write_text(text)
    error = refused(list, read_records(path, "f.yml", fix="start with '- id:'.", item_fix="write a mapping.",
                                       **options))
    assert (error.where, error.problem) == (where, problem)
    assert error.fix == ("start with '- id:'." if "list of" in problem else "write a mapping.")


def test_read_records_reads_an_empty_file_as_no_entries_when_allowed(tmp_path):
    path = tmp_path / "f.yml"
    path.write_text("# nothing yet\n")
    assert list(read_records(path, "f.yml", allow_null=True)) == []


def test_read_records_names_the_file_from_the_repository_root_by_default(tmp_path):
    path = tmp_path / "f.yml"
    path.write_text("{}")
    assert refused(list, read_records(path)).where == str(path)   # outside the repository: the path as given


# line_of, where, child


@pytest.mark.parametrize("path, line", [
    ("", 1), ("name", 2), ("memory", 6), ("memory.label", 7), ("memory.reported", 8),
    ("memory.reported[0]", 9), ("memory.reported[1].value", 11),
    ("memory.missing", 6), ("memory.reported[5]", 8), ("memory.reported[x]", 8), ("name.deeper", 2),
])
def test_line_of_follows_keys_and_list_items_as_far_as_they_exist(records, path, line):
    assert line_of(records[0].data, path) == line


def test_line_of_a_plain_mapping_is_zero():
    assert line_of({"a": 1}, "a") == 0


def test_where_is_file_and_line_with_the_label_when_there_is_one(records):
    first = records[0]
    assert first.where() == "f.yml:1" and first.where("url") == "f.yml:4"
    assert first.where("nothing") == "f.yml:1"                  # a key that is not written: the entry's line
    first.label = "a"
    assert first.where() == "f.yml:1 (a)" and first.where("memory.label") == "f.yml:7 (a.memory.label)"
    assert Record("f.yml", {"a": 1}).where("a") == "f.yml"    # nothing knows the line


def test_fail_raises_at_the_key(records):
    error = refused(records[1].fail, "kind", "a problem.", "a fix.")
    assert (error.where, error.problem, error.fix) == ("f.yml:18", "a problem.", "a fix.")


def test_child_locates_inside_the_entry(records):
    records[0].label = "a"
    memory = records[0].child("memory")
    assert memory["label"] == "80GB" and memory.where("label") == "f.yml:7 (a.memory.label)"
    assert memory.where("basis") == "f.yml:6 (a.memory.basis)"  # missing: the line of `memory:`
    report = memory.child("reported[1]")
    assert report["tool"] == "torch" and report.where("value") == "f.yml:11 (a.memory.reported[1].value)"
    assert memory.child("reported[0]").where() == "f.yml:9 (a.memory.reported[0])"


@pytest.mark.parametrize("key, where, problem", [
    ("name", "f.yml:2 (a.name)", "expected a mapping, got 'A'."),
    ("absent", "f.yml:1 (a.absent)", "expected a mapping, got None."),
    ("tags[0]", "f.yml:5 (a.tags[0])", "expected a mapping, got 'x'."),            # a list of words
    ("memory[0]", "f.yml:6 (a.memory[0])", "expected a mapping, got None."),       # not a list at all
])
def test_child_refuses_what_is_not_a_mapping(records, key, where, problem):
    records[0].label = "a"
    error = refused(records[0].child, key, fix="write a mapping.")
    assert (error.where, error.problem, error.fix) == (where, problem, "write a mapping.")
    assert refused(records[0].child, key, "custom.").problem == "custom."


# require


def test_require_gives_the_value(records):
    assert records[0].require("name") == "A" and records[1].require("count", int) == 3


@pytest.mark.parametrize("key, kind, where, problem, fix", [
    ("absent", None, "f.yml:12", "missing required field 'absent'.", "add `absent:` to this entry."),
    ("name", None, "f.yml:13", "missing required field 'name'.", "add `name:` to this entry."),   # blank text
    ("count", str, "f.yml:22", "`count` must be str, got 3.", "write `count:` as str."),
    ("name", (int, float), "f.yml:13", "missing required field 'name'.", "add `name:` to this entry."),
    ("tags", (list, dict), "f.yml:16", "`tags` must be list or dict, got 'x'.", "write `tags:` as list or dict."),
])
def test_require_refuses_missing_empty_and_mistyped(records, key, kind, where, problem, fix):
    error = refused(records[1].require, key, kind)
    assert (error.where, error.problem, error.fix) == (where, problem, fix)


def test_require_takes_the_loaders_words_and_points_to_the_guide(records):
    error = refused(records[1].require, "count", str, problem="no text.", fix="write text.")
    assert (error.where, error.problem, error.fix) == ("f.yml:22", "no text.", "write text.")
    guided = Record("f.yml", records[1].data, guide="CONTRIBUTING.md, 'Data'")
    assert refused(guided.require, "absent").fix == "add `absent:` to this entry (see CONTRIBUTING.md, 'Data')."


@pytest.mark.parametrize("value", [None, "", "   ", [], {}])
def test_require_counts_blank_values_as_missing(value):
    assert refused(Record("f.yml", {"k": value}).require, "k").problem == "missing required field 'k'."


@pytest.mark.parametrize("value", [0, False, "0"])
def test_require_keeps_zero_and_false(value):
    assert Record("f.yml", {"k": value}).require("k") == value


# choice


def test_choice_gives_a_known_value_or_the_default(records):
    assert records[1].choice("kind", {"paper", "docs"}) == "paper"
    assert records[1].choice("status", {"shipping", "announced"}, default="shipping") == "shipping"


@pytest.mark.parametrize("key, kwargs, where, problem", [
    ("name", {}, "f.yml:13", "missing required field 'name'."),
    ("url", {}, "f.yml:15", "unknown url 'the model card'."),
    ("tags", {}, "f.yml:16", "unknown tags 'x'."),
    ("absent", {"default": None}, "f.yml:12", "unknown absent None."),
    ("url", {"problem": "unknown kind of link."}, "f.yml:15", "unknown kind of link."),
])
def test_choice_refuses_an_unknown_value(records, key, kwargs, where, problem):
    error = refused(records[1].choice, key, ("docs", "paper"), **kwargs)
    assert (error.where, error.problem) == (where, problem)
    if "missing" not in problem:
        assert error.fix == "use one of ['docs', 'paper']."


def test_choice_refuses_a_list_where_a_word_belongs(records):
    error = refused(records[0].choice, "memory", {"a"})
    assert error.where == "f.yml:6" and error.problem.startswith("unknown memory {")


# date


def test_date_reads_yaml_dates_and_quoted_text(records):
    assert records[0].date("when") == dt.date(2026, 11, 27)
    assert records[1].date("quoted") == dt.date(2026, 11, 28)


@pytest.mark.parametrize("key, where, shown", [
    ("when", "f.yml:14", "'27.11.2026'"),
    ("stamp", "f.yml:19", "datetime.datetime(2026, 11, 27, 10, 0)"),   # a time of day is not a date
    ("compact", "f.yml:20", "'20261127'"),                             # fromisoformat would take it
    ("count", "f.yml:22", "3"),
])
def test_date_refuses_anything_but_yyyy_mm_dd(records, key, where, shown):
    error = refused(records[1].date, key)
    assert (error.where, error.problem, error.fix) == (where, f"{key} {shown} is not YYYY-MM-DD.",
                                                       "write e.g. 2026-11-27.")


def test_date_refuses_an_impossible_day():
    error = refused(Record("f.yml", {"when": "2026-02-30"}).date, "when", problem="bad day.", fix="fix it.")
    assert (error.problem, error.fix) == ("bad day.", "fix it.")
    assert refused(Record("f.yml", {}).date, "when").problem == "missing required field 'when'."


# url


def test_url_gives_the_address(records):
    assert records[0].url("url") == "https://example.org/a"
    assert Record("f.yml", {"u": "http://example.org"}).url("u") == "http://example.org"


def test_url_refuses_text_that_is_not_an_address(records):
    error = refused(records[1].url, "url")
    assert (error.where, error.problem) == ("f.yml:15", "url 'the model card' is not a URL.")
    error = refused(records[1].url, "url", fix="give the datasheet's address.")
    assert error.fix == "give the datasheet's address."
    assert refused(records[1].url, "absent").problem == "missing required field 'absent'."


# strings


def test_strings_gives_the_list_or_nothing(records):
    assert records[0].strings("tags") == ["x", "y"] and records[0].strings("absent") == []


@pytest.mark.parametrize("data, key, problem", [
    ({"tags": "x"}, "tags", "`tags` must be a list of strings."),
    ({"tags": ["x", 1]}, "tags", "`tags` must be a list of strings."),
    ({"tags": None}, "tags", "`tags` must be a list of strings."),   # written but empty is not absent
])
def test_strings_refuses_anything_else(data, key, problem):
    error = refused(Record("f.yml", data).strings, key)
    assert (error.problem, error.fix) == (problem, "write `tags: [a, b]`.")


def test_strings_names_the_line_and_takes_the_loaders_words(records):
    error = refused(records[1].strings, "tags", problem="`tags` must be paths.", fix="write `tags: [a.md]`.")
    assert (error.where, error.problem, error.fix) == ("f.yml:16", "`tags` must be paths.", "write `tags: [a.md]`.")


# fields


def test_fields_accepts_known_keys(records):
    records[0].fields({"id", "name", "when", "url", "tags", "memory"}, required=("id", "name"))


def test_fields_refuses_unknown_keys_at_the_first_one(records):
    allowed = {"id", "name", "when", "url", "tags", "kind", "count"}
    error = refused(records[1].fields, allowed)
    assert error.where == "f.yml:17"
    assert error.problem == "unknown field(s) ['colour', 'compact', 'quoted', 'stamp']."
    assert error.fix == f"use only {sorted(allowed)}."


def test_fields_refuses_a_required_key_that_is_not_written(records):
    error = refused(records[0].fields, {"id", "name", "when", "url", "tags", "memory"}, ("id", "title"))
    assert (error.where, error.problem, error.fix) == ("f.yml:1", "missing required field 'title'.",
                                                       "add `title:` to this entry.")
    error = refused(records[0].fields, {"id"}, problem="needs id only.", fix="see the header.")
    assert (error.where, error.problem, error.fix) == ("f.yml:2", "needs id only.", "see the header.")


# unique


def test_unique_records_where_each_value_was_first_written(records):
    seen: dict = {}
    for record in records:
        record.unique("id", seen)
    assert seen == {"a": ("f.yml", 1), "b": ("f.yml", 12)}


def test_unique_refuses_a_second_one_naming_the_first_line(records):
    seen = {"b": ("f.yml", 3)}
    error = refused(records[1].unique, "id", seen, fix="rename one.")
    assert (error.where, error.problem, error.fix) == ("f.yml:12", "duplicate id 'b' (first at line 3).",
                                                       "rename one.")


def test_unique_across_files_names_the_file(records):
    error = refused(records[1].unique, "id", {"b": ("other.yml", 7)})
    assert error.problem == "duplicate id 'b' (first at other.yml:7)."
    error = refused(records[1].unique, "id", {"b": ("other.yml", 7)}, problem=lambda first: f"also at {first}.")
    assert error.problem == "also at other.yml:7."


def test_unique_compares_the_value_given(records):
    seen: dict = {}
    records[0].unique("name", seen, "a", what="term")
    error = refused(Record("g.yml", {"name": "A"}).unique, "name", seen, "a", what="term")
    assert (error.where, error.problem) == ("g.yml", "duplicate term 'A' (first at f.yml:2).")
