"""The lab's second series (speculative verification, FP8, chunked-prefill
interference, CUDA graphs): the forward passes compute what the lean model
computes, the tiny CPU runs give sane records, and the committed GPU records
hold together (each measured point against its own roofline)."""
from __future__ import annotations

import pytest
from lab.common import MEASUREMENTS, TINY, check_record, read_json
from test_lab import require_torch

SERIES = ("spec_verify", "fp8", "chunk_interference", "cuda_graphs")


# --- the forward passes ------------------------------------------------------------------

def _model(seed=3):
    torch = require_torch()
    from lab.model import LeanLlama
    return torch, LeanLlama(TINY, "cpu", torch.float32, seed=seed)


def test_verify_pass_matches_successive_decode_steps():
    torch, m = _model()
    from lab.spec_verify import verify_logits
    B, ctx, L = 2, 9, 4
    prompt = torch.randint(0, TINY.vocab, (B, ctx))
    drafts = torch.randint(0, TINY.vocab, (B, L))
    m.allocate_cache(B, ctx + L, fill=False)
    m.prefill_logits(prompt, 0)
    ref = torch.stack([m.decode_logits(drafts[:, j], ctx + j) for j in range(L)], dim=1)
    m.allocate_cache(B, ctx + L, fill=False)
    m.prefill_logits(prompt, 0)
    got = verify_logits(m, drafts, ctx)
    assert got.shape == (B, L, TINY.vocab)
    assert torch.allclose(got, ref, rtol=1e-4, atol=1e-5)


def test_draft_mask_is_causal_among_drafts():
    torch = require_torch()
    from lab.spec_verify import draft_mask
    mask = draft_mask(2, 3, 5, "cpu")[0, 0]
    assert mask.shape == (6, 8)
    # row p of each query head sees the 5 cached keys and drafts 0..p
    assert mask[:, :5].all()
    assert mask[0, 5:].tolist() == [True, False, False] and mask[2, 5:].tolist() == [True, True, True]
    assert torch.equal(mask[:3], mask[3:])


def test_mixed_step_matches_decode_and_prefill_apart():
    torch, m = _model()
    from lab.chunk_interference import mixed_logits
    B, ctx, C = 3, 7, 5
    dec = torch.randint(0, TINY.vocab, (B,))
    chunk = torch.randint(0, TINY.vocab, (C,))
    m.allocate_cache(B, ctx + 1)
    cache0 = m.cache.clone()
    ref_dec = m.decode_logits(dec, ctx)
    chunk_cache = torch.zeros(TINY.layers, 2, 1, TINY.kv_heads, C, TINY.head_dim)
    m.cache = chunk_cache
    ref_chunk = m.prefill_logits(chunk[None], 0)
    m.cache = cache0.clone()
    got = mixed_logits(m, dec, ctx, chunk, torch.zeros_like(chunk_cache), 0)
    assert got.shape == (B + 1, TINY.vocab)
    assert torch.allclose(got[:B], ref_dec, rtol=1e-4, atol=1e-5)
    assert torch.allclose(got[B:], ref_chunk, rtol=1e-4, atol=1e-5)


def test_mixed_step_later_chunk_attends_to_its_prefix():
    torch, m = _model()
    from lab.chunk_interference import mixed_logits
    P, C = 6, 4
    prompt = torch.randint(0, TINY.vocab, (P + C,))
    m.allocate_cache(1, P + C, fill=False)
    whole = m.prefill_logits(prompt[None], 0)
    chunk_cache = m.cache.clone()                   # (layers, 2, 1, kv, P + C, D): prefix K/V at 0..P-1
    empty = torch.zeros(0, dtype=torch.long)
    got = mixed_logits(m, empty, 0, prompt[P:], chunk_cache, P)
    assert torch.allclose(got, whole, rtol=1e-4, atol=1e-5)


def test_fp8_weight_multiplies_like_the_bf16_matrix():
    torch = require_torch()
    from lab import fp8
    ok, why = fp8.fp8_available("cpu")
    assert ok, f"this PyTorch cannot run torch._scaled_mm on the CPU ({why}); requirements-test.txt pins one that can"
    torch.manual_seed(0)
    w = torch.randn(64, 128) * 0.02
    x = torch.randn(3, 5, 64)
    ref = x @ w
    got = x @ fp8.FP8Weight(w)
    assert got.shape == ref.shape and got.dtype == ref.dtype
    rel = float((got - ref).norm() / ref.norm())
    assert 0 < rel < 0.1, rel        # E4M3 keeps 3 mantissa bits: a few percent, never exact
    assert fp8.FP8Weight(w).nbytes() == 64 * 128


def test_mixed_step_roofline_terms():
    from lab.chunk_interference import step_bytes, step_flops
    s = TINY
    assert step_flops(s, 4, 10, 0, 0) < step_flops(s, 4, 10, 8, 0) < step_flops(s, 4, 10, 8, 16)
    assert step_bytes(s, 4, 10, 8, 16) - step_bytes(s, 4, 10, 8, 0) == 16 * s.kv_bytes_per_token(2)


# --- tiny runs on the CPU -------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    require_torch()
    from lab import run
    out = tmp_path_factory.mktemp("lab2")
    rc = run.main(["--only", ",".join(SERIES), "--profile", "tiny", "--device", "cpu", "--out", str(out)])
    return rc, out


@pytest.mark.parametrize("name", SERIES)
def test_tiny_series_runs(tiny, name):
    rc, out = tiny
    assert rc == 0
    rec = read_json(out / f"{name}.json")
    check_record(rec, name)
    assert rec["config"]["profile"] == "tiny" and rec["provenance"]["device"] == "cpu"


def test_tiny_series_records_are_consistent(tiny):
    _, out = tiny
    sv = read_json(out / "spec_verify.json")
    assert {p["batch"] for p in sv["results"]["points"]} == {1, 4}
    for p in sv["results"]["points"]:
        assert [v["gamma"] for v in p["verify"]] == [1, 3]
        for v in p["verify"]:
            assert v["ratio"] == pytest.approx(v["time"]["median"] / p["plain"]["median"])
            assert v["formula"]["ratio"] >= 1.0
    ci = read_json(out / "chunk_interference.json")
    starts = {p["chunk_start"] for p in ci["results"]["points"]}
    assert starts == {0, 16}
    for p in ci["results"]["points"]:
        assert p["mixed_bound_s"] >= p["decode_only_bound_s"]
    cg = read_json(out / "cuda_graphs.json")
    assert [p["batch"] for p in cg["results"]["points"]] == [1, 4]


# --- committed measurements from the GPU ------------------------------------------------------

@pytest.mark.parametrize("name", SERIES)
def test_committed_series_record(name):
    rec = read_json(MEASUREMENTS / f"{name}.json")
    assert rec is not None, f"{name}.json not committed"
    check_record(rec, name)
    assert rec["provenance"]["gpu"] and rec["provenance"]["driver"], "committed measurements come from a GPU"
    assert rec["config"]["profile"] == "full"


def test_committed_spec_verify_costs_at_least_a_decode_step():
    rec = read_json(MEASUREMENTS / "spec_verify.json")
    for p in rec["results"]["points"]:
        # a pass over more positions never beats the roofline of its own bytes
        assert p["plain"]["median"] >= p["verify"][0]["formula"]["plain_s"] * 0.9
        for v in p["verify"]:
            assert v["ratio"] > 0.9, (p["batch"], p["context"], v["gamma"])


def test_committed_chunk_interference_grows_with_chunk():
    rec = read_json(MEASUREMENTS / "chunk_interference.json")
    for b in {p["batch"] for p in rec["results"]["points"]}:
        rows = sorted((p for p in rec["results"]["points"] if p["batch"] == b and p["chunk_start"] == 0),
                      key=lambda p: p["chunk"])
        times = [p["mixed"]["median"] for p in rows]
        assert times[-1] > 2 * times[0], b
        for p in rows:
            assert p["mixed"]["median"] >= p["mixed_bound_s"] * 0.95


def test_committed_cuda_graphs_never_slower_than_the_bound():
    rec = read_json(MEASUREMENTS / "cuda_graphs.json")
    for p in rec["results"]["points"]:
        assert p["graph"]["median"] >= p["bound_spec_s"] * 0.95
        assert p["graph"]["median"] <= p["eager"]["median"] * 1.05
