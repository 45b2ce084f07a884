"""The check for numbers typed by hand: what it reports, what it lets through, and the handbook itself."""
from __future__ import annotations

import pytest
from conftest import ROOT
from handbook.checks import typednumbers


def found(text: str) -> list[str]:
    return [n.text for n in typednumbers.scan_text(text, "docs/x.md")]


@pytest.mark.parametrize("text, expected", [
    ("An H100 has 80 GB of memory.", ["80 GB"]),
    ("It streams at 3.35 TB/s and peaks at 989 TFLOPS.", ["3.35 TB/s", "989 TFLOPS"]),
    ("| H100 | 80 GiB | fast |", ["80 GiB"]),
    ("Budgets of 2–4 GB are common.", ["2–4 GB"]),
    ("Datasheets say 80 GB, so plan for it.", ["80 GB"]),          # "say" is a verb here, not "say, 80 GB"
    ("The weights take 16.1 GB.\nThe sentence after it is fine.", ["16.1 GB"]),
])
def test_typed_numbers_are_reported(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "An H100 has {{< gpu h100-sxm memory >}} of memory.",               # drawn from data
    "NVLink 4 moves 900 GB/s per GPU [@nvidia-h100-datasheet].",        # cited in the sentence
    "Assume the disk reads 4 GB/s.",                                     # an assumption
    "A disk that reads, say, 4 GB/s loads it in a minute.",              # an illustration
    "Storage at, for example, 5 GB/s loads it in a minute.",             # an illustration
    "The NVIDIA H100 80GB and the A100 40GB are products.",              # product names
    "Run `--max-model-len 80 GB` only in code.",                          # inline code
    "```\nmemory: 80 GB\n```",                                            # a code block
    "The lab measured 2.75 TB/s ([decode](../lab/decode.md)).",           # measured, with the lab page
])
def test_what_is_not_typed_by_hand(text):
    assert found(text) == []


def test_line_numbers_point_at_the_number():
    text = "First line of a paragraph\nsays it needs 70 GB here.\n"
    [number] = typednumbers.scan_text(text, "docs/x.md", first_line=10)
    assert number.line == 11 and "docs/x.md:11" in number.message() and "Fix:" in number.message()


def test_the_handbook_has_no_number_typed_by_hand():
    numbers = typednumbers.scan_docs(ROOT / "docs", ROOT)
    assert not numbers, "\n".join(n.message() for n in numbers[:40]) + f"\n({len(numbers)} in all)"
