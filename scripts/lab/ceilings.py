"""Experiment 1: the two ceilings (memory bandwidth, matmul FLOP/s) and a
measured roofline.

* HBM bandwidth: a large device-to-device copy (bytes read + bytes written) and
  a read-only reduction (bytes read).
* Dense BF16 matmul FLOP/s over square sizes; FP8 E4M3 through
  ``torch._scaled_mm`` where the build and GPU support it.
* Roofline: (M x K) @ (K x N) in BF16 for M = 1..8192 at K = N = 4096 and 8192;
  arithmetic intensity = 2MKN / (2 (MK + KN + MN)) FLOPs per byte. Weight
  matrices are rotated among copies so that small problems do not run out of L2.
"""
from __future__ import annotations

import torch

from .common import gpu_spec, log, provenance, record, summarize, time_fn, timed

PROFILES = {
    "full": {"copy_bytes": 4 * 2**30, "reduce_bytes": 4 * 2**30, "mem_reps": 20,
             "square": [1024, 2048, 4096, 6144, 8192, 12288, 16384], "gemm_reps": 12,
             "roofline_m": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
             "roofline_kn": [4096, 8192], "rotate_bytes": 512 * 2**20, "warmup": 3},
    "smoke": {"copy_bytes": 256 * 2**20, "reduce_bytes": 256 * 2**20, "mem_reps": 3, "square": [1024, 4096],
              "gemm_reps": 3, "roofline_m": [1, 64, 4096], "roofline_kn": [4096], "rotate_bytes": 128 * 2**20,
              "warmup": 1},
    "tiny": {"copy_bytes": 2**20, "reduce_bytes": 2**20, "mem_reps": 2, "square": [64, 128], "gemm_reps": 2,
             "roofline_m": [1, 16], "roofline_kn": [64], "rotate_bytes": 2**16, "warmup": 1},
}


def _bandwidth(cfg, device):
    n = cfg["copy_bytes"] // 2  # bf16 elements
    src = torch.randn(n, device=device, dtype=torch.float32).to(torch.bfloat16)
    dst = torch.empty_like(src)
    copy_s = time_fn(lambda: dst.copy_(src), device, cfg["warmup"], cfg["mem_reps"])
    copy_bytes = 2 * src.numel() * src.element_size()
    del src, dst
    x = torch.randn(cfg["reduce_bytes"] // 4, device=device, dtype=torch.float32)
    red_s = time_fn(lambda: x.sum(), device, cfg["warmup"], cfg["mem_reps"])
    red_bytes = x.numel() * x.element_size()
    del x
    return {
        "copy": {"bytes_moved": copy_bytes, "counting": "read + write", "time": timed(copy_s),
                 "bandwidth_Bps": summarize([copy_bytes / t for t in copy_s])},
        "read_reduction": {"bytes_moved": red_bytes, "counting": "read (float32 sum)", "time": timed(red_s),
                           "bandwidth_Bps": summarize([red_bytes / t for t in red_s])},
    }


def _square_bf16(cfg, device):
    rows = []
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    for n in cfg["square"]:
        a = torch.randn(n, n, device=device, dtype=dtype)
        b = torch.randn(n, n, device=device, dtype=dtype)
        ts = time_fn(lambda: a @ b, device, cfg["warmup"], cfg["gemm_reps"])
        flops = 2 * n ** 3
        rows.append({"m": n, "n": n, "k": n, "flops": flops, "time": timed(ts),
                     "flops_per_s": summarize([flops / t for t in ts])})
        del a, b
    return {"dtype": str(dtype).replace("torch.", ""), "points": rows}


def _square_fp8(cfg, device):
    if not hasattr(torch, "float8_e4m3fn") or not hasattr(torch, "_scaled_mm"):
        return {"available": False, "reason": "this PyTorch has no float8_e4m3fn or _scaled_mm"}
    rows = []
    try:
        for n in cfg["square"]:
            a = (torch.randn(n, n, device=device) * 0.5).to(torch.float8_e4m3fn)
            b = (torch.randn(n, n, device=device) * 0.5).to(torch.float8_e4m3fn).t()  # column-major
            one = torch.ones((), device=device, dtype=torch.float32)
            fn = lambda: torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
            fn()
            ts = time_fn(fn, device, cfg["warmup"], cfg["gemm_reps"])
            flops = 2 * n ** 3
            rows.append({"m": n, "n": n, "k": n, "flops": flops, "time": timed(ts),
                         "flops_per_s": summarize([flops / t for t in ts])})
            del a, b
    except Exception as exc:  # CPU builds and older GPUs
        return {"available": False, "reason": f"{type(exc).__name__}: {str(exc)[:200]}", "points": rows}
    return {"available": True, "dtype": "float8_e4m3fn (per-tensor scales, BF16 output)", "points": rows}


def _roofline(cfg, device):
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    esize = 2 if dtype == torch.bfloat16 else 4
    out = []
    for kn in cfg["roofline_kn"]:
        wbytes = kn * kn * esize
        copies = max(1, -(-cfg["rotate_bytes"] // wbytes))
        ws = [torch.randn(kn, kn, device=device, dtype=dtype) for _ in range(copies)]
        for m in cfg["roofline_m"]:
            x = torch.randn(m, kn, device=device, dtype=dtype)
            state = {"i": 0}

            def fn():
                state["i"] = (state["i"] + 1) % copies
                return x @ ws[state["i"]]
            reps = cfg["gemm_reps"]
            ts = time_fn(fn, device, cfg["warmup"], reps, inner=max(1, min(copies, 8)))
            flops = 2 * m * kn * kn
            nbytes = esize * (m * kn + kn * kn + m * kn)
            out.append({"m": m, "k": kn, "n": kn, "flops": flops, "bytes": nbytes,
                        "intensity_flop_per_byte": flops / nbytes, "time": timed(ts),
                        "flops_per_s": summarize([flops / t for t in ts]),
                        "bytes_per_s": summarize([nbytes / t for t in ts])})
        del ws
    return {"dtype": str(dtype).replace("torch.", ""), "rotated_weight_bytes": cfg["rotate_bytes"], "points": out}


def run(cfg: dict, device: str, command: str) -> dict:
    spec = gpu_spec()
    prov = provenance(device, command)
    log("ceilings: bandwidth")
    bw = _bandwidth(cfg, device)
    log("ceilings: BF16 matmul")
    bf16 = _square_bf16(cfg, device)
    log("ceilings: FP8 matmul")
    fp8 = _square_fp8(cfg, device) if device != "cpu" else {"available": False, "reason": "CPU run"}
    log("ceilings: roofline")
    roof = _roofline(cfg, device)
    best_bf16 = max(p["flops_per_s"]["median"] for p in bf16["points"])
    best_fp8 = max((p["flops_per_s"]["median"] for p in fp8.get("points", [])), default=None)
    copy_bw = bw["copy"]["bandwidth_Bps"]["median"]
    read_bw = bw["read_reduction"]["bandwidth_Bps"]["median"]
    summary = {
        "hbm_copy_Bps": copy_bw, "hbm_read_Bps": read_bw,
        "hbm_copy_fraction_of_spec": copy_bw / spec["memory_bandwidth"],
        "hbm_read_fraction_of_spec": read_bw / spec["memory_bandwidth"],
        "bf16_dense_best_flops_per_s": best_bf16,
        "bf16_fraction_of_spec": best_bf16 / spec["bf16_dense"],
        "fp8_dense_best_flops_per_s": best_fp8,
        "fp8_fraction_of_spec": best_fp8 / spec["fp8_dense"] if best_fp8 else None,
        "measured_ridge_flop_per_byte": best_bf16 / max(copy_bw, read_bw),
        "spec_ridge_flop_per_byte": spec["bf16_dense"] / spec["memory_bandwidth"],
    }
    notes = ["Inputs are random normal, never zeros.",
             "Matmul FLOPs count 2 per multiply-add; all figures are dense (no structured sparsity)."]
    return record("ceilings", cfg, prov, {"bandwidth": bw, "bf16_square": bf16, "fp8_square": fp8, "roofline": roof},
                  summary, spec, notes)
