"""Data placeholders (scripts/handbook/render/placeholders.py): `{{< name args >}}` in a page becomes a number.

Most tests read a small data folder written here (one model, one GPU), so the expected values are computed by
hand from the numbers below and do not move when data/ is corrected.
"""
from __future__ import annotations

import pytest
from handbook import data
from handbook.errors import HandbookError
from handbook.render import placeholders
from handbook.render.placeholders import evaluate, render
from handbook.render.registry import Page

NBSP = "\u00a0"

MODELS = """\
- id: toy-8b
  name: Toy 8B
  architecture: dense
  attention: gqa
  params_total: 8.03e+9
  params_active: 8.03e+9
  num_layers: 32
  hidden_size: 4096
  num_attention_heads: 32
  num_kv_heads: 8
  head_dim: 128
  intermediate_size: 14336
  vocab_size: 128256
  max_position_embeddings: 131072
  source: https://example.org/toy-8b/config.json
  retrieved: 2026-11-27
"""

GPUS = """\
- id: card-x
  name: Card X
  vendor: Example
  memory:
    label: "80GB"
    capacity: 80 GiB
    basis: assumed-binary
    basis_note: A test card.
    reported:
      - {tool: pytorch, value: 85017493504 B, by: "a test"}
  memory_bandwidth: 3.35 TB/s
  dense:
    bf16: 989.5 TFLOPS
    fp8: 1979 TFLOPS
  sparse:
    fp8: 3958 TFLOPS
  interconnect:
    bandwidth: 900 GB/s
    direction: total
  power: 700 W
  source: https://example.org/card-x
  retrieved: 2026-11-27
"""


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """data/ replaced by one model (toy-8b) and one GPU (card-x)."""
    (tmp_path / "models.yml").write_text(MODELS, encoding="utf-8")
    (tmp_path / "gpus.yml").write_text(GPUS, encoding="utf-8")
    monkeypatch.setattr(data, "DATA", tmp_path)
    return tmp_path


def fails(markdown: str, where: str = "docs/a.md", first_line: int = 1) -> HandbookError:
    with pytest.raises(HandbookError) as caught:
        render(markdown, where, first_line)
    return caught.value


# --- the documented example, on the real data -------------------------------------------------------------------

def test_contributing_example_on_the_real_data():
    # CONTRIBUTING.md: "renders as 'Llama 3.1 8B caches 128 KiB per token'": 2 x 32 layers x 8 KV heads x 128 x 2 B.
    text = "Llama 3.1 8B caches {{< kv_bytes_per_token model=llama-3.1-8b kv_dtype=bf16 unit=KiB >}} per token"
    assert render(text, "docs/a.md") == f"Llama 3.1 8B caches 128{NBSP}KiB per token"


# --- arguments ------------------------------------------------------------------------------------------------

def test_key_value_arguments(toy):
    # 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 B = 128 KiB
    assert evaluate("kv_bytes_per_token model=toy-8b kv_dtype=bf16 unit=KiB") == f"128{NBSP}KiB"
    assert evaluate("kv_bytes_per_token model=toy-8b kv_dtype=fp8 unit=KiB") == f"64{NBSP}KiB"


def test_positional_arguments_follow_the_parameter_order(toy):
    assert evaluate("kv_bytes_per_token toy-8b bf16 unit=KiB") == f"128{NBSP}KiB"
    assert evaluate("gemm_intensity 4096 4096 4096") == f"1,365{NBSP}FLOP/B"     # 2 x 4096^3 / (2 x 3 x 4096^2)


def test_positional_and_key_value_together(toy):
    # 131,072 B x 1024 tokens x 2 sequences = 268,435,456 B = 256 MiB; the numbers are read as integers
    assert evaluate("kv_bytes toy-8b kv_dtype=bf16 tokens=1024 batch=2 unit=MiB") == f"256{NBSP}MiB"


def test_defaults_of_the_formula_apply(toy):
    # weight_bytes defaults to bf16: 8.03e9 x 2 B = 16.06 GB
    assert evaluate("weight_bytes model=toy-8b") == f"16.1{NBSP}GB"
    assert evaluate("weight_bytes model=toy-8b dtype=fp8") == f"8.03{NBSP}GB"


def test_formulas_over_model_and_gpu(toy):
    # 80 GiB x 0.9 - 16.06e9 B = 61,249,411,328 B = 57.04 GiB; 1 GiB per 8192-token sequence -> 57 sequences
    assert evaluate("kv_budget_bytes model=toy-8b gpu=card-x unit=GiB") == f"57.0{NBSP}GiB"
    assert evaluate("max_sequences model=toy-8b gpu=card-x context_tokens=8192") == "57"
    assert evaluate("peak_flops gpu=card-x dtype=bf16 digits=1") == f"989.5{NBSP}TFLOPS"
    assert evaluate("ridge_point gpu=card-x dtype=bf16") == f"295{NBSP}FLOP/B"          # 989.5e12 / 3.35e12


def test_negative_memory_is_refused(toy):
    # 80 GiB x 0.1 = 8.59 GB cannot hold 16.06 GB of weights
    with pytest.raises(ValueError, match="negative memory size"):
        evaluate("kv_budget_bytes model=toy-8b gpu=card-x memory_utilization=0.1 unit=GiB")
    assert evaluate("max_sequences model=toy-8b gpu=card-x memory_utilization=0.1") == "0"


def test_usd_ratio_and_count_results(toy):
    # $2 per hour / (1000 tokens/s x 3600 s) x 1e6 = $0.5556
    assert evaluate("cost_per_million_tokens gpu_hourly_usd=2 gpu_count=1 tokens_per_s=1000") == "$0.56"
    # (1 - 0.8^5) / 0.2 = 3.3616 tokens per step, over a cost of 1 + 4 x 0.05 = 1.2 -> 2.80x
    assert evaluate("spec_speedup acceptance_rate=0.8 draft_tokens=4 draft_cost_ratio=0.05") == "2.80\u00d7"
    assert evaluate("gpus_for_traffic requests_per_s=10 capacity_per_gpu=3") == "4"      # ceil(10 / 3)


# --- formatting options ---------------------------------------------------------------------------------------

def test_unit_option_converts(toy):
    assert evaluate("weight_bytes model=toy-8b unit=GiB") == f"15.0{NBSP}GiB"           # 16.06e9 / 2^30 = 14.96
    assert evaluate("weight_bytes model=toy-8b unit=MB") == f"16,060{NBSP}MB"


def test_digits_option(toy):
    assert evaluate("kv_bytes_per_token model=toy-8b unit=KiB digits=2") == f"128.00{NBSP}KiB"
    assert evaluate("weight_bytes model=toy-8b unit=GB digits=0") == f"16{NBSP}GB"


@pytest.mark.parametrize("flag, bare", [("1", True), ("yes", True), ("true", True),
                                        ("0", False), ("false", False), ("no", False)])
def test_bare_option(toy, flag, bare):
    expected = "128" if bare else f"128{NBSP}KiB"
    assert evaluate(f"kv_bytes_per_token model=toy-8b unit=KiB bare={flag}") == expected


def test_unit_of_the_wrong_dimension(toy):
    with pytest.raises(ValueError, match="unit 'GB/s' does not measure bytes"):
        evaluate("weight_bytes model=toy-8b unit=GB/s")


# --- model and gpu fields -------------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, expected", [
    ("gpu card-x memory", f"80{NBSP}GiB"),                            # capacities print binary by default
    ("gpu card-x memory unit=GB", f"85.9{NBSP}GB"),                   # 80 x 2^30 / 1e9 = 85.899
    ("gpu card-x memory bare=1", "80"),
    ("gpu card-x memory digits=1", f"80.0{NBSP}GiB"),
    ("gpu card-x memory_label", "80GB"),                              # the vendor's label, as printed
    ("gpu card-x memory_reported.pytorch", f"81,079{NBSP}MiB"),       # 85,017,493,504 / 2^20 = 81,079 exactly
    ("gpu card-x memory_reported.pytorch unit=GiB", f"79.2{NBSP}GiB"),
    ("gpu card-x memory_bandwidth", f"3,350{NBSP}GB/s"),
    ("gpu card-x memory_bandwidth unit=TB/s", f"3.35{NBSP}TB/s"),
    ("gpu card-x dense.bf16", f"990{NBSP}TFLOPS"),
    ("gpu card-x dense.bf16 digits=1", f"989.5{NBSP}TFLOPS"),
    ("gpu card-x sparse.fp8 unit=PFLOPS", f"3.96{NBSP}PFLOPS"),
    ("gpu card-x power", f"700{NBSP}W"),
    ("gpu card-x interconnect", f"900{NBSP}GB/s"),
    ("gpu card-x name", "Card X"),
    ("model toy-8b head_dim", "128"),
    ("model toy-8b num_layers", "32"),
    ("model toy-8b params_total", "8,030,000,000"),
    ("model toy-8b params_total unit=billion", f"8.03{NBSP}billion"),
    ("model toy-8b name", "Toy 8B"),
])
def test_model_and_gpu_fields(toy, expression, expected):
    assert evaluate(expression) == expected


@pytest.mark.parametrize("expression, message", [
    ("gpu card-x memory_reported.nvidia-smi", "card-x has no total reported by 'nvidia-smi'"),
    ("gpu card-x dense.fp4", "card-x has no dense fp4 figure"),
    ("gpu card-x memroy", "card-x has no field 'memroy'"),
    ("model toy-8b heads", "toy-8b has no field 'heads'"),
    ("model toy-9b head_dim", "unknown model 'toy-9b'; known: toy-8b"),
    ("gpu card-y memory", "unknown GPU 'card-y'; known: card-x"),
])
def test_unknown_entries_and_fields(toy, expression, message):
    with pytest.raises(KeyError, match=message):
        evaluate(expression)


@pytest.mark.parametrize("expression", ["gpu card-x", "model toy-8b head_dim extra", "model toy-8b head_dim x=1"])
def test_model_and_gpu_take_exactly_an_id_and_a_field(toy, expression):
    with pytest.raises(ValueError, match="ID FIELD"):
        evaluate(expression)


# --- calc ------------------------------------------------------------------------------------------------------

def test_calc(toy):
    assert evaluate("calc \"gpu('card-x', 'memory') / 2\" unit=GiB") == f"40{NBSP}GiB"
    assert evaluate("calc \"weight_bytes(model='toy-8b', dtype='bf16') / 2\" unit=GB") == f"8.03{NBSP}GB"
    assert evaluate("calc \"model('toy-8b', 'num_layers') * 3\"") == "96"
    assert evaluate('calc "2.5e6" unit=million') == f"2.50{NBSP}million"
    assert evaluate('calc "3 * 4" bare=1') == "12"


def test_calc_with_an_unknown_unit_names_it(toy):
    err = fails('Rate {{< calc "2" unit=bogus >}}.')
    assert err.where == "docs/a.md:1"
    assert "unknown unit 'bogus'" in err.problem


def test_calc_needs_the_expression_in_quotes(toy):
    with pytest.raises(ValueError, match="with the expression in double quotes"):
        evaluate("calc 1 + 2")


# --- errors through render(): file and line ---------------------------------------------------------------------

def test_unknown_name_names_file_and_line(toy):
    err = fails("line one\nline two {{< nope >}}\n", "docs/concepts/x.md", first_line=10)
    assert err.where == "docs/concepts/x.md:11"
    assert err.problem.startswith("placeholder `{{< nope >}}`: unknown placeholder 'nope'; known: ")
    assert "weight_bytes" in err.problem and "calc" in err.problem
    assert "CONTRIBUTING.md" in err.fix


def test_unknown_argument_names_what_the_function_takes(toy):
    err = fails("a\nb\nc {{< kv_bytes_per_token model=toy-8b dtype=bf16 >}}")
    assert err.where == "docs/a.md:3"
    assert "kv_bytes_per_token takes no argument 'dtype'; it takes model, kv_dtype, context" in err.problem


def test_unknown_model_through_render(toy):
    err = fails("{{< weight_bytes model=toy-9b >}}", first_line=4)
    assert err.where == "docs/a.md:4" and "unknown model 'toy-9b'" in err.problem


def test_too_many_positional_arguments_through_render(toy):
    err = fails("x\n{{< weight_bytes toy-8b bf16 extra >}}")     # a TypeError from the call
    assert err.where == "docs/a.md:2" and "positional argument" in err.problem


@pytest.mark.parametrize("markdown, message", [
    ("{{< >}}", "empty placeholder"),
    ('{{< calc "1 + 2 >}}', "cannot read the placeholder"),
    ("{{< weight_bytes model=toy-8b digits=two >}}", "invalid literal"),
])
def test_malformed_placeholders_through_render(toy, markdown, message):
    err = fails(markdown)
    assert err.where == "docs/a.md:1" and message in err.problem


# --- render --------------------------------------------------------------------------------------------------

def test_render_replaces_every_placeholder_and_keeps_the_rest(toy):
    text = "# Title\n\nA {{< model toy-8b num_layers >}}-layer model, {{< gpu card-x memory >}} card.\n\nEnd."
    assert render(text, "docs/a.md") == f"# Title\n\nA 32-layer model, 80{NBSP}GiB card.\n\nEnd."


def test_render_without_placeholders_returns_the_text_itself():
    text = "No numbers here; {{ jinja }} and {< x >} are not placeholders."
    assert render(text, "docs/a.md") is text


def test_placeholders_in_fenced_code_are_left_alone(toy):
    text = ("Write:\n\n```markdown\n{{< model toy-8b head_dim >}}\n```\n\n~~~\n{{< nope >}}\n~~~\n"
            "It prints {{< model toy-8b head_dim >}}.")
    out = render(text, "docs/a.md").split("\n")
    assert out[3] == "{{< model toy-8b head_dim >}}"        # shown as syntax, not computed
    assert out[7] == "{{< nope >}}"                         # not evaluated, so not an error either
    assert out[-1] == "It prints 128."


def test_line_numbers_count_fenced_lines(toy):
    err = fails("```\ncode\n```\n{{< nope >}}", first_line=7)
    assert err.where == "docs/a.md:10"


# --- blocks -----------------------------------------------------------------------------------------------------

def test_blocks_receive_the_page_and_the_arguments(monkeypatch):
    calls = []

    def probe(page, *args, **kwargs):
        calls.append((page, args, kwargs))
        return "| table |"

    monkeypatch.setitem(placeholders.BLOCKS, "probe", probe)
    page = Page(src="reference/x.md", titles={"reference/x.md": "X"})
    out = render("Before\n{{< probe first mode=wide unit=GB >}}\nAfter", "docs/reference/x.md", page=page)
    assert out == "Before\n| table |\nAfter"
    assert len(calls) == 1
    received, args, kwargs = calls[0]
    assert received is page
    assert args == ("first",) and kwargs == {"mode": "wide"}    # formatting options are not passed on


def test_block_without_a_page_gets_an_empty_one(monkeypatch):
    seen = []
    monkeypatch.setitem(placeholders.BLOCKS, "probe", lambda page: seen.append(page) or "ok")
    assert evaluate("probe") == "ok"
    assert seen == [Page()]
