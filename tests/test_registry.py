"""The one list of placeholder names (scripts/handbook/render/registry.py) against its callers and its documentation.

A name a page can write must be callable the way placeholders.evaluate calls it (key=value arguments), print in a
dimension the formatter knows, and be documented where contributors look: the placeholder table of CONTRIBUTING.md
("Numbers from data/") or, for the lab's names, the docstring of scripts/handbook/data/measurements.py.
"""
from __future__ import annotations

import inspect
import re

import pytest
from handbook import ROOT
from handbook.data import measurements
from handbook.render.placeholders import FORMAT_KEYS
from handbook.render.registry import BLOCKS, NUMBERS, Page
from handbook.render.widgets import CALCULATORS, EXPLAINERS
from handbook.units import UNITS

BUILTIN = ("model", "gpu", "calc")          # read by placeholders.py itself
KEYWORD_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def contributing_table() -> dict[str, set[str]]:
    """Placeholder name -> the `key=` arguments shown for it, from the first column of the table under
    'Numbers from `data/`' in CONTRIBUTING.md."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## Numbers from `data/`", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if not line.startswith("| `") or len(cells) < 3:
            continue
        for span in re.findall(r"`([^`]+)`", cells[1]):
            name = span.split()[0]
            table.setdefault(name, set()).update(re.findall(r"(\w+)=", span))
    return table


def measurements_names() -> set[str]:
    """Placeholder names the measurements docstring documents (written as `{{< NAME` or listed as lab_NAME)."""
    doc = measurements.__doc__ or ""
    return set(re.findall(r"\{\{<\s*(\w+)", doc)) | set(re.findall(r"\blab_[a-z]+\b", doc))


def test_the_table_is_found_and_parsed():
    table = contributing_table()
    assert {"model", "gpu", "calc", "weight_bytes", "kv_bytes_per_token"} <= set(table)
    assert table["weight_bytes"] == {"model", "dtype"}
    assert table["kv_bytes_per_token"] == {"model", "kv_dtype", "context"}


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_numbers_take_keyword_arguments(name):
    function, _dimension = NUMBERS[name]
    params = inspect.signature(function).parameters
    assert params, f"{name} takes no arguments"
    not_keyword = [p.name for p in params.values() if p.kind not in KEYWORD_KINDS]
    assert not not_keyword, f"{name}: parameters {not_keyword} cannot be given as key=value"
    # placeholders.evaluate takes unit=, digits= and bare= for itself: a parameter so named could never be set
    assert not FORMAT_KEYS & set(params), f"{name} has a parameter named like a formatting option"


def test_numbers_print_in_a_dimension_the_formatter_knows():
    known = {dimension for dimension, _factor in UNITS.values()} | {"text"}
    unknown = {name: dimension for name, (_fn, dimension) in NUMBERS.items() if dimension not in known}
    assert not unknown, f"dimensions with no unit in units.UNITS: {unknown}"


def test_names_do_not_shadow_each_other():
    assert not set(NUMBERS) & set(BLOCKS)
    assert not set(BUILTIN) & (set(NUMBERS) | set(BLOCKS))    # evaluate() tries BLOCKS before model/gpu/calc


def test_every_number_is_documented():
    documented = set(contributing_table()) | measurements_names()
    missing = sorted(set(NUMBERS) - documented)
    assert not missing, (f"placeholders missing from CONTRIBUTING.md's table ('Numbers from data/') and from the "
                         f"measurements docstring: {', '.join(missing)}")


def test_every_block_is_documented():
    missing = sorted(set(BLOCKS) - set(contributing_table()))
    assert not missing, f"blocks missing from CONTRIBUTING.md's table ('Numbers from data/'): {', '.join(missing)}"


def test_builtins_are_documented():
    assert set(BUILTIN) <= set(contributing_table())


def test_documented_names_exist():
    stale = sorted(set(contributing_table()) - set(NUMBERS) - set(BLOCKS) - set(BUILTIN))
    assert not stale, f"CONTRIBUTING.md documents placeholders that do not exist: {stale}"
    lab = measurements_names() - set(NUMBERS)
    assert not lab, f"the measurements docstring documents names the registry lacks: {sorted(lab)}"


def test_documented_arguments_exist():
    wrong = {}
    for name, keys in contributing_table().items():
        if name in NUMBERS:
            params = set(inspect.signature(NUMBERS[name][0]).parameters)
            bad = keys - params - FORMAT_KEYS
            if bad:
                wrong[name] = sorted(bad)
    assert not wrong, f"CONTRIBUTING.md shows arguments the functions do not take: {wrong}"


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_blocks_accept_a_page(name):
    signature = inspect.signature(BLOCKS[name])
    signature.bind(Page())                  # raises TypeError if the first argument cannot be the Page
    first = next(iter(signature.parameters.values()))
    assert first.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@pytest.mark.parametrize("name", ["accelerators", "models", "glossary", "bibliography", "changes"])
def test_blocks_build_markdown_from_a_page(name):
    out = BLOCKS[name](Page(src="reference/x.md"))
    assert isinstance(out, str) and out.strip()


def test_named_blocks_build_each_of_their_widgets():
    for calculator in CALCULATORS:
        assert BLOCKS["calculator"](Page(), calculator).strip(), calculator
    for explainer in EXPLAINERS:
        assert BLOCKS["explainer"](Page(), explainer).strip(), explainer
    with pytest.raises(KeyError, match="unknown calculator"):
        BLOCKS["calculator"](Page(), "nope")


def test_page_defaults_are_empty_and_not_shared():
    a, b = Page(), Page()
    assert a == Page(src="", glossary=[], sources={}, citing={}, titles={})
    assert a.glossary is not b.glossary and a.titles is not b.titles
    with pytest.raises(AttributeError):
        a.src = "x.md"                      # frozen: a block cannot change the page it is given
