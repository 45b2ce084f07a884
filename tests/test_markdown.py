"""The one scanner for fenced code (scripts/handbook/render/markdown.py) and the placeholder pattern."""
from __future__ import annotations

from handbook.render.markdown import PLACEHOLDER, fence_lines


def flags(text: str) -> list[bool]:
    """in_fence for each line of `text`."""
    return [in_fence for _index, _line, in_fence in fence_lines(text.split("\n"))]


def test_yields_index_line_and_flag():
    lines = ["a", "```", "code", "```", "b"]
    assert list(fence_lines(lines)) == [(0, "a", False), (1, "```", True), (2, "code", True), (3, "```", True),
                                        (4, "b", False)]


def test_backtick_fence_with_info_string():
    assert flags("text\n```python\nx = 1\n```\nafter") == [False, True, True, True, False]


def test_tilde_fence():
    assert flags("text\n~~~\ncode\n~~~\nafter") == [False, True, True, True, False]


def test_a_fence_closes_only_with_its_own_marker():
    # ``` inside a ~~~ fence is code, and ~~~ inside a ``` fence is code.
    assert flags("~~~\n```\nstill code\n```\n~~~\nprose") == [True, True, True, True, True, False]
    assert flags("```\n~~~\nstill code\n~~~\n```\nprose") == [True, True, True, True, True, False]


def test_indented_fence_in_a_list_item():
    text = "1. Run this:\n\n    ```bash\n    vllm serve x\n    ```\n\n2. Then read"
    assert flags(text) == [False, False, True, True, True, False, False]


def test_fence_may_close_with_different_indentation():
    assert flags("  ```\ncode\n```\nprose") == [True, True, True, False]


def test_unclosed_fence_runs_to_the_end():
    assert flags("prose\n```\ncode\nmore code") == [False, True, True, True]


def test_consecutive_fences():
    assert flags("```\na\n```\nmid\n~~~\nb\n~~~") == [True, True, True, False, True, True, True]


def test_backticks_later_in_a_line_do_not_open_a_fence():
    assert flags("Use ```inline``` here\nprose") == [False, False]
    assert flags("`` x ``\nprose") == [False, False]          # two backticks are inline code


def test_no_fences():
    assert flags("a\nb\n\nc") == [False, False, False, False]
    assert list(fence_lines([])) == []


def test_placeholder_pattern_takes_the_inside_without_padding():
    found = PLACEHOLDER.findall("A {{<  model llama-3.1-8b head_dim  >}} and {{< gpu h100-sxm memory >}}.")
    assert found == ["model llama-3.1-8b head_dim", "gpu h100-sxm memory"]


def test_placeholder_pattern_ignores_other_braces():
    assert PLACEHOLDER.findall("{{ jinja }} {% tag %} {< x >} {{<x>}") == []
    assert PLACEHOLDER.findall("{{<>}}") == [""]
