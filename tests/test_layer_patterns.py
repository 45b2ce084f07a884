"""Per-layer attention patterns (issue 22): hybrid linear/full, sparse attention with an indexer, KV shared across
layers, chunked attention and mixed-precision experts. Each expected value is worked by hand from the model's
config.json fields in data/models.yml (the arithmetic is written out), not taken from the formulas."""
from __future__ import annotations

import pytest
from handbook import data
from handbook import formulas as f
from handbook.errors import HandbookError
from test_data import MODEL, _error, _write


def test_hybrid_qwen3_next_keeps_kv_on_12_layers_and_a_fixed_state_on_36():
    # full layers: 2 (K, V) x 2 KV heads x 256 x 2 bytes = 2048 bytes per token and layer, 12 layers
    assert f.kv_bytes_per_token("qwen3-next-80b-a3b") == 12 * 2048
    # linear layers: 32 value heads x 128 x 128 recurrent values + (4 - 1) x (2 x 16 x 128 + 32 x 128) conv values
    state = 36 * (32 * 128 * 128 + 3 * 8192) * 2
    assert f.state_bytes("qwen3-next-80b-a3b") == state == 39_518_208
    assert f.kv_bytes("qwen3-next-80b-a3b", "bf16", 32768) == 12 * 2048 * 32768 + state
    # the state is there from the first token, and per sequence: a batch of 4 holds four states
    assert f.kv_bytes("qwen3-next-80b-a3b", "bf16", 1, 4) == 4 * (12 * 2048 + state)


def test_sparse_deepseek_v32_caches_the_indexer_and_reads_only_top_k():
    # MLA 512 + 64 values x 2 bytes, plus the indexer: 128 FP8 values + one FP32 scale = 132 bytes; 61 layers
    assert f.kv_bytes_per_token("deepseek-v3.2") == 61 * (576 * 2 + 132) == 78_324
    tokens = 131072
    assert f.kv_bytes("deepseek-v3.2", "bf16", tokens) == 61 * tokens * 1284
    # a decode step reads the 2048 selected entries and the whole indexer cache
    assert f.kv_read_bytes("deepseek-v3.2", "bf16", tokens) == 61 * (2048 * 1152 + tokens * 132) == 1_199_308_800
    # below top-k every token is read, as in dense MLA
    assert f.kv_read_bytes("deepseek-v3.2", "bf16", 1000) == f.kv_bytes("deepseek-v3.2", "bf16", 1000)
    # FLOPs: 2 x active + per layer (2048 x absorbed MLA pair + every token x 2 x 64 indexer heads x 128)
    pair = 2 * 128 * (576 + 512)
    expected = 2 * 3.8403807488e10 + 61 * (2048 * pair + tokens * 2 * 64 * 128)
    assert f.flops_per_token("deepseek-v3.2", tokens) == pytest.approx(expected, rel=1e-12)


def test_kv_sharing_gemma_4_e4b_caches_24_of_42_layers_but_rereads_all():
    # own caches: 20 sliding layers (2 x 2 KV heads x 256 x 2 bytes = 2048 B, at most 512 tokens)
    # and 4 global layers (2 x 2 x 512 x 2 bytes = 4096 B per token); the 18 shared layers keep nothing
    assert f.kv_bytes("gemma-4-e4b", "bf16", 32768) == 20 * 512 * 2048 + 4 * 32768 * 4096 == 557_842_432
    assert f.kv_bytes_per_token("gemma-4-e4b") == 20 * 2048 + 4 * 4096
    # each of the 35 sliding and 7 global layers attends over a cache, so a decode step reads all of them
    assert f.kv_read_bytes("gemma-4-e4b", "bf16", 32768) == 35 * 512 * 2048 + 7 * 32768 * 4096


def test_global_layers_with_their_own_head_shape():
    # Gemma 4 31B: 50 sliding layers (2 x 16 x 256) of 1024 tokens, 10 global layers (2 x 4 x 512), FP8
    assert f.kv_bytes("gemma-4-31b", "fp8", 262144) == 50 * 1024 * 8192 + 10 * 262144 * 4096
    # decode attention FLOPs per cached token: 4 x 32 heads x 256 on sliding, 4 x 32 x 512 on global layers
    extra = f.flops_per_token("gemma-4-31b", 4096) - f.flops_per_token("gemma-4-31b", 0)
    assert extra == 50 * 1024 * 4 * 32 * 256 + 10 * 4096 * 4 * 32 * 512


def test_chunked_layers_hold_at_most_one_chunk():
    # Llama 4 Scout: 12 full layers and 36 chunked layers of 8192 tokens, 2 x 8 KV heads x 128 x 2 bytes
    assert f.kv_bytes("llama-4-scout", "bf16", 1048576) == (12 * 1048576 + 36 * 8192) * 4096
    assert f.kv_bytes("llama-4-scout", "bf16", 4000) == 48 * 4000 * 4096


def test_linear_layers_cost_the_same_flops_at_any_context():
    # Kimi Linear: 20 KDA layers at 6 x 32 x 128 x 128 FLOPs each, 7 MLA layers that grow with the context
    k = f.flops_per_token("kimi-linear-48b-a3b", 0)
    assert k == 2 * 3.0e9 + 20 * 6 * 32 * 128 * 128
    assert f.flops_per_token("kimi-linear-48b-a3b", 1000) - k == 7 * 1000 * 2 * 32 * (576 + 512)


def test_mixed_precision_experts():
    # gpt-oss-120b: 36 MoE layers x 128 experts x 3 x 2880 x 2880 in the routed experts
    experts = 36 * 128 * 3 * 2880 * 2880
    assert f.routed_expert_params("gpt-oss-120b") == experts
    assert f.weight_bytes("gpt-oss-120b", "bf16", expert_dtype="fp4") == (1.168e11 - experts) * 2 + experts * 0.5
    assert f.weight_bytes("gpt-oss-120b", "bf16") == 1.168e11 * 2  # the old call is unchanged
    # Llama 4 Maverick: MoE on 24 of 48 layers (num_moe_layers), 128 experts of 8192
    assert f.routed_expert_params("llama-4-maverick") == 24 * 128 * 3 * 5120 * 8192
    assert f.routed_expert_params("llama-3.1-8b") == 0


def test_models_without_the_new_patterns_are_unchanged():
    for model in ("llama-3.1-8b", "gemma-3-27b", "deepseek-v3", "mistral-7b-v0.1"):
        assert f.kv_read_bytes(model, "bf16", 9000, 3) == f.kv_bytes(model, "bf16", 9000, 3)
        assert f.state_bytes(model) == 0
    assert f.kv_bytes("llama-3.1-8b", "bf16", 8192) == 32 * 8192 * 2 * 8 * 128 * 2


def test_decode_bound_reads_the_sparse_cache():
    # DeepSeek-V3.2 FP8 on one H200 at 128K: the memory term is the weights a step reads (all but the untied input
    # embedding table, 129,280 x 7168 x 1 byte, of which 64 rows) + the KV bytes a step reads
    g = data.gpu("h200")
    weights = f.weight_bytes("deepseek-v3.2", "fp8") - (129280 * 7168 - 64 * 7168)
    moved = weights + f.kv_read_bytes("deepseek-v3.2", "bf16", 131072, 64)
    work = 64 * f.flops_per_token("deepseek-v3.2", 131072)
    assert f.decode_step_time("deepseek-v3.2", "h200", "fp8", 64, 131072) == max(
        moved / g.memory_bandwidth, work / g.dense["fp8"])


HYBRID = MODEL + """\
  num_linear_layers: 3
  linear_num_key_heads: 2
  linear_num_value_heads: 4
  linear_key_head_dim: 32
  linear_value_head_dim: 32
  linear_conv_kernel_dim: 4
"""


def test_a_small_hybrid_loads_and_sizes(tmp_path):
    m = data.load_models(_write(tmp_path, "models.yml", HYBRID))["tiny"]
    assert f.state_bytes(m) == 3 * (4 * 32 * 32 + 3 * (2 * 2 * 32 + 4 * 32)) * 2
    assert f.kv_bytes(m, "bf16", 10) == 1 * 10 * 2 * 2 * 64 * 2 + f.state_bytes(m)


@pytest.mark.parametrize("old, new, where", [
    ("  linear_conv_kernel_dim: 4\n", "", "linear_conv_kernel_dim"),
    ("num_linear_layers: 3", "num_linear_layers: 5", "num_layers"),
])
def test_hybrid_fields_are_checked(tmp_path, old, new, where):
    assert f"(tiny.{where})" in _error(data.load_models, _write(tmp_path, "models.yml", HYBRID.replace(old, new)))


@pytest.mark.parametrize("extra, where", [
    ("  index_topk: 8\n  index_n_heads: 2\n  index_head_dim: 16\n  index_scale_block: 16\n", "indexer_dtype"),
    ("  index_topk: 8\n  index_n_heads: 2\n  index_head_dim: 16\n  index_scale_block: 16\n  indexer_dtype: fp7\n",
     "indexer_dtype"),
    ("  index_topk: 8\n", "index_n_heads"),
    ("  sliding_window: 16\n  num_sliding_layers: 2\n  kv_shared_sliding_layers: 3\n", "kv_shared_sliding_layers"),
    ("  kv_shared_full_layers: 4\n", "kv_shared_full_layers"),
    ("  num_chunked_layers: 2\n", "attention_chunk_size"),
])
def test_pattern_fields_are_checked(tmp_path, extra, where):
    message = _error(data.load_models, _write(tmp_path, "models.yml", MODEL + extra))
    assert f"(tiny.{where})" in message


def test_every_new_model_has_a_source_and_a_retrieval_date():
    for model_id in ("deepseek-v3.2", "qwen3-next-80b-a3b", "kimi-linear-48b-a3b", "gemma-4-31b", "gemma-4-e4b",
                     "llama-4-scout", "llama-4-maverick", "deepseek-v4-flash", "deepseek-v4-pro", "kimi-k2", "glm-4.5",
                     "glm-4.5-air"):
        m = data.model(model_id)
        assert m.source.startswith("https://") and m.retrieved == "2026-12-07"
        assert m.get("source_ref") and m.get("source_note")


def test_pattern_errors_are_handbook_errors(tmp_path):
    with pytest.raises(HandbookError):
        data.load_models(_write(tmp_path, "models.yml", HYBRID.replace("num_linear_layers: 3", "num_linear_layers: 9")))


def test_kv_comparison_table_covers_each_design():
    from handbook.render import tables
    text = tables.kv_comparison_table()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(tables.KV_COMPARISON)
    qwen = next(r for r in rows if r.startswith("| Qwen3-Next"))
    assert "hybrid: 36 linear + 12 GQA" in qwen
    # 32K sequence: 12 x 2048 B x 32768 + the 37.7 MiB state = 806 MiB
    assert "| 806 |" in qwen and "| 37.7 |" in qwen
    assert "sparse (MLA + indexer, top-2,048)" in text and "18 layers share KV" in text


def test_compressed_deepseek_v4_flash_keeps_a_window_and_one_entry_per_ratio():
    # one 512-wide vector per entry serves as key and value: 1024 bytes in BF16
    # 2 window-only layers: 128 entries; 21 ratio-4 layers: 128 + 32768 / 4 entries plus an FP4 indexer key per
    # compressed entry (128 x 0.5 bytes + 4 one-byte scales = 68 bytes); 20 ratio-128 layers: 128 + 32768 / 128
    expected = 2 * 128 * 1024 + 21 * ((128 + 8192) * 1024 + 8192 * 68) + 20 * (128 + 256) * 1024
    assert f.kv_bytes("deepseek-v4-flash", "bf16", 32768) == expected == 198_737_920
    # a decode step reads the window, the indexer's top 512 compressed entries and every indexer key
    read = 2 * 128 * 1024 + 21 * ((128 + 512) * 1024 + 8192 * 68) + 20 * (128 + 256) * 1024
    assert f.kv_read_bytes("deepseek-v4-flash", "bf16", 32768) == read
    # only complete groups are compressed: 130 tokens give 32 entries at 1/4 and 1 at 1/128; 127 tokens none there
    assert f.kv_bytes("deepseek-v4-flash", "bf16", 130) == (2 * 128 * 1024 + 21 * ((128 + 32) * 1024 + 32 * 68)
                                                            + 20 * (128 + 1) * 1024)
    assert f.kv_bytes("deepseek-v4-flash", "bf16", 127) == (2 * 127 * 1024 + 21 * ((127 + 31) * 1024 + 31 * 68)
                                                            + 20 * 127 * 1024)
    # per token with no window: 21 x (1024 + 68) / 4 + 20 x 1024 / 128 + 2 x 1024
    assert f.kv_bytes_per_token("deepseek-v4-flash") == 21 * 1092 / 4 + 20 * 8 + 2048


def test_compressed_layers_attend_to_window_and_selected_entries():
    # DeepSeek-V4-Pro at 1M tokens: 30 indexed layers read 128 + 1024 entries and score 262144 compressed keys;
    # 31 ratio-128 layers read 128 + 8192 entries; 4 x 128 heads x 512 FLOPs per entry (MQA, K = V)
    pair = 4 * 128 * 512
    attention = 30 * ((128 + 1024) * pair + 262144 * 2 * 64 * 128) + 31 * (128 + 8192) * pair
    assert f.flops_per_token("deepseek-v4-pro", 1048576) == 2 * 4.9777891328e10 + attention


def test_prefill_of_compressed_layers_sums_what_each_token_attends(tmp_path):
    # a 2-layer toy: window 4, one ratio-2 indexed layer (top-3), one ratio-4 layer; 10-token prompt
    text = MODEL.replace("num_layers: 4", "num_layers: 2").replace("num_kv_heads: 2", "num_kv_heads: 1") + """\
  kv_single_tensor: true
  sliding_window: 4
  compressed_layers:
    - {layers: 1, ratio: 2, indexed: true}
    - {layers: 1, ratio: 4}
  index_topk: 3
  index_n_heads: 2
  index_head_dim: 8
  index_scale_block: 8
  indexer_dtype: fp8
"""
    m = data.load_models(_write(tmp_path, "models.yml", text))["tiny"]
    pair = 4 * 4 * 64  # expanded = absorbed for non-MLA: 4 x heads x head_dim
    local = sum(min(i, 4) for i in range(1, 11))
    ratio2 = sum(min(i // 2, 3) for i in range(1, 11))
    ratio4 = sum(i // 4 for i in range(1, 11))
    index = sum(i // 2 for i in range(1, 11)) * 2 * 2 * 8
    expected = 2 * 1.0e9 * 10 + (2 * local + ratio2 + ratio4) * pair + index
    assert f.prefill_flops(m, 10) == expected


@pytest.mark.parametrize("extra, where", [
    ("  compressed_layers: 3\n", "compressed_layers"),
    ("  compressed_layers:\n    - {layers: 5, ratio: 4}\n", "num_layers"),
    ("  compressed_layers:\n    - {layers: 1, ratio: 4, indexed: true}\n", "index_topk"),
    ("  compressed_layers:\n    - {layers: 1, ratio: 0}\n", "compressed_layers[0].ratio"),
    ("  kv_single_tensor: maybe\n", "kv_single_tensor"),
])
def test_compressed_fields_are_checked(tmp_path, extra, where):
    assert f"(tiny.{where})" in _error(data.load_models, _write(tmp_path, "models.yml", MODEL + extra))


def test_routed_reads_count_only_the_experts_a_batch_selects():
    # Qwen3-Next at batch 1: everything but the routed experts and the untied input embedding table (151,936 x 2048),
    # plus one row of that table per sequence and 10 of 512 experts per layer (FP8: 1 byte each)
    experts = 48 * 512 * 3 * 2048 * 512
    assert f.routed_expert_params("qwen3-next-80b-a3b") == experts
    dense_part = 7.9674391296e10 - experts - 151936 * 2048
    assert f.weight_read_bytes("qwen3-next-80b-a3b", "fp8", 1) == pytest.approx(dense_part + 2048 + experts * 10 / 512)
    # a batch of 64 touches 1 - (1 - 10/512)^64 of the experts (uniform routing) and 64 rows of the table
    share = 1 - (1 - 10 / 512) ** 64
    assert f.weight_read_bytes("qwen3-next-80b-a3b", "fp8", 64) == pytest.approx(
        dense_part + 64 * 2048 + experts * share)
    # a dense model: all its weights but the table, plus 7 rows of 4096 x 2 bytes
    assert f.weight_read_bytes("llama-3.1-8b", "bf16", 7) == f.weight_bytes("llama-3.1-8b", "bf16") - (
        128256 * 4096 * 2 - 7 * 4096 * 2)
    # the decode bound uses them only when asked, so existing results do not move
    assert f.decode_step_time("qwen3-next-80b-a3b", "h200", "fp8", 1, 32768) > f.decode_step_time(
        "qwen3-next-80b-a3b", "h200", "fp8", 1, 32768, routed_reads=True)


def test_gpus_to_hold_weights_and_sequences():
    from handbook.render import tables
    g = data.gpu("h200")
    need = f.weight_bytes("llama-3.1-70b", "fp8") + 32 * f.kv_bytes("llama-3.1-70b", "bf16", 32768)
    assert tables.gpus_to_hold("llama-3.1-70b") == -(-need // (g.memory * 0.9))
    # FP4 experts as DeepSeek-V4 ships them need fewer GPUs than FP8 throughout
    assert tables.gpus_to_hold("deepseek-v4-pro", expert_dtype="fp4") < tables.gpus_to_hold("deepseek-v4-pro")
