"""The reference tables (scripts/handbook/render/tables.py): the accelerator and model tables and their derived
columns."""
from __future__ import annotations

import math

from handbook import data
from handbook import formulas as f
from handbook.render import tables


def test_max_context_tokens():
    assert tables.max_context_tokens("llama-3.1-70b") == 0  # 141 GB of weights on one 80 GB GPU
    assert math.isinf(tables.max_context_tokens("mistral-7b-v0.1"))
    budget = f.kv_budget_bytes("llama-3.1-8b", "h100-sxm", "bf16", 1, 0.9)
    assert tables.max_context_tokens("llama-3.1-8b") == int(budget // 131072)
    tokens = tables.max_context_tokens("gemma-3-27b")
    budget = f.kv_budget_bytes("gemma-3-27b", "h100-sxm", "bf16", 1, 0.9)
    assert f.kv_bytes("gemma-3-27b", "bf16", tokens) <= budget
    assert f.kv_bytes("gemma-3-27b", "bf16", tokens + 1) > budget


def test_max_context_tokens_grows_with_more_gpus():
    one = tables.max_context_tokens("llama-3.1-70b", gpu_count=2)
    assert 0 < one < tables.max_context_tokens("llama-3.1-70b", gpu_count=4)


def test_accelerator_table_has_a_row_and_a_source_per_gpu():
    text = tables.accelerators_table()
    assert "dense / sparse" in text and "## Sources {#sources}" in text and "[@nvidia-h100-datasheet]" in text
    per_accelerator = text.split("## Systems", 1)[0]
    for gpu in data.load_gpus().values():
        assert per_accelerator.count(f"| {gpu.name} |") == 2, gpu.id   # memory table and throughput table
        assert f"- **{gpu.name}**: <{gpu.source}>" in text, gpu.id
    assert "{#memory-bandwidth}" in text and "{#throughput}" in text


def test_accelerator_table_says_how_each_label_is_read():
    h100 = data.gpu("h100-sxm")
    basis = tables._memory_basis(h100)
    assert f"printed “{h100.memory_label}”, read as 80 GiB" in basis
    assert basis.split("(", 1)[1].startswith(tables.BASIS_WORDS[h100.memory_basis])


def test_model_table_has_the_derived_columns():
    text = tables.models_table()
    assert "does not fit" in text and "131,072" in text
    for model in data.load_models().values():
        assert f"- **{model.name}**: <{model.source}>" in text, model.id
    assert "unbounded (every layer windowed)" in text   # Mistral 7B v0.1: every layer has a sliding window


def test_tables_are_markdown_without_html():
    for text in (tables.accelerators_table(), tables.models_table()):
        assert text.endswith("\n") and "<div" not in text and "<script" not in text


def test_systems_table_derives_the_domain_totals():
    text = tables.accelerators_table().split("## Systems", 1)[1].split("## Sources", 1)[0]
    b300 = data.gpu("b300")
    for system in b300.systems:
        row = next(line for line in text.splitlines() if line.startswith(f"| {system.name} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == b300.name and int(cells[3]) == system.scale_up_domain
        assert float(cells[5].replace(",", "")) == system.scale_up_domain * b300.memory / 2**30   # derived GiB
        assert "both directions added" in cells[4]
    assert "direction not stated by the vendor" in tables.accelerators_table()   # Trainium's NeuronLink
