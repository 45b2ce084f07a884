"""The scan of what reaches the reader: each kind of unrendered markup is found in
visible text, code is not prose, and each finding is traced to its source line."""
from __future__ import annotations

import pytest
from handbook.checks import rendercheck


def problems(html: str) -> list[str]:
    return [f.problem for f in rendercheck.scan_html(html)]


@pytest.mark.parametrize("html, expected", [
    ("<p>as shown [@kwon2023-vllm; @yu2022-orca] here</p>", "unrendered citation"),
    ("<p>value {{< gpu h100-sxm memory >}} here</p>", "unrendered placeholder or template tag"),
    ("<p>a {% raw %} tag</p>", "unrendered placeholder or template tag"),
    ("<p>about $2N_{\\text{active}} + $ FLOPs</p>", "unrendered TeX"),
    ("<p>display $$x$$ math</p>", "unrendered TeX"),
    ("<p>is 34,018 tokens/s\ntokens/s (derived)</p>", "doubled unit"),
    ("<p>needs 80&nbsp;GiB GiB of memory</p>", "doubled unit"),
    ("<li>Kwon, Li, et al.. Efficient Memory</li>", '"et al.."'),
    ("<li>PagedAttention. SOSP 2023, 2023. arXiv</li>", "doubled year"),
    ("<li>Embeddings (being written): prefill only</li>", '"(being written)"'),
])
def test_each_problem_is_found(html, expected):
    assert problems(html) == [expected]


@pytest.mark.parametrize("html", [
    "<p>Prices run from $2.50 to $3.00 an hour.</p>",                  # dollars are not TeX
    "<pre><code>{{ messages }} {% for m in messages %}</code></pre>",   # a chat template in code
    "<p>Use <code>[@key]</code> to cite.</p>",                          # syntax shown as code
    "<script>var a = '{{x}}';</script><style>a{b:c}</style>",
    "<h3>cost per million tokens</h3><h3>tokens per minute</h3>",      # headings in a row are not a doubled unit
    "<td>80 GiB</td><td>GiB</td>",                                      # nor are two table cells
    "<td>vLLM</td><td>vLLM 0.34.0</td>",                                # an engine name in two cells
    "<p>In 2023, 2024 brought more.</p>",                               # two different years
    "<math><annotation encoding='application/x-tex'>$x_1$</annotation></math>",
])
def test_what_is_not_a_problem(html):
    assert problems(html) == []


def test_findings_are_located_in_the_page_source_or_the_data(tmp_path):
    docs, data, site = tmp_path / "docs", tmp_path / "data", tmp_path / "site"
    (docs / "part").mkdir(parents=True)
    (data / "bibliography").mkdir(parents=True)
    (site / "part" / "page").mkdir(parents=True)
    (docs / "part" / "page.md").write_text("# Page\n\nThe decode bound is\n{{< x >}}\ntokens/s here.\n")
    (data / "bibliography" / "core.yml").write_text("- id: a\n  authors: Kwon, Li, et al.\n")
    (site / "part" / "page" / "index.html").write_text(
        "<p>The decode bound is 12 tokens/s tokens/s here.</p><li>Kwon, Li, et al.. Title</li>")
    messages = rendercheck.scan_site(site, docs, data)
    assert len(messages) == 2
    assert messages[0].startswith("docs/part/page.md:3: doubled unit reaches the reader on part/page/index.html")
    assert messages[1].startswith('data/bibliography/core.yml:2: "et al.."')
    assert all("Fix: " in m for m in messages)


def test_unlocatable_finding_names_the_built_page(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "site" / "orphan.html").write_text("<p>left [@nothing here</p>")
    [message] = rendercheck.scan_site(tmp_path / "site", tmp_path / "docs", tmp_path / "data")
    assert message.startswith("site/orphan.html: unrendered citation")


def table(*rows: str, head: str = "") -> str:
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody></table>"


@pytest.mark.parametrize("html, mixed", [
    (table("<td>80&nbsp;GiB</td><td>16.1&nbsp;GB</td>"), True),                       # two conventions
    (table("<td>3</td><td>4</td>", head="<th>Weights (GB)</th><th>KV per token (KiB)</th>"), True),
    (table("<td>80&nbsp;GiB</td><td>15.0&nbsp;GiB</td>"), False),
    (table("<td>85.0 GB (79.2 GiB)</td><td>79.2 GiB</td>"), False),                     # a conversion, not a mix
    (table("<td>80&nbsp;GiB</td><td>3,350&nbsp;<abbr title='x'>GB</abbr>/s</td>"), False),   # rates are decimal
    (table("<td>NVIDIA A100 SXM 80GB</td><td>80&nbsp;GiB</td>"), False),               # a product name
    (table("<td>GB vs GiB: which is which</td><td>80&nbsp;GiB</td>"), False),          # units named, no size
    (table("<td>\u201c192 GB\u201d HBM3</td><td>192</td>", head="<th>As printed</th><th>Capacity (GiB)</th>"), False),
    ('<div class="units-contrast">' + table("<td>72&nbsp;GB</td><td>72&nbsp;GiB</td>") + "</div>", False),
])
def test_tables_that_mix_conventions(html, mixed):
    assert bool(rendercheck.mixed_tables(html)) is mixed
