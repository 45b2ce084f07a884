"""The practical top of technical pages (scripts/handbook/checks/anatomy.py): the In production box, the short
opening, the page figures, and every technical page of the handbook held to them."""
from handbook.checks import anatomy

BOX = """\
!!! production "In production"

    - **Numbers that matter:** one number.
    - **Numbers that matter:** another.
    - **Turn on:** a flag.
    - **Check:** a metric.
    - **Costliest pitfall:** the mistake.
"""


def page(box=BOX, opening="A short opening of a few words.", rest=""):
    return f"# Title\n\n{box}\n{opening}\n\n{rest}## Intuition {{#intuition}}\n\nBody.\n\n```bash\nx\n```\n"


def check(text):
    return [str(f) for f in anatomy.check_page(text, "docs/x.md", 7)]


def test_a_page_with_the_box_and_a_short_opening_passes():
    assert check(page()) == []


def test_a_page_without_the_box_fails_at_its_title():
    found = check("# Title\n\nOpening.\n\n## Intuition\n")
    assert len(found) == 1 and found[0].startswith("docs/x.md:7: no \"In production\" box")


def test_the_box_takes_five_to_eight_labelled_lines_and_one_pitfall():
    short = BOX.replace("    - **Check:** a metric.\n", "").replace("    - **Numbers that matter:** another.\n", "")
    assert any("the box has 3 lines" in f for f in check(page(box=short)))
    two = BOX + "    - **Costliest pitfall:** a second one.\n"
    assert any("2 'Costliest pitfall' lines" in f for f in check(page(box=two)))
    odd = BOX.replace("**Check:**", "**Note:**")
    assert any("has no known label" in f for f in check(page(box=odd)))
    four = BOX.replace("**Turn on:**", "**Numbers that matter:**").replace("**Check:**", "**Numbers that matter:**")
    found = check(page(box=four))
    assert len(found) == 2
    assert "4 'Numbers that matter' lines" in found[0] and "nothing to turn on or check" in found[1]


def test_a_long_opening_fails_and_so_does_text_before_the_first_section():
    long = " ".join(["word"] * 75) + "."
    found = check(page(opening=long))
    assert len(found) == 1 and "the opening paragraph has 75 words" in found[0]
    found = check(page(rest=" ".join(["more"] * 90) + ".\n\n"))
    assert len(found) == 1 and "words stand between the box and the first section" in found[0]


def test_citations_links_and_placeholders_do_not_count_as_words():
    opening = ("See [the page](../a/very/long/path/to/a/page.md#anchor) [@key2024-some-long-citation-key; "
               "@other2025] for {{< kv_bytes_per_token model=llama-3.1-8b unit=KiB >}}.")
    assert anatomy._words(opening) == 5


def test_page_stats_count_code_blocks_and_command_tabs():
    text = page() + '{{< engine_commands vllm="--a 1" sglang="--b 2" >}}\n'
    stats = anatomy.page_stats(text)
    assert stats == {"words_before_first_section": 7, "code_blocks": 3, "box": True}


def test_only_technical_parts_are_held_to_it():
    assert anatomy.is_technical("concepts/kv-cache.md") and not anatomy.is_technical("concepts/index.md")
    assert not anatomy.is_technical("reference/glossary.md") and not anatomy.is_technical("lab/decode.md")


def test_every_technical_page_has_the_practical_top():
    findings, stats = anatomy.scan_docs()
    assert len(stats) >= 90
    assert findings == [], "\n".join(map(str, findings))
