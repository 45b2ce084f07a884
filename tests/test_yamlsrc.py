"""YAML loading that keeps line numbers and refuses duplicate keys (scripts/handbook/data/yamlsrc.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from handbook import ROOT
from handbook.data.yamlsrc import Located, load_yaml, relpath
from handbook.errors import HandbookError

GPUS = """\
# a comment on line 1
- id: card-a
  name: Card A
  memory:
    label: "80GB"

    capacity: 80 GiB
- id: card-b
  name: Card B
"""


def load(text: str):
    return load_yaml(Path("unused.yml"), text, name="data/x.yml")


def test_mappings_know_their_line():
    doc = load(GPUS)
    assert doc == [{"id": "card-a", "name": "Card A", "memory": {"label": "80GB", "capacity": "80 GiB"}},
                   {"id": "card-b", "name": "Card B"}]
    assert all(isinstance(entry, Located) for entry in doc)
    assert [entry.line for entry in doc] == [2, 8]
    assert doc[0]["memory"].line == 5                 # a nested mapping starts at its first key


def test_keys_know_their_line():
    doc = load(GPUS)
    assert doc[0].key_lines == {"id": 2, "name": 3, "memory": 4}
    assert doc[0]["memory"].key_lines == {"label": 5, "capacity": 7}   # the blank line 6 counts
    assert doc[1].key_lines == {"id": 8, "name": 9}


def test_flow_mappings_and_integer_keys_have_lines():
    doc = load("a: 1\nb: {c: 2, d: 3}\n7: seven\n")
    assert doc.key_lines == {"a": 1, "b": 2, 7: 3}
    assert doc["b"].line == 2 and doc["b"].key_lines == {"c": 2, "d": 2}


def test_values_keep_their_yaml_types():
    doc = load("when: 2026-11-27\ncount: 8\nshare: 0.9\nflag: true\nlabel: '80GB'\n")
    assert doc == {"when": dt.date(2026, 11, 27), "count": 8, "share": 0.9, "flag": True, "label": "80GB"}


def test_merge_keys_are_followed():
    doc = load("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n")
    assert doc["derived"] == {"x": 1, "y": 2}


def error(text: str) -> HandbookError:
    with pytest.raises(HandbookError) as caught:
        load(text)
    return caught.value


def test_duplicate_key_is_refused_at_its_second_line():
    exc = error("a: 1\nb: 2\na: 3\n")
    assert exc.where == "data/x.yml:3"
    assert exc.problem == "duplicate key 'a'."


def test_duplicate_key_in_a_nested_mapping():
    exc = error(GPUS + "  name: Card B again\n")
    assert exc.where == "data/x.yml:10"
    assert exc.problem == "duplicate key 'name'."


def test_duplicate_integer_key():
    exc = error("1: a\n1: b\n")
    assert exc.where == "data/x.yml:2" and exc.problem == "duplicate key 1."


def test_same_key_in_different_mappings_is_fine():
    assert load("- {id: a}\n- {id: b}\n") == [{"id": "a"}, {"id": "b"}]


@pytest.mark.parametrize("text, line", [
    ("a:\n  - x\n  b: 1\n", 3),                  # a key where a list item belongs
    ("a: [1, 2\nb: 3\n", 2),                     # an unclosed flow list
    ("ok: 1\nbad:\n\tb: 1\n", 3),                 # a tab in the indentation
    ("title: a\ndescription: a: b\n", 2),        # ': ' inside an unquoted value
])
def test_syntax_errors_name_file_and_line(text, line):
    exc = error(text)
    assert exc.where == f"data/x.yml:{line}"
    assert exc.problem.startswith("YAML syntax error: ") and exc.problem.endswith(".")
    assert "indentation" in exc.fix


def test_invalid_date_names_the_file():
    exc = error("retrieved: 2026-02-30\n")
    assert exc.where == "data/x.yml"
    assert exc.problem == "invalid value: day is out of range for month."


def test_reads_the_file_and_names_it_relative_to_the_repository(tmp_path):
    path = tmp_path / "gpus.yml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(HandbookError) as caught:
        load_yaml(path)
    assert caught.value.where == f"{path}:2"         # outside the repository: the path as given
    inside = ROOT / "data" / "gpus.yml"
    assert relpath(inside) == "data/gpus.yml"


def test_missing_file(tmp_path):
    with pytest.raises(HandbookError) as caught:
        load_yaml(tmp_path / "nope.yml", name="data/nope.yml")
    assert caught.value.where == "data/nope.yml" and caught.value.problem == "file not found."


def test_empty_document_is_none():
    assert load("") is None
    assert load("# only a comment\n") is None
