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
  memory:
    label: "80GB"
    capacity: 80 GiB
    basis: assumed-binary
    basis_note: A fixture card.
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
    assert gpus["card"].memory == 80 * 2**30 and gpus["card"].dense["bf16"] == 1e15
    assert gpus["card"].memory_label == "80GB" and gpus["card"].memory_reported == {}


def test_missing_source(tmp_path):
    text = MODEL.replace("  source: https://example.org/config.json\n", "")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "(tiny.source)" in message and "missing" in message and "Fix:" in message


def test_source_not_a_url(tmp_path):
    text = MODEL.replace("https://example.org/config.json", "the model card")
    assert "(tiny.source)" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_bad_unit(tmp_path):
    text = GPU.replace("capacity: 80 GiB", "capacity: 80 gigs")
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))
    assert "(card.memory.capacity)" in message and "binary units" in message


def test_errors_name_the_line_of_the_field(tmp_path):
    text = GPU.replace("capacity: 80 GiB", "capacity: 80 GB")
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))
    line = 1 + text.splitlines().index("    capacity: 80 GB")
    assert f"gpus.yml:{line} (card.memory.capacity)" in message


def test_capacity_must_be_binary(tmp_path):
    """One convention for every accelerator: a decimal capacity would skew every comparison."""
    text = GPU.replace("capacity: 80 GiB", "capacity: 80 GB")
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))
    assert "(card.memory.capacity)" in message and "mix conventions" in message


def test_memory_as_a_bare_quantity_is_refused(tmp_path):
    text = GPU.replace("  memory:\n    label:", "  memory: 80 GB\n  old:\n    label:")
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))
    assert "(card.memory)" in message and "label:" in message


NOTE = "    basis_note: A fixture card.\n"


@pytest.mark.parametrize("old, new, where", [
    ("basis: assumed-binary", "basis: hopeful", "card.memory.basis"),
    ("basis: assumed-binary", "basis: vendor-states-binary", "card.memory.basis_source"),
    (NOTE, "", "card.memory.basis_note"),
    (NOTE, NOTE + "    reported:\n      - {tool: nvidia-smi, value: 81 GiB, by: test}\n",
     "card.memory.reported[0].value"),
    (NOTE, NOTE + "    reported:\n      - {tool: htop, value: 79 GiB, by: test}\n", "card.memory.reported[0].tool"),
])
def test_memory_fields_are_checked(tmp_path, old, new, where):
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", GPU.replace(old, new)))
    assert "gpus.yml:" in message and f"({where})" in message


def test_reported_totals_by_tool(tmp_path):
    text = GPU.replace(NOTE, NOTE + "    reported:\n      - {tool: nvidia-smi, value: 81559 MiB, by: a test card}\n")
    card = data.load_gpus(_write(tmp_path, "gpus.yml", text))["card"]
    assert card.memory_reported == {"nvidia-smi": (81559 * 2**20, "a test card")}


def test_wrong_dimension(tmp_path):
    text = GPU.replace("memory_bandwidth: 3 TB/s", "memory_bandwidth: 3 TB")
    assert "(card.memory_bandwidth)" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_duplicate_id(tmp_path):
    message = _error(data.load_models, _write(tmp_path, "models.yml", MODEL + MODEL))
    assert "models.yml:17 (tiny.id): duplicate id 'tiny' (first at line 1)." in message


def test_negative_layers(tmp_path):
    text = MODEL.replace("num_layers: 4", "num_layers: -4")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "(tiny.num_layers)" in message and "positive" in message


def test_fractional_heads(tmp_path):
    text = MODEL.replace("num_kv_heads: 2", "num_kv_heads: 2.5")
    assert "(tiny.num_kv_heads)" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_unknown_precision(tmp_path):
    text = GPU.replace("bf16: 1000 TFLOPS", "bf12: 1000 TFLOPS")
    assert "(card.dense.bf12)" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_bad_retrieved_date(tmp_path):
    text = GPU.replace("retrieved: 2026-11-27", "retrieved: last week")
    assert "(card.retrieved)" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_mla_needs_latent_rank(tmp_path):
    text = MODEL.replace("attention: gqa", "attention: mla")
    message = _error(data.load_models, _write(tmp_path, "models.yml", text))
    assert "(tiny.kv_lora_rank)" in message


def test_interconnect_direction_required(tmp_path):
    text = GPU + "  interconnect:\n    name: Link\n    bandwidth: 900 GB/s\n"
    assert "(card.interconnect.direction)" in _error(data.load_gpus, _write(tmp_path, "gpus.yml", text))


def test_active_exceeds_total(tmp_path):
    text = MODEL.replace("params_active: 1.0e+9", "params_active: 2.0e+9")
    assert "(tiny.params_active)" in _error(data.load_models, _write(tmp_path, "models.yml", text))


def test_repository_data_is_valid():
    assert len(data.load_models()) >= 10 and len(data.load_gpus()) >= 8


SYSTEM = """\
  systems:
    - name: Card rack
      accelerators: 72
      scale_up_domain: 72
      fabric_bandwidth: 130 TB/s
      fabric_direction: total
      power: 142 kW
      source: https://example.org/rack.html
      retrieved: 2026-12-07
"""


def test_interconnect_direction_may_be_unstated(tmp_path):
    text = GPU + "  interconnect:\n    name: Link\n    bandwidth: 1280 GB/s\n    direction: unstated\n"
    card = data.load_gpus(_write(tmp_path, "gpus.yml", text))["card"]
    assert card.interconnect == 1.28e12 and card.interconnect_direction == "unstated"
    bad = text.replace("direction: unstated", "direction: both")
    assert "(card.interconnect.direction)" in _error(data.load_gpus, _write(tmp_path, "bad.yml", bad))


def test_systems_load_with_their_own_source(tmp_path):
    (rack,) = data.load_gpus(_write(tmp_path, "gpus.yml", GPU + SYSTEM))["card"].systems
    assert (rack.accelerators, rack.scale_up_domain, rack.fabric_bandwidth, rack.fabric_direction, rack.power) == (
        72, 72, 130e12, "total", 142e3)
    assert rack.source == "https://example.org/rack.html"


@pytest.mark.parametrize("old, new, where", [
    ("scale_up_domain: 72", "scale_up_domain: 144", "card.systems[0].scale_up_domain"),
    ("accelerators: 72", "accelerators: 7.5", "card.systems[0].accelerators"),
    ("      source: https://example.org/rack.html\n", "", "card.systems[0]"),
    ("fabric_direction: total", "fabric_direction: sideways", "card.systems[0].fabric_direction"),
    ("130 TB/s", "130 TFLOPS", "card.systems[0].fabric_bandwidth"),
])
def test_system_fields_are_checked(tmp_path, old, new, where):
    message = _error(data.load_gpus, _write(tmp_path, "gpus.yml", (GPU + SYSTEM).replace(old, new)))
    assert f"({where}" in message


def test_current_accelerators_state_memory_as_their_vendors_print_it():
    gpus = data.load_gpus()
    for gpu_id, label, gib, basis in [("tpu-v5p", "95 GiB", 95, "vendor-states-binary"),
                                      ("tpu7x", "192 GiB", 192, "vendor-states-binary"),
                                      ("trainium2", "96 GiB", 96, "vendor-states-binary"),
                                      ("trainium3", "144 GiB", 144, "vendor-states-binary"),
                                      ("b300", "288 GB", 288, "assumed-binary")]:
        gpu = gpus[gpu_id]
        assert (gpu.memory_label, gpu.memory / 2**30, gpu.memory_basis) == (label, gib, basis), gpu_id
    # GB300 NVL72: one NVLink domain of 72 GPUs, the printed 130 TB/s is 72 x the per-GPU 1.8 TB/s to within 1%
    rack = next(s for s in gpus["b300"].systems if s.accelerators == 72)
    assert rack.scale_up_domain == 72
    assert abs(rack.fabric_bandwidth / (72 * gpus["b300"].interconnect) - 1) < 0.01
