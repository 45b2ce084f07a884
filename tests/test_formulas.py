"""The formulas against hand-checked values, and the calculator vectors against the formulas.

tests/vectors/calculators.json is what the browser test feeds the in-page calculators;
here we check that every expected value is what scripts/handbook/formulas/ computes
(so the JavaScript, the pages and the vectors cannot drift apart).
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from handbook import formulas as f
from handbook.render.widgets import CALCULATORS

VECTORS = Path(__file__).parent / "vectors" / "calculators.json"
sys.path.insert(0, str(VECTORS.parent))
import make_vectors  # noqa: E402

DATA = json.loads(VECTORS.read_text())["calculators"]
CASES = [(name, case) for name, calc in DATA.items() for case in calc["cases"]]


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}:{c['label']}" for n, c in CASES])
def test_vector_matches_formulas(name, case):
    got = make_vectors.expected(name, case["inputs"])
    assert set(got) == set(case["expected"])
    for key, value in case["expected"].items():
        assert got[key] == pytest.approx(value, rel=1e-12), key


def test_every_calculator_has_enough_vectors():
    assert set(DATA) == set(CALCULATORS)
    for name, calc in DATA.items():
        assert len(calc["cases"]) >= 4, name
        assert calc["bad_inputs"], name
    kv_models = {c["inputs"]["model"] for c in DATA["kv-cache"]["cases"]}
    assert {"mistral-7b-v0.1", "deepseek-v3"} <= kv_models  # sliding window and MLA
    assert any(c["expected"]["fits"] == 0 for c in DATA["gpu-memory"]["cases"])
    for calc in ("gpu-memory", "decode-bound"):
        models = {c["inputs"]["model"] for c in DATA[calc]["cases"]}
        assert "deepseek-v3" in models and models & {"mistral-7b-v0.1", "gemma-3-27b"}, calc


def test_vectors_file_is_current():
    """Regenerate with `.venv/bin/python tests/vectors/make_vectors.py` after changing data or formulas."""
    assert json.loads(VECTORS.read_text()) == json.loads(json.dumps(make_vectors.build()))


# --- hand-checked values --------------------------------------------------------------

def test_llama_8b_kv_per_token():
    # 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes
    assert f.kv_bytes_per_token("llama-3.1-8b", "bf16") == 2 * 32 * 8 * 128 * 2 == 131072


def test_deepseek_v3_mla_kv_per_token():
    # 61 layers x (512 latent + 64 RoPE key) x 2 bytes
    assert f.kv_bytes_per_token("deepseek-v3", "bf16") == 61 * 576 * 2 == 70272


def test_sliding_window_stops_growing():
    # Mistral 7B v0.1: every layer keeps at most 4096 tokens.
    assert f.kv_bytes("mistral-7b-v0.1", "bf16", 32768) == f.kv_bytes("mistral-7b-v0.1", "bf16", 4096)
    assert f.kv_bytes_per_token("mistral-7b-v0.1", "bf16", context=8192) == 131072 / 2


def test_speculative_expected_tokens():
    assert f.spec_tokens_per_step(0.8, 4) == pytest.approx((1 - 0.8 ** 5) / 0.2)
    assert f.spec_tokens_per_step(0.8, 4) == pytest.approx(3.3616, rel=1e-12)
    assert f.spec_tokens_per_step(1.0, 3) == 4.0
    assert f.spec_speedup(0.8, 4, 0.05) == pytest.approx(3.3616 / 1.2)


# Llama 3.1 8B in BF16 on one H100 SXM, by hand: weights 2 x 8,030,261,248 = 16,060,522,496 B, of which the
# untied input embedding table is 128,256 x 4096 x 2 = 1,050,673,152 B; a step reads the rest,
# _W = 15,009,849,344 B, plus one 4096 x 2 = 8,192 B row per sequence (_ROW);
# KV 131,072 B per token; 3.35e12 B/s; 989.5e12 FLOP/s dense BF16;
# FLOPs per position at context S: 2 x 8,030,261,248 + 4 x 32 layers x 4096 x S.
_W, _ROW, _KV, _BW, _PEAK = 15_009_849_344, 8_192, 131_072, 3.35e12, 989.5e12


def _f8b(context):
    return 16_060_522_496 + 4 * 32 * 4096 * context


def test_spec_verify_step_shares_weight_and_kv_reads():
    # batch 256, 128 tokens cached, 4 drafts: memory 5.763 ms, compute 256 x 5 x F / peak = 20.86 ms
    memory = (_W + 256 * (128 * _KV + _ROW)) / _BW
    compute = 256 * 5 * _f8b(128) / _PEAK
    assert memory == pytest.approx(5.7632578e-3, rel=1e-6) and compute == pytest.approx(20.8625e-3, rel=1e-4)
    assert f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", 256, 128, 4) == pytest.approx(compute)
    # no drafts = a plain decode step, memory-bound here
    assert f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", 256, 128, 0) == pytest.approx(memory)
    for batch, context in ((1, 0), (256, 128), (64, 8192)):
        assert f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", batch, context, 0) == pytest.approx(
            f.decode_step_time("llama-3.1-8b", "h100-sxm", "bf16", batch, context))
    # 8K context: the 1.07 GB KV cache of each sequence outweighs five positions of FLOPs, verification is free
    at_8k = (_W + 256 * (8192 * _KV + _ROW)) / _BW
    assert at_8k > 256 * 5 * _f8b(8192) / _PEAK
    assert f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", 256, 8192, 4) == pytest.approx(at_8k)


def test_spec_speedup_at_batch_and_crossover():
    ratio = (256 * 5 * _f8b(128) / _PEAK) / ((_W + 256 * (128 * _KV + _ROW)) / _BW)  # 3.6199
    assert ratio == pytest.approx(3.6199, rel=1e-4)
    assert f.spec_speedup_at_batch(0.8, 4, 0.05, "llama-3.1-8b", "h100-sxm", "bf16", 256, 128) == pytest.approx(
        3.3616 / (4 * 0.05 + ratio))  # 0.880: speculation costs throughput
    assert f.spec_speedup_at_batch(0.8, 4, 0.05, "llama-3.1-8b", "h100-sxm", "bf16", 256, 8192) == pytest.approx(
        3.3616 / 1.2)  # the batch-1 figure survives
    # crossover at 128 tokens: B > gain W/BW / (5 F/peak - gain (K + row)/BW) with gain = 3.3616 - 0.2 = 3.1616
    # -> 215.8
    gain = 3.3616 - 0.2
    edge = gain * _W / _BW / (5 * _f8b(128) / _PEAK - gain * (128 * _KV + _ROW) / _BW)
    assert edge == pytest.approx(215.77, abs=0.01)
    assert f.spec_crossover_batch(0.8, 4, 0.05, "llama-3.1-8b", "h100-sxm", "bf16", 128) == 216
    args = (0.8, 4, 0.05, "llama-3.1-8b", "h100-sxm", "bf16")
    assert f.spec_speedup_at_batch(*args, 215, 128) >= 1 > f.spec_speedup_at_batch(*args, 216, 128)
    assert f.spec_crossover_batch(*args, 512) == 740
    assert f.spec_crossover_batch(*args, 2048) == math.inf  # the cost ratio tends to 1.08, below the gain
    assert f.spec_crossover_batch(0.3, 6, 0.2, "llama-3.1-8b", "h100-sxm", "bf16", 512) == 1  # never pays
    assert f.spec_crossover_batch(0.7, 0, 0.3, "llama-3.1-8b", "h100-sxm", "bf16", 0) == math.inf  # k=0 is plain
    # the bound does not depend on how many GPUs share the work (communication left out)
    assert f.spec_crossover_batch(*args, 128, "bf16", 8) == 216


def test_spec_compute_bound_batch():
    # plain step at 128 tokens: W/BW / (F/peak - (K + row)/BW) = 396.9 -> 397; with 4 drafts 58.6 -> 59
    assert f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", 128, 0) == 397
    assert f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", 128, 4) == 59
    assert (_W / _BW) / (_f8b(128) / _PEAK - (128 * _KV + _ROW) / _BW) == pytest.approx(396.92, abs=0.01)
    assert (_W / _BW) / (5 * _f8b(128) / _PEAK - (128 * _KV + _ROW) / _BW) == pytest.approx(58.58, abs=0.01)
    # from 512 tokens the plain step never turns compute-bound; from 8K not even verification does
    assert f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", 512, 0) == math.inf
    assert f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", 2048, 4) == 695
    assert f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", 8192, 4) == math.inf
    with pytest.raises(ValueError):
        f.spec_verify_step_time("llama-3.1-8b", "h100-sxm", "bf16", 0, 128, 4)
    with pytest.raises(ValueError):
        f.spec_compute_bound_batch("llama-3.1-8b", "h100-sxm", "bf16", -1, 4)


def test_weights_and_budget():
    assert f.weight_bytes("llama-3.1-70b", "fp8") == pytest.approx(70.553706496e9)
    # 2 x 80 GiB x 0.9 - 70.55 GB
    assert f.kv_budget_bytes("llama-3.1-70b", "h100-sxm", "fp8", 2, 0.9) == pytest.approx(
        2 * 80 * 2**30 * 0.9 - 70.553706496e9)
    assert f.max_sequences("llama-3.1-70b", "h100-sxm", "bf16", context_tokens=8192) == 0


def test_ridge_point_h100():
    assert f.ridge_point("h100-sxm", "bf16") == pytest.approx(989.5e12 / 3.35e12)
    assert f.ridge_point("h100-sxm", "fp8") == pytest.approx(1979e12 / 3.35e12)


def test_cost_and_capacity():
    assert f.cost_per_million_tokens(2.5, 1, 2000, 0.6) == pytest.approx(2.5 / (2000 * 0.6 * 3600) * 1e6)
    assert f.gpus_for_traffic(20, 1.5, 0.3) == math.ceil(26 / 1.5) == 18
    assert f.gpus_for_traffic(0.3, 0.1) == 3  # 2.9999999999999996 must not become 4 or stay 2


def test_flops_per_token_gqa_and_absorbed_mla():
    # Llama 3.1 8B at 8192 tokens of context: 2 x 8.03e9 parameters plus
    # 4 x 32 heads x 128 head_dim per layer and cached token, x 32 layers x 8192.
    assert f.flops_per_token("llama-3.1-8b", 8192) == pytest.approx(2 * 8_030_261_248 + 4 * 32 * 128 * 32 * 8192)
    # DeepSeek-V3 decode, MLA absorbed: per head the scores run over 512 + 64 = 576
    # latent values and the value sum over 512, so 2 x 128 x (576 + 512) = 278,528
    # FLOPs per layer and cached token; x 61 layers x 8192 tokens = 139,183,783,936.
    assert f.flops_per_token("deepseek-v3", 8192) == 2 * 37e9 + 139_183_783_936
    # Expanded per-head keys (192) and values (128) would cost 2 x 128 x 320 = 81,920, 3.4x less.
    assert f.attention_flops_per_pair("deepseek-v3", absorbed=False) == 81_920
    # Prefill counts MLA expanded: 61 x 81,920 x 4096 x 4097 / 2.
    assert f.prefill_flops("deepseek-v3", 4096) == 2 * 37e9 * 4096 + 61 * 81_920 * 4096 * 4097 / 2


def test_decode_bound_memory_bound_at_batch_1():
    weights = f.weight_bytes("llama-3.1-8b", "bf16") - f.embedding_unread_bytes("llama-3.1-8b", "bf16", 1)
    kv = f.kv_bytes("llama-3.1-8b", "bf16", 1024)
    assert f.decode_step_time("llama-3.1-8b", "h100-sxm", "bf16", 1, 1024) == pytest.approx((weights + kv) / 3.35e12)


def test_decode_bound_reads_one_embedding_row_per_sequence_when_untied():
    # Llama 3.1 8B (tie_word_embeddings: false): the input table is 128,256 x 4096 x 2 B = 1,050,673,152 B, of which
    # a step of 16 sequences reads 16 rows of 8,192 B; the output projection, a separate matrix, is read in full.
    assert f.input_embedding_bytes("llama-3.1-8b", "bf16") == 1_050_673_152
    assert f.embedding_unread_bytes("llama-3.1-8b", "bf16", 16) == 1_050_673_152 - 16 * 8_192
    kv = 16 * 2048 * 131_072                     # 16 sequences x 2048 tokens x 131,072 B
    by_hand = (16_060_522_496 - 1_050_673_152 + 16 * 8_192 + kv) / 3.35e12
    assert f.decode_step_time("llama-3.1-8b", "h100-sxm", "bf16", 16, 2048) == pytest.approx(by_hand, rel=1e-12)
    # FP8 weights: one byte per weight, the table and its rows included
    assert f.embedding_unread_bytes("llama-3.1-8b", "fp8", 1) == 128_256 * 4096 - 4096
    # Gemma 3 27B (tie_word_embeddings: true): the output projection reads the one matrix in full, nothing skipped
    assert f.input_embedding_bytes("gemma-3-27b", "bf16") == 262_208 * 5376 * 2
    assert f.embedding_unread_bytes("gemma-3-27b", "bf16", 16) == 0
    gemma = (27e9 * 2 + f.kv_read_bytes("gemma-3-27b", "bf16", 1024, 4)) / 3.35e12
    assert f.decode_step_time("gemma-3-27b", "h100-sxm", "bf16", 4, 1024) == pytest.approx(gemma, rel=1e-12)
    # the routed-experts variant subtracts the same rows: a dense model reads the same either way
    assert f.weight_read_bytes("llama-3.1-8b", "bf16", 16) == 16_060_522_496 - 1_050_673_152 + 16 * 8_192
    with pytest.raises(ValueError):
        f.embedding_unread_bytes("llama-3.1-8b", "bf16", 0)


def test_bad_formula_inputs():
    with pytest.raises(ValueError):
        f.spec_tokens_per_step(1.2, 4)
    with pytest.raises(ValueError):
        f.cost_per_million_tokens(2, 1, 0, 0.5)
    with pytest.raises(KeyError):
        f.peak_flops("a100-sxm-80gb", "fp8")

