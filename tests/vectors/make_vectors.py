"""Regenerate tests/vectors/calculators.json and tests/vectors/planner.json from scripts/handbook/formulas/.

    .venv/bin/python tests/vectors/make_vectors.py

Each case: the calculator's inputs (as a reader would type them) and the expected
results in base units, as the `data-value` of each result element.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from handbook import formulas as f  # noqa: E402
from handbook.formulas import planner  # noqa: E402


def expected(name: str, i: dict) -> dict:
    if name == "kv-cache":
        return {"bytes_per_token": f.kv_bytes_per_token(i["model"], i["kv_dtype"], int(i["context_tokens"])),
                "total_bytes": f.kv_bytes(i["model"], i["kv_dtype"], int(i["context_tokens"]), int(i["batch_size"]))}
    if name == "gpu-memory":
        args = (i["model"], i["gpu"], i["weight_dtype"])
        n, mu = int(i["gpu_count"]), float(i["memory_utilization"])
        seqs = f.max_sequences(*args, i["kv_dtype"], int(i["context_tokens"]), n, mu)
        return {"weight_bytes": f.weight_bytes(i["model"], i["weight_dtype"]),
                "kv_budget_bytes": f.kv_budget_bytes(*args, n, mu),
                "max_sequences": seqs, "fits": 1 if seqs >= 1 else 0}
    if name == "decode-bound":
        args = (i["model"], i["gpu"], i["weight_dtype"], int(i["batch_size"]), int(i["context_tokens"]))
        return {"step_time_s": f.decode_step_time(*args), "tokens_per_s": f.decode_tokens_per_s(*args)}
    if name == "speculative":
        a, k, r = float(i["acceptance_rate"]), int(i["draft_tokens"]), float(i["draft_cost_ratio"])
        target = (i["model"], i["gpu"], i["weight_dtype"])
        batch, ctx, kv = int(i["batch_size"]), int(i["context_tokens"]), i["kv_dtype"]
        verify = f.spec_verify_step_time(*target, batch, ctx, k, kv) / f.spec_verify_step_time(*target, batch, ctx, 0, kv)
        cross = f.spec_crossover_batch(a, k, r, *target, ctx, kv)
        return {"tokens_per_step": f.spec_tokens_per_step(a, k), "speedup": f.spec_speedup(a, k, r),
                "verify_cost_ratio": verify, "speedup_at_batch": f.spec_speedup_at_batch(a, k, r, *target, batch, ctx, kv),
                "crossover_batch": 0 if math.isinf(cross) else cross}  # the calculator shows 0 as "never"
    if name == "cost":
        return {"usd_per_million_tokens": f.cost_per_million_tokens(float(i["gpu_hourly_usd"]), int(i["gpu_count"]),
                                                                    float(i["tokens_per_s"]), float(i["utilization"]))}
    if name == "capacity":
        return {"gpus": f.gpus_for_traffic(float(i["requests_per_s"]), float(i["capacity_per_gpu"]),
                                           float(i["headroom"]))}
    raise KeyError(name)


_SPEC_8B = dict(model="llama-3.1-8b", weight_dtype="bf16", gpu="h100-sxm", kv_dtype="bf16")

CASES = {
    "kv-cache": [
        ("Llama 3.1 8B, BF16, 8K, one sequence", dict(model="llama-3.1-8b", kv_dtype="bf16", context_tokens="8192", batch_size="1")),
        ("Llama 3.1 70B, FP8 cache, 32K x 16", dict(model="llama-3.1-70b", kv_dtype="fp8", context_tokens="32768", batch_size="16")),
        ("Mistral 7B v0.1 (sliding window everywhere), 32K", dict(model="mistral-7b-v0.1", kv_dtype="bf16", context_tokens="32768", batch_size="4")),
        ("Gemma 3 27B (52 of 62 layers windowed), 128K", dict(model="gemma-3-27b", kv_dtype="bf16", context_tokens="131072", batch_size="2")),
        ("DeepSeek-V3 (MLA), 4K x 64", dict(model="deepseek-v3", kv_dtype="bf16", context_tokens="4096", batch_size="64")),
        ("gpt-oss-120b, FP8 cache, 100 tokens", dict(model="gpt-oss-120b", kv_dtype="fp8", context_tokens="100", batch_size="3")),
        ("Qwen3-Next 80B-A3B (hybrid: 36 Gated DeltaNet + 12 full layers), 32K x 8", dict(model="qwen3-next-80b-a3b", kv_dtype="bf16", context_tokens="32768", batch_size="8")),
        ("Kimi Linear 48B-A3B (hybrid KDA + MLA), 1 token: the fixed state dominates", dict(model="kimi-linear-48b-a3b", kv_dtype="bf16", context_tokens="1", batch_size="1")),
        ("DeepSeek-V3.2 (sparse: MLA + FP8 indexer cache), 128K", dict(model="deepseek-v3.2", kv_dtype="bf16", context_tokens="131072", batch_size="2")),
        ("Gemma 4 E4B (18 of 42 layers share KV), 32K", dict(model="gemma-4-e4b", kv_dtype="bf16", context_tokens="32768", batch_size="1")),
        ("Gemma 4 31B (wide global heads), FP8 cache, 256K", dict(model="gemma-4-31b", kv_dtype="fp8", context_tokens="262144", batch_size="1")),
        ("Llama 4 Scout (36 chunked layers of 8192), 1M", dict(model="llama-4-scout", kv_dtype="bf16", context_tokens="1048576", batch_size="1")),
        ("DeepSeek-V4-Flash (compressed: window 128, 21 layers at 1/4 with an indexer, 20 at 1/128), 1M", dict(model="deepseek-v4-flash", kv_dtype="bf16", context_tokens="1048576", batch_size="1")),
        ("DeepSeek-V4-Pro, FP8 cache, 100,003 tokens (not a multiple of either ratio)", dict(model="deepseek-v4-pro", kv_dtype="fp8", context_tokens="100003", batch_size="4")),
    ],
    "gpu-memory": [
        ("Llama 3.1 8B on one H100 SXM", dict(model="llama-3.1-8b", weight_dtype="bf16", gpu="h100-sxm", gpu_count="1", kv_dtype="bf16", context_tokens="8192", memory_utilization="0.9")),
        ("Llama 3.1 70B FP8 on 2x H100 SXM, 32K", dict(model="llama-3.1-70b", weight_dtype="fp8", gpu="h100-sxm", gpu_count="2", kv_dtype="bf16", context_tokens="32768", memory_utilization="0.9")),
        ("Llama 3.1 70B BF16 on one H100 SXM: does not fit", dict(model="llama-3.1-70b", weight_dtype="bf16", gpu="h100-sxm", gpu_count="1", kv_dtype="bf16", context_tokens="8192", memory_utilization="0.9")),
        ("DeepSeek-V3 (MLA) FP8 on 8x H200, 32K", dict(model="deepseek-v3", weight_dtype="fp8", gpu="h200", gpu_count="8", kv_dtype="bf16", context_tokens="32768", memory_utilization="0.92")),
        ("Gemma 3 27B (sliding window) on one L40S at INT4, 128K", dict(model="gemma-3-27b", weight_dtype="int4", gpu="l40s", gpu_count="1", kv_dtype="fp8", context_tokens="131072", memory_utilization="0.85")),
        ("Qwen3 32B on one L4: weights fit, not one 128K sequence", dict(model="qwen3-32b", weight_dtype="int4", gpu="l4", gpu_count="1", kv_dtype="bf16", context_tokens="131072", memory_utilization="0.9")),
        ("Qwen3-Next 80B-A3B (hybrid) FP8 on one H100 SXM, 256K", dict(model="qwen3-next-80b-a3b", weight_dtype="fp8", gpu="h100-sxm", gpu_count="1", kv_dtype="bf16", context_tokens="262144", memory_utilization="0.9")),
        ("DeepSeek-V3.2 (sparse) FP8 on 8x H200, 128K", dict(model="deepseek-v3.2", weight_dtype="fp8", gpu="h200", gpu_count="8", kv_dtype="bf16", context_tokens="131072", memory_utilization="0.9")),
        ("Gemma 4 E4B (KV sharing) BF16 on one L4, 128K", dict(model="gemma-4-e4b", weight_dtype="bf16", gpu="l4", gpu_count="1", kv_dtype="bf16", context_tokens="131072", memory_utilization="0.9")),
        ("DeepSeek-V4-Flash FP4 on one H200, 1M context", dict(model="deepseek-v4-flash", weight_dtype="fp4", gpu="h200", gpu_count="1", kv_dtype="fp8", context_tokens="1048576", memory_utilization="0.9")),
    ],
    "decode-bound": [
        ("Llama 3.1 8B on H100 SXM, batch 1", dict(model="llama-3.1-8b", weight_dtype="bf16", gpu="h100-sxm", batch_size="1", context_tokens="1024")),
        ("Llama 3.1 8B FP8 on H100 SXM, batch 512 (compute-bound)", dict(model="llama-3.1-8b", weight_dtype="fp8", gpu="h100-sxm", batch_size="512", context_tokens="2048")),
        ("Mistral 7B v0.1 (sliding window) on A100 80GB, batch 32, 16K", dict(model="mistral-7b-v0.1", weight_dtype="bf16", gpu="a100-sxm-80gb", batch_size="32", context_tokens="16384")),
        ("DeepSeek-V3 (MLA) FP8 on H200, batch 64, 8K", dict(model="deepseek-v3", weight_dtype="fp8", gpu="h200", batch_size="64", context_tokens="8192")),
        ("gpt-oss-20b INT4 (W4A16) on L4, batch 8", dict(model="gpt-oss-20b", weight_dtype="int4", gpu="l4", batch_size="8", context_tokens="0")),
        ("Qwen3-Next 80B-A3B (hybrid) FP8 on H100 SXM, batch 32, 32K", dict(model="qwen3-next-80b-a3b", weight_dtype="fp8", gpu="h100-sxm", batch_size="32", context_tokens="32768")),
        ("DeepSeek-V3.2 (sparse: reads top-2048 + indexer) FP8 on H200, batch 64, 128K", dict(model="deepseek-v3.2", weight_dtype="fp8", gpu="h200", batch_size="64", context_tokens="131072")),
        ("Gemma 4 E4B (shared layers reread KV) on L4, batch 16, 8K", dict(model="gemma-4-e4b", weight_dtype="bf16", gpu="l4", batch_size="16", context_tokens="8192")),
        ("DeepSeek-V4-Pro (compressed) FP8 on H200, batch 32, 1M", dict(model="deepseek-v4-pro", weight_dtype="fp8", gpu="h200", batch_size="32", context_tokens="1048576")),
        ("Gemma 3 27B (tied embeddings: the output projection reads the whole table) on H100 SXM, batch 4", dict(model="gemma-3-27b", weight_dtype="bf16", gpu="h100-sxm", batch_size="4", context_tokens="1024")),
    ],
    "speculative": [
        ("alpha 0.8, k 4, free draft, batch 1", dict(acceptance_rate="0.8", draft_tokens="4", draft_cost_ratio="0", **_SPEC_8B, batch_size="1", context_tokens="1024")),
        ("Llama 3.1 8B, batch 256, 128-token context: verification compute-bound, loses", dict(acceptance_rate="0.8", draft_tokens="4", draft_cost_ratio="0.05", **_SPEC_8B, batch_size="256", context_tokens="128")),
        ("same at 8K context: KV reads keep it memory-bound, never loses", dict(acceptance_rate="0.8", draft_tokens="4", draft_cost_ratio="0.05", **_SPEC_8B, batch_size="256", context_tokens="8192")),
        ("alpha 0.6, k 8, draft 10%, Llama 3.1 70B FP8 on H200, batch 64, 2K", dict(acceptance_rate="0.6", draft_tokens="8", draft_cost_ratio="0.1", model="llama-3.1-70b", weight_dtype="fp8", gpu="h200", kv_dtype="fp8", batch_size="64", context_tokens="2048")),
        ("alpha 1 (every draft accepted), k 3, Qwen3 32B INT4 (W4A16) on L40S, FP8 cache", dict(acceptance_rate="1", draft_tokens="3", draft_cost_ratio="0.2", model="qwen3-32b", weight_dtype="int4", gpu="l40s", kv_dtype="fp8", batch_size="512", context_tokens="300")),
        ("alpha 0.3, k 6, draft 20%: does not pay even at batch 1", dict(acceptance_rate="0.3", draft_tokens="6", draft_cost_ratio="0.2", **_SPEC_8B, batch_size="8", context_tokens="512")),
        ("k 0 is plain decoding, Mistral 7B v0.1 (sliding window)", dict(acceptance_rate="0.7", draft_tokens="0", draft_cost_ratio="0.3", model="mistral-7b-v0.1", weight_dtype="bf16", gpu="a100-sxm-80gb", kv_dtype="bf16", batch_size="32", context_tokens="16384")),
    ],
    "cost": [
        ("one GPU at 2.50 USD/h, 2000 tok/s, 60% busy", dict(gpu_hourly_usd="2.5", gpu_count="1", tokens_per_s="2000", utilization="0.6")),
        ("8 GPUs at 3.99 USD/h, 25000 tok/s, always busy", dict(gpu_hourly_usd="3.99", gpu_count="8", tokens_per_s="25000", utilization="1")),
        ("2 GPUs at 1.2 USD/h, 150 tok/s, 25% busy", dict(gpu_hourly_usd="1.2", gpu_count="2", tokens_per_s="150", utilization="0.25")),
        ("4 GPUs at 10 USD/h, 1e6 tok/s, 90% busy", dict(gpu_hourly_usd="10", gpu_count="4", tokens_per_s="1000000", utilization="0.9")),
    ],
    "capacity": [
        ("20 rps, 1.5 per GPU, 30% headroom", dict(requests_per_s="20", capacity_per_gpu="1.5", headroom="0.3")),
        ("exact multiple: 30 rps, 3 per GPU, no headroom", dict(requests_per_s="30", capacity_per_gpu="3", headroom="0")),
        ("no traffic", dict(requests_per_s="0", capacity_per_gpu="2", headroom="0.5")),
        ("0.3 x 3 float rounding: 0.1 rps x 3 / 0.1", dict(requests_per_s="0.3", capacity_per_gpu="0.1", headroom="0")),
        ("large: 1200 rps, 0.75 per GPU, 25%", dict(requests_per_s="1200", capacity_per_gpu="0.75", headroom="0.25")),
    ],
}

# Inputs a reader might type that must give an inline message and no result.
BAD = {
    "kv-cache": [("context_tokens", ""), ("context_tokens", "-5"), ("context_tokens", "abc"), ("batch_size", "0"),
                 ("batch_size", "1.5"), ("context_tokens", "1e30")],
    "gpu-memory": [("memory_utilization", "90"), ("memory_utilization", "0"), ("gpu_count", "2.5"),
                   ("context_tokens", "NaN")],
    "decode-bound": [("batch_size", "0"), ("context_tokens", "-1"), ("context_tokens", "Infinity")],
    "speculative": [("acceptance_rate", "1.2"), ("draft_tokens", "2.5"), ("draft_cost_ratio", "-0.1"),
                    ("acceptance_rate", ""), ("batch_size", "0"), ("context_tokens", "-1")],
    "cost": [("tokens_per_s", "0"), ("utilization", "0"), ("utilization", "1.5"), ("gpu_hourly_usd", "x")],
    "capacity": [("capacity_per_gpu", "0"), ("headroom", "-0.1"), ("requests_per_s", "1e400")],
}
# Selections that have no answer: the GPU has no tensor-core figure for the precision.
BAD_CHOICES = {
    "speculative": [dict(acceptance_rate="0.8", draft_tokens="4", draft_cost_ratio="0.05", model="llama-3.1-8b",
                         weight_dtype="fp8", gpu="a100-sxm-80gb", kv_dtype="bf16", batch_size="1", context_tokens="1024")],
    "decode-bound": [dict(model="llama-3.1-8b", weight_dtype="fp8", gpu="a100-sxm-80gb", batch_size="1",
                          context_tokens="1024")],
}


def build() -> dict:
    out = {"generated_by": "tests/vectors/make_vectors.py from scripts/handbook/formulas/", "calculators": {}}
    for name, cases in CASES.items():
        out["calculators"][name] = {
            "cases": [{"label": label, "inputs": inputs, "expected": expected(name, inputs)} for label, inputs in cases],
            "bad_inputs": [{"field": field, "value": value} for field, value in BAD.get(name, [])],
            "bad_choices": BAD_CHOICES.get(name, []),
        }
    return out


# --- the serving planner (docs/javascripts/planner.js) ----------------------------------------------------------------

PLANNER_BINDING = list(planner.CONSTRAINTS)   # the widget's `binding` result is the index of the binding constraint


def planner_expected(i: dict) -> dict:
    """What the planner widget shows for these inputs: each result's data-value, or {"infeasible": reason}."""
    p = planner.Profile(float(i["requests_per_s"]), int(i["prompt_tokens"]), int(i["output_tokens"]),
                        float(i["ttft_p99_s"]), float(i["tpot_p99_s"]), float(i["headroom"]))
    best = planner.plan(i["model"], i["gpu"], i["weight_dtype"], i["kv_dtype"], p, float(i["gpu_hourly_usd"]))
    if not best["feasible"]:
        return {"infeasible": best["reason"]}
    return {"gpus": best["gpus"], "replicas": best["replicas"], "tensor_parallel": best["tp"],
            "ttft_p99_s": best["ttft_p99_s"], "tpot_s": best["tpot_s"], "tokens_per_s": best["tokens_per_s"],
            "usd_per_million_tokens": best["usd_per_million_tokens"], "binding": PLANNER_BINDING.index(best["binding"])}


def _load(model, gpu, wd, kd, rps, prompt, output, ttft, tpot, headroom="0.3", price="2.5"):
    return dict(model=model, gpu=gpu, weight_dtype=wd, kv_dtype=kd, requests_per_s=rps, prompt_tokens=prompt,
                output_tokens=output, ttft_p99_s=ttft, tpot_p99_s=tpot, headroom=headroom, gpu_hourly_usd=price)


PLANNER_CASES = [
    ("the reader's question: Llama 3.1 70B FP8 on H100 SXM, 20 rps, 2,000 / 300 tokens, TTFT 1 s, TPOT 50 ms",
     _load("llama-3.1-70b", "h100-sxm", "fp8", "fp8", "20", "2000", "300", "1", "0.05")),
    ("same in BF16: larger replicas", _load("llama-3.1-70b", "h100-sxm", "bf16", "bf16", "20", "2000", "300", "1", "0.05")),
    ("Llama 3.1 8B on one L4 per replica (no GPU link)", _load("llama-3.1-8b", "l4", "bf16", "bf16", "3", "1000", "200",
                                                               "2", "0.1", "0.2", "0.8")),
    ("Mixtral 8x7B (MoE) on H200, long prompts", _load("mixtral-8x7b", "h200", "bf16", "fp8", "12", "8000", "400", "3",
                                                       "0.05")),
    ("DeepSeek-V3 (MLA, replicated latent) FP8 on H200", _load("deepseek-v3", "h200", "fp8", "fp8", "5", "4000", "500",
                                                              "5", "0.1", "0.2", "3.5")),
    ("Qwen3 235B-A22B (MoE, 4 KV heads: replicated at TP 8) FP8 on H100", _load(
        "qwen3-235b-a22b", "h100-sxm", "fp8", "fp8", "8", "3000", "600", "2", "0.08")),
    ("tight TPOT favours a wide replica", _load("llama-3.1-70b", "h100-sxm", "fp8", "fp8", "2", "1000", "300", "1", "0.02",
                                               "0", "4")),
    ("Gemma 3 27B (sliding window) on A100 80GB", _load("gemma-3-27b", "a100-sxm-80gb", "bf16", "bf16", "6", "6000", "250",
                                                        "2", "0.06")),
    ("DeepSeek-V3.2 (sparse: top-k reads, indexer cache) FP8 on H200, long prompts",
     _load("deepseek-v3.2", "h200", "fp8", "fp8", "3", "30000", "800", "10", "0.1", "0.2", "3.5")),
    ("Qwen3-Next 80B-A3B (linear/full hybrid: a fixed state) on H100", _load(
        "qwen3-next-80b-a3b", "h100-sxm", "bf16", "bf16", "10", "8000", "500", "2", "0.04")),
]
# Loads no deployment meets: the widget says why instead of printing a number.
PLANNER_INFEASIBLE = [
    ("Llama 3.1 405B BF16 on L4: the weights do not fit one GPU, and L4 has no GPU link",
     _load("llama-3.1-405b", "l4", "bf16", "bf16", "1", "1000", "100", "1", "0.1")),
    ("TPOT limit below one decode step", _load("llama-3.1-70b", "h100-sxm", "fp8", "fp8", "5", "2000", "300", "1", "0.005")),
    ("TTFT limit below one prefill", _load("llama-3.1-70b", "h100-sxm", "bf16", "bf16", "5", "100000", "300", "0.2", "0.1")),
]
PLANNER_BAD = [("requests_per_s", "0"), ("requests_per_s", "abc"), ("prompt_tokens", "1.5"), ("prompt_tokens", ""),
               ("output_tokens", "0"), ("ttft_p99_s", "-1"), ("tpot_p99_s", "0"), ("headroom", "-0.1"),
               ("gpu_hourly_usd", "x")]
# A precision the GPU has no tensor-core figure for: a message at the precision menu.
PLANNER_BAD_CHOICES = [_load("llama-3.1-8b", "a100-sxm-80gb", "fp8", "bf16", "2", "1000", "200", "1", "0.05")]


def build_planner() -> dict:
    return {"generated_by": "tests/vectors/make_vectors.py from scripts/handbook/formulas/planner.py",
            "binding": PLANNER_BINDING,
            "cases": [{"label": label, "inputs": inputs, "expected": planner_expected(inputs)}
                      for label, inputs in PLANNER_CASES],
            "infeasible": [{"label": label, "inputs": inputs, "reason": planner_expected(inputs)["infeasible"]}
                           for label, inputs in PLANNER_INFEASIBLE],
            "bad_inputs": [{"field": field, "value": value} for field, value in PLANNER_BAD],
            "bad_choices": PLANNER_BAD_CHOICES}


if __name__ == "__main__":
    for name, content in (("calculators.json", build()), ("planner.json", build_planner())):
        path = Path(__file__).with_name(name)
        path.write_text(json.dumps(content, indent=1) + "\n")
        print(f"wrote {path}")
