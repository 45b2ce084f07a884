"""Experiment 7: tensor-parallel decode over two GPUs of one host.

The lean step split Megatron-style (lab.model: heads, MLP columns and LM head
rows sharded; an all-reduce after the attention output and the MLP down
projections, an all-gather of the logits), one process per GPU (mp.spawn,
NCCL; gloo on the CPU for tests). Rank 0 first times the whole model on its own
GPU as the one-GPU baseline, with the same settings. Then all-reduce latency
and bus bandwidth (2(n-1)/n x bytes / time) against message size, from
decode-sized messages (batch x hidden x 2 bytes) up to 256 MiB.

NVLink multicast (NVLS) stays off: NCCL_NVLS_ENABLE=0 and friends are set
before the processes start.
"""
from __future__ import annotations

import datetime
import os
import socket

import torch

from .common import gpu_spec, log, provenance, record, shape, summarize, time_fn, timed

PROFILES = {
    "full": {"shape": "llama-3.1-8b-shaped", "world": 2, "context": 2048, "batches": [1, 2, 4, 8, 16, 32, 64, 128, 256],
             "warmup": 3, "reps": 20, "allreduce_bytes": [2**k for k in range(10, 29)], "decode_message_batches":
             [1, 8, 64, 256], "allreduce_inner": 20, "allreduce_samples": 7, "graph": True},
    "smoke": {"shape": "llama-3.1-8b-shaped", "world": 2, "context": 512, "batches": [1, 8], "warmup": 1, "reps": 3,
              "allreduce_bytes": [2**10, 2**20, 2**26], "decode_message_batches": [1], "allreduce_inner": 5,
              "allreduce_samples": 2, "graph": True},
    "tiny": {"shape": "tiny", "world": 2, "context": 16, "batches": [1, 2], "warmup": 1, "reps": 2,
             "allreduce_bytes": [2**10, 2**14], "decode_message_batches": [1], "allreduce_inner": 2,
             "allreduce_samples": 2, "graph": False},
}
SAFE_ENV = {"NCCL_NVLS_ENABLE": "0", "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1", "NVSHMEM_DISABLE_NVLS": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _time_step(model, s, b, ctx, device, cfg, use_graph):
    tokens = torch.randint(0, s.vocab, (b,), device=device)
    with torch.no_grad():
        eager = time_fn(lambda: model.decode_step(tokens, ctx), device, cfg["warmup"], cfg["reps"])
        out = {"batch": b, "eager": timed(eager)}
        if use_graph:
            try:
                from .decode import _capture
                g = _capture(lambda: model.decode_step(tokens, ctx), device)
                out["graph"] = timed(time_fn(g.replay, device, cfg["warmup"], cfg["reps"]))
                del g
            except Exception as exc:
                out["graph_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return out


def _worker(rank, world, port, cfg, device_kind, ret):
    import torch.distributed as dist

    from .model import LeanLlama
    os.environ.update(SAFE_ENV)
    s = shape(cfg["shape"])
    cuda = device_kind == "cuda"
    if cuda:
        torch.cuda.set_device(rank)
        device = f"cuda:{rank}"
        dtype = torch.bfloat16
    else:
        device, dtype = "cpu", torch.float32
        torch.set_num_threads(1)
    dist.init_process_group("nccl" if cuda else "gloo", init_method=f"tcp://127.0.0.1:{port}",
                            rank=rank, world_size=world,
                            **({"device_id": torch.device(device)} if cuda else {}),
                            timeout=datetime.timedelta(seconds=180))
    ctx = cfg["context"]
    use_graph = cuda and cfg.get("graph", True)
    result = {"single": [], "tp": [], "allreduce": []}
    # one-GPU baseline on rank 0 (the others wait)
    if rank == 0:
        full = LeanLlama(s, device, dtype, seed=0)
        free = torch.cuda.mem_get_info()[0] - 4 * 2**30 if cuda else float("inf")
        for b in cfg["batches"]:
            if b * (ctx + 1) * s.kv_bytes_per_token(2) > free:
                continue
            full.allocate_cache(b, ctx + 1)
            result["single"].append(_time_step(full, s, b, ctx, device, cfg, use_graph))
            full.cache = None
        del full
        if cuda:
            torch.cuda.empty_cache()
    dist.barrier()
    tp = LeanLlama(s, device, dtype, seed=0, rank=rank, world=world, group=None)
    free = torch.cuda.mem_get_info()[0] - 4 * 2**30 if cuda else float("inf")
    for b in cfg["batches"]:
        kv_local = b * (ctx + 1) * s.kv_bytes_per_token(2) // world
        if kv_local > free:
            continue
        tp.allocate_cache(b, ctx + 1)
        result["tp"].append(_time_step(tp, s, b, ctx, device, cfg, use_graph))
        tp.cache = None
        if rank == 0:
            log(f"tp b={b}: eager {result['tp'][-1]['eager']['median'] * 1e3:.2f} ms"
                + (f", graph {result['tp'][-1]['graph']['median'] * 1e3:.2f} ms"
                   if "graph" in result["tp"][-1] else ""))
    # correctness check on an empty-prefix cache: compare position-0 logits
    tp.allocate_cache(2, 1, fill=False)
    ref_tokens = torch.arange(2, device=device) % s.vocab
    with torch.no_grad():
        tp_logits = tp.decode_logits(ref_tokens, 0).float().cpu()
    tp.cache = None
    del tp
    if cuda:
        torch.cuda.empty_cache()
    if rank == 0:
        full = LeanLlama(s, device, dtype, seed=0)
        full.allocate_cache(2, 1, fill=False)
        with torch.no_grad():
            ref0 = full.decode_logits(ref_tokens, 0).float().cpu()
        del full
        if cuda:
            torch.cuda.empty_cache()
        result["check"] = {"relative_error": float((tp_logits - ref0).norm() / ref0.norm()),
                           "same_argmax": bool((tp_logits.argmax(-1) == ref0.argmax(-1)).all())}
    dist.barrier()
    # all-reduce latency against size
    sizes = sorted(set(cfg["allreduce_bytes"] + [b * s.hidden * 2 for b in cfg["decode_message_batches"]]))
    for nbytes in sizes:
        x = torch.randn(max(1, nbytes // 2), device=device, dtype=torch.bfloat16 if cuda else torch.float32)
        inner = cfg["allreduce_inner"]
        samples = []
        for _ in range(2):
            dist.all_reduce(x)
        for _ in range(cfg["allreduce_samples"]):
            dist.barrier()
            samples += time_fn(lambda: dist.all_reduce(x), device, 0, 1, inner=inner)
        t = summarize(samples)["median"]
        nb = x.numel() * x.element_size()
        result["allreduce"].append({"bytes": nb, "time": timed(samples),
                                    "bus_bandwidth_Bps": 2 * (world - 1) / world * nb / t,
                                    "algorithm_bandwidth_Bps": nb / t})
        del x
    # inside a CUDA graph, as a captured decode step issues them
    if use_graph:
        result["allreduce_graph"] = []
        try:
            from .decode import _capture
            for b in cfg["decode_message_batches"]:
                x = torch.randn(b * s.hidden, device=device, dtype=torch.bfloat16)
                n_ops = 32

                def many():
                    for _ in range(n_ops):
                        dist.all_reduce(x)
                g = _capture(many, device)
                dist.barrier()
                ts = time_fn(g.replay, device, 2, cfg["allreduce_samples"])
                result["allreduce_graph"].append({"bytes": x.numel() * 2, "ops_per_replay": n_ops,
                                                  "per_op": timed([t / n_ops for t in ts])})
                del g, x
        except Exception as exc:
            result["allreduce_graph_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    if rank == 0:
        ret.update(result)
    dist.barrier()
    dist.destroy_process_group()


def run(cfg: dict, device: str, command: str) -> dict:
    import torch.multiprocessing as mp
    os.environ.update(SAFE_ENV)
    world = cfg["world"]
    cuda = device != "cpu"
    if cuda and torch.cuda.device_count() < world:
        raise RuntimeError(f"tensor_parallel needs {world} GPUs; this machine has {torch.cuda.device_count()}")
    spec = gpu_spec()
    prov = provenance("cuda:0" if cuda else "cpu", command)
    prov["world_size"] = world
    mgr = mp.Manager()
    ret = mgr.dict()
    # CUDA needs fresh processes; on the CPU (tests) fork avoids re-importing PyTorch in each worker
    mp.start_processes(_worker, args=(world, _free_port(), cfg, "cuda" if cuda else "cpu", ret), nprocs=world,
                       join=True, start_method="spawn" if cuda else "fork")
    res = dict(ret)
    s = shape(cfg["shape"])
    ctx = cfg["context"]
    for key in ("single", "tp"):
        for p in res.get(key, []):
            best = p.get("graph", p["eager"])["median"]
            p["tokens_per_s"] = p["batch"] / best
            weights = s.params_read_per_step() * 2 / (world if key == "tp" else 1)
            kv = p["batch"] * (ctx + 1) * s.kv_bytes_per_token(2) / (world if key == "tp" else 1)
            p["bound_spec_s"] = (weights + kv) / spec["memory_bandwidth"]
    speed = []
    for p in res.get("tp", []):
        q = next((x for x in res.get("single", []) if x["batch"] == p["batch"]), None)
        if q:
            speed.append({"batch": p["batch"],
                          "speedup": q.get("graph", q["eager"])["median"] / p.get("graph", p["eager"])["median"]})
    decode_sizes = {b * s.hidden * 2 for b in cfg["decode_message_batches"]}
    ar = res.get("allreduce", [])
    summary = {
        "speedup_by_batch": speed,
        "allreduce_small_latency_s": min((a["time"]["median"] for a in ar), default=None),
        "allreduce_decode_sizes": [{"bytes": a["bytes"], "latency_s": a["time"]["median"]} for a in ar
                                   if a["bytes"] in decode_sizes],
        "allreduce_peak_bus_bandwidth_Bps": max((a["bus_bandwidth_Bps"] for a in ar), default=None),
        "allreduces_per_step": 2 * s.layers, "check": res.get("check"),
        "allreduce_in_graph_latency_s": [{"bytes": a["bytes"], "latency_s": a["per_op"]["median"]}
                                         for a in (res.get("allreduce_graph") or [])],
    }
    results = {"model": s.as_dict(), "context": ctx, "world": world, "single": res.get("single", []),
               "tp": res.get("tp", []), "allreduce": ar,
               "allreduce_graph": res.get("allreduce_graph"), "allreduce_graph_error": res.get("allreduce_graph_error"),
               "check": res.get("check"), "speedup": speed}
    notes = ["All-reduce times are the mean of back-to-back calls between two CUDA events (like nccl-tests), "
             "so they include the launch but overlap consecutive calls' host work.",
             "Environment: " + ", ".join(f"{k}={v}" for k, v in SAFE_ENV.items())]
    return record("tensor_parallel", cfg, prov, results, summary, spec, notes)
