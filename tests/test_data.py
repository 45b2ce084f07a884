"""The data loader rejects malformed entries with a `file:key` message and a fix."""
from __future__ import annotations

import textwrap

import pytest

from handbook import data
from handbook.errors import HandbookError

MODEL = """\
- id: tiny
  name: Tiny
  architecture: dense
  attention: gqa
  params_total: 1.0e+9
  params_active: 1.0e+9
  num_layers: 4
  hidden_size: 256
  num_attention_heads: 4
  num_kv_heads: 2
  head_dim: 64
  intermediate_size: 1024
  vocab_size: 1000
  max_position_embeddings: 2048
  source: https://example.org/config.json
  retrieved: 2026-11-27
"""
GPU = """\
- id: card
  name: Card
  vendor: Example
  memory: 80 GB
  memory_bandwidth: 3 TB/s
  dense:
    bf16: 1000 TFLOPS
  source: https://example.org/datasheet.pdf
  retrieved: 2026-11-27
"""


@pytest.fixture(autouse=True)
def _fresh_cache():
    data.clear_cache()
    yield
    data.clear_cache()


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _error(loader, path) -> str:
    with pytest.raises(HandbookError) as info:
        loader(path)
    return str(info.value)


def test_valid_entries_load(tmp_path):
    models = data.load_models(_write(tmp_path, "models.yml", MODEL))
    assert models["tiny"].num_layers == 4
    gpus = data.load_gpus(_write(tmp_path, "gpus.yml", GPU))
    assert gpus["card"].memory_bytes == 80e9 and gpus["card"].dense["bf16"] == 1e15


def test_missing_source(tmp_path):
    text = MODEL.replace("  source: https://example.org/config.json\n", "")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "models.yml:tiny.source" in message and "missing" in message and "Fix:" in message


def test_source_not_a_url(tmp_path):
    text = MODEL.replace("https://example.org/config.json", "the model card")
    assert "models.yml:tiny.source" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_bad_unit(tmp_path):
    text = GPU.replace("memory: 80 GB", "memory: 80 gigs")
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))
    assert "gpus.yml:card.memory" in message and "unit" in message


def test_wrong_dimension(tmp_path):
    text = GPU.replace("memory_bandwidth: 3 TB/s", "memory_bandwidth: 3 TB")
    assert "gpus.yml:card.memory_bandwidth" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_duplicate_id(tmp_path):
    message = _error(data.load_models, _write(tmp_path, "models.yml", MODEL + MODEL))
    assert "models.yml:tiny" in message and "duplicate" in message


def test_negative_layers(tmp_path):
    text = MODEL.replace("num_layers: 4", "num_layers: -4")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "models.yml:tiny.num_layers" in message and "positive" in message


def test_fractional_heads(tmp_path):
    text = MODEL.replace("num_kv_heads: 2", "num_kv_heads: 2.5")
    assert "models.yml:tiny.num_kv_heads" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_unknown_precision(tmp_path):
    text = GPU.replace("bf16: 1000 TFLOPS", "bf12: 1000 TFLOPS")
    assert "gpus.yml:card.dense.bf12" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_bad_retrieved_date(tmp_path):
    text = GPU.replace("retrieved: 2026-11-27", "retrieved: last week")
    assert "gpus.yml:card.retrieved" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_mla_needs_latent_rank(tmp_path):
    text = MODEL.replace("attention: gqa", "attention: mla")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "models.yml:tiny.kv_lora_rank" in message


def test_interconnect_direction_required(tmp_path):
    text = GPU + "  interconnect:\n    name: Link\n    bandwidth: 900 GB/s\n"
    assert "gpus.yml:card.interconnect.direction" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_active_exceeds_total(tmp_path):
    text = MODEL.replace("params_active: 1.0e+9", "params_active: 2.0e+9")
    assert "models.yml:tiny.params_active" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_repository_data_is_valid():
    assert len(data.load_models()) >= 10 and len(data.load_gpus()) >= 8
