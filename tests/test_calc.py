"""The calc placeholder: arithmetic over data and formulas, nothing else."""
from __future__ import annotations

import pytest
from handbook import data, formulas
from handbook.render import placeholders


def test_derived_quantity_follows_the_data():
    per_rank = formulas.weight_bytes("llama-3.1-70b", "bf16") / 8
    assert placeholders.evaluate('calc "weight_bytes(model=\'llama-3.1-70b\', dtype=\'bf16\') / 8" unit=GB') == \
        f"{per_rank / 1e9:.1f}\u00a0GB"


def test_fields_of_models_and_gpus():
    memory = data.gpu("h100-sxm").memory
    assert placeholders.evaluate('calc "gpu(\'h100-sxm\', \'memory\') / 2**30" digits=0') == f"{memory / 2**30:,.0f}"
    assert placeholders.evaluate('calc "model(\'llama-3.1-8b\', \'num_layers\') * 2"') == "64"


def test_plain_arithmetic_with_a_unit():
    assert placeholders.evaluate('calc "12 * 4800e6 * 8" unit=GB/s digits=1') == "460.8\u00a0GB/s"


@pytest.mark.parametrize("expression, message", [
    ('calc "__import__(\'os\')" unit=GB', "unknown function '__import__'"),
    ('calc "(1).real" unit=GB', "calc allows numbers"),
    ('calc "1 / 0"', "cannot compute"),
    ('calc "2 **"', "cannot read the expression"),
    ('calc "model(\'llama-3.1-8b\', \'name\')"', "is text"),
    ('calc "1" model=x', "write {{< calc"),
])
def test_refuses_what_it_cannot_compute(expression, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("{", r"\{")):
        placeholders.evaluate(expression)


def test_negative_memory_is_refused():
    with pytest.raises(ValueError, match="negative memory size"):
        placeholders.evaluate('kv_budget_bytes model=deepseek-v3 gpu=h100-sxm weight_dtype=fp8 gpu_count=8 unit=GiB')


def test_gpu_memory_prints_binary_by_default():
    assert placeholders.evaluate("gpu h100-sxm memory") == "80\u00a0GiB"
    assert placeholders.evaluate("gpu h100-sxm memory_label") == "80GB"
