"""Experiment 6: static against continuous batching, simulated.

A discrete-event simulation in pure Python, driven by step-time models fitted
to this lab's own measurements:

* decode step time  t(B, K) = a + b*B + c*K, with B sequences in the batch and
  K the KV tokens they read (fitted to experiment 2's CUDA-graph points);
* prefill time      t(n) = p0 + p1*sum(n) + p2*sum(n^2) for the prompts prefilled
  together (fitted to experiment 3, its CUDA-graph times where it has them).

Fits minimise relative error (rows divided by the measured time). Requests
arrive as a Poisson process; prompt and output lengths are lognormal (clipped).
Both schedulers reserve KV cache for a request's whole length on admission,
first come first served, no preemption.

* Static: when the GPU is idle, take up to max_batch waiting requests, prefill
  them together, decode until the longest finishes; finished sequences keep
  their slot (padding) and their KV keeps being read.
* Continuous (iteration-level): before every step admit waiting requests that
  fit; prefill the newcomers (running decodes wait, no chunked prefill); each
  decode step serves every running request; finished requests leave at once.
"""
from __future__ import annotations

import datetime as _dt
import math
import platform
import random

from .common import MEASUREMENTS, SCHEMA, gpu_spec, read_json

PROFILES = {
    "full": {"requests": 1200, "rates": [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32], "max_batch": 128,
             "input": {"median": 1024, "sigma": 0.8, "min": 16, "max": 8192},
             "output": {"median": 200, "sigma": 0.8, "min": 8, "max": 2048},
             "slo": {"ttft_s": 1.0, "tpot_s": 0.05}, "seed": 1, "kv_capacity_tokens": None},
    "tiny": {"requests": 60, "rates": [1, 8, 64], "max_batch": 16,
             "input": {"median": 256, "sigma": 0.5, "min": 16, "max": 1024},
             "output": {"median": 32, "sigma": 0.5, "min": 4, "max": 128},
             "slo": {"ttft_s": 1.0, "tpot_s": 0.05}, "seed": 1, "kv_capacity_tokens": 200000},
}
PROFILES["smoke"] = PROFILES["tiny"]


# --- least squares ---------------------------------------------------------------------

def _solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        if abs(m[c][c]) < 1e-300:
            raise ValueError("singular fit")
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit_relative(rows, ys):
    """Least squares of rows . x = y, minimising sum(((rows.x - y) / y)^2); x >= 0
    is enforced by refitting without negative terms."""
    k = len(rows[0])
    active = list(range(k))
    while True:
        ata = [[0.0] * len(active) for _ in active]
        aty = [0.0] * len(active)
        for r, y in zip(rows, ys):
            w = 1.0 / (y * y)
            for i, ci in enumerate(active):
                aty[i] += w * r[ci] * y
                for j, cj in enumerate(active):
                    ata[i][j] += w * r[ci] * r[cj]
        sol = _solve(ata, aty)
        if all(v >= 0 for v in sol) or len(active) == 1:
            x = [0.0] * k
            for i, ci in enumerate(active):
                x[ci] = max(sol[i], 0.0)
            return x
        active = [ci for i, ci in enumerate(active) if sol[i] >= 0 or ci == 0]


class StepModel:
    def __init__(self, decode_coef, prefill_coef, source: dict):
        self.d = decode_coef
        self.p = prefill_coef
        self.source = source

    def decode(self, batch: int, kv_tokens: int) -> float:
        return self.d[0] + self.d[1] * batch + self.d[2] * kv_tokens

    def prefill(self, lengths) -> float:
        return self.p[0] + self.p[1] * sum(lengths) + self.p[2] * sum(n * n for n in lengths)

    @classmethod
    def from_records(cls, decode_rec: dict, prefill_rec: dict) -> StepModel:
        rows, ys = [], []
        for p in decode_rec["results"]["lean"]:
            t = p.get("graph", p["eager"])["median"]
            rows.append([1.0, p["batch"], p["batch"] * (p["context"] + 1)])
            ys.append(t)
        d = fit_relative(rows, ys)
        d_err = [abs((sum(c * v for c, v in zip(d, r)) - y) / y) for r, y in zip(rows, ys)]
        rows, ys = [], []
        for p in prefill_rec["results"]["points"]:
            n = p["tokens"]
            rows.append([1.0, n, n * n])
            ys.append(p.get("ttft_graph", p["ttft"])["median"])
        pf = fit_relative(rows, ys)
        p_err = [abs((sum(c * v for c, v in zip(pf, r)) - y) / y) for r, y in zip(rows, ys)]
        src = {
            "decode": {"gpu": decode_rec["provenance"].get("gpu"), "date_utc": decode_rec["provenance"]["date_utc"],
                       "pytorch": decode_rec["provenance"].get("pytorch"), "points": len(decode_rec["results"]["lean"]),
                       "max_relative_error": max(d_err)},
            "prefill": {"gpu": prefill_rec["provenance"].get("gpu"), "date_utc": prefill_rec["provenance"]["date_utc"],
                        "pytorch": prefill_rec["provenance"].get("pytorch"),
                        "points": len(prefill_rec["results"]["points"]), "max_relative_error": max(p_err)},
        }
        return cls(d, pf, src)

    def as_dict(self) -> dict:
        return {"decode_s": {"formula": "a + b*batch + c*kv_tokens", "a": self.d[0], "b": self.d[1], "c": self.d[2]},
                "prefill_s": {"formula": "p0 + p1*sum(n) + p2*sum(n^2)", "p0": self.p[0], "p1": self.p[1],
                              "p2": self.p[2]},
                "source": self.source}


# --- workload ----------------------------------------------------------------------------

def workload(cfg: dict, rate: float, seed: int):
    rng = random.Random(seed)
    t = 0.0
    reqs = []

    def draw(d):
        v = int(round(math.exp(rng.gauss(math.log(d["median"]), d["sigma"]))))
        return min(max(v, d["min"]), d["max"])
    for i in range(cfg["requests"]):
        t += rng.expovariate(rate)
        reqs.append({"id": i, "arrival": t, "input": draw(cfg["input"]), "output": draw(cfg["output"])})
    return reqs


# --- schedulers -----------------------------------------------------------------------

def simulate_static(reqs, m: StepModel, max_batch: int, capacity: int):
    queue = list(reqs)
    now = 0.0
    qi = 0
    while qi < len(queue):
        now = max(now, queue[qi]["arrival"])
        batch, reserved = [], 0
        while (qi < len(queue) and queue[qi]["arrival"] <= now and len(batch) < max_batch
               and reserved + queue[qi]["input"] + queue[qi]["output"] <= capacity):
            reserved += queue[qi]["input"] + queue[qi]["output"]
            batch.append(queue[qi])
            qi += 1
        if not batch:  # a single request larger than the capacity: serve it alone
            batch.append(queue[qi])
            qi += 1
        now += m.prefill([r["input"] for r in batch])
        for r in batch:
            r["first"] = now
            r["done"] = now if r["output"] == 1 else None
        longest = max(r["output"] for r in batch)
        B = len(batch)
        base_kv = sum(r["input"] for r in batch)
        for step in range(1, longest):
            now += m.decode(B, base_kv + B * step)
            for r in batch:
                if r["output"] == step + 1:
                    r["done"] = now
    return reqs


def simulate_continuous(reqs, m: StepModel, max_batch: int, capacity: int):
    now = 0.0
    qi = 0
    running = []  # [request, tokens generated]
    reserved = 0
    n = len(reqs)
    finished = 0
    while finished < n:
        if not running and qi < n:
            now = max(now, reqs[qi]["arrival"])
        new = []
        while (qi < n and reqs[qi]["arrival"] <= now and len(running) + len(new) < max_batch
               and (reserved + reqs[qi]["input"] + reqs[qi]["output"] <= capacity or not (running or new))):
            reserved += reqs[qi]["input"] + reqs[qi]["output"]
            new.append(reqs[qi])
            qi += 1
        if new:
            now += m.prefill([r["input"] for r in new])
            for r in new:
                r["first"] = now
                if r["output"] <= 1:
                    r["done"] = now
                    reserved -= r["input"] + r["output"]
                    finished += 1
                else:
                    running.append([r, 1])
        if running:
            kv = sum(r["input"] + k for r, k in running)
            now += m.decode(len(running), kv)
            still = []
            for item in running:
                item[1] += 1
                r = item[0]
                if item[1] >= r["output"]:
                    r["done"] = now
                    reserved -= r["input"] + r["output"]
                    finished += 1
                else:
                    still.append(item)
            running = still
    return reqs


def metrics(reqs, slo: dict) -> dict:
    from .common import percentile
    ttft = [r["first"] - r["arrival"] for r in reqs]
    tpot = [(r["done"] - r["first"]) / (r["output"] - 1) for r in reqs if r["output"] > 1]
    start = min(r["arrival"] for r in reqs)
    end = max(r["done"] for r in reqs)
    dur = end - start
    good = [r for r in reqs if r["first"] - r["arrival"] <= slo["ttft_s"]
            and (r["output"] <= 1 or (r["done"] - r["first"]) / (r["output"] - 1) <= slo["tpot_s"])]
    out_tokens = sum(r["output"] for r in reqs)
    return {
        "requests": len(reqs), "finished": sum(1 for r in reqs if r.get("done") is not None),
        "duration_s": dur, "output_tokens_per_s": out_tokens / dur, "requests_per_s": len(reqs) / dur,
        "ttft_p50_s": percentile(ttft, 50), "ttft_p99_s": percentile(ttft, 99),
        "tpot_p50_s": percentile(tpot, 50), "tpot_p99_s": percentile(tpot, 99),
        "goodput_requests_per_s": len(good) / dur, "slo_attainment": len(good) / len(reqs),
    }


def kv_capacity_tokens(cfg: dict, kv_rec: dict | None) -> int:
    if cfg.get("kv_capacity_tokens"):
        return int(cfg["kv_capacity_tokens"])
    if kv_rec:
        s = kv_rec["summary"]
        return int((s["free_after_weights_bytes"] - kv_rec["config"]["reserve_bytes"]) // s["kv_bytes_per_token"])
    from .common import LLAMA_8B
    spec = gpu_spec()
    return int((spec["memory_bytes"] * 0.9 - LLAMA_8B.params() * 2) // LLAMA_8B.kv_bytes_per_token())


def run(cfg: dict, command: str, decode_rec: dict | None = None, prefill_rec: dict | None = None,
        kv_rec: dict | None = None, measurements=MEASUREMENTS) -> dict:
    decode_rec = decode_rec or read_json(measurements / "decode.json")
    prefill_rec = prefill_rec or read_json(measurements / "prefill.json")
    kv_rec = kv_rec if kv_rec is not None else read_json(measurements / "kv_memory.json")
    if not decode_rec or not prefill_rec:
        raise FileNotFoundError("batching needs decode.json and prefill.json (run the decode and prefill experiments)")
    m = StepModel.from_records(decode_rec, prefill_rec)
    cap = kv_capacity_tokens(cfg, kv_rec)
    rows = []
    for i, rate in enumerate(cfg["rates"]):
        base = workload(cfg, rate, cfg["seed"] + i)
        row = {"rate_rps": rate}
        for name, sim in (("static", simulate_static), ("continuous", simulate_continuous)):
            reqs = [dict(r) for r in base]
            sim(reqs, m, cfg["max_batch"], cap)
            row[name] = metrics(reqs, cfg["slo"])
        rows.append(row)
    prov = {
        "date_utc": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "command": command, "python": platform.python_version(), "device": "cpu (simulation)",
        "gpu": m.source["decode"]["gpu"], "pytorch": m.source["decode"]["pytorch"],
        "inputs": m.source,
    }
    top = rows[-1]
    summary = {
        "kv_capacity_tokens": cap,
        "max_output_tokens_per_s": {k: max(r[k]["output_tokens_per_s"] for r in rows)
                                    for k in ("static", "continuous")},
        "max_goodput_requests_per_s": {k: max(r[k]["goodput_requests_per_s"] for r in rows)
                                       for k in ("static", "continuous")},
        "highest_rate": top["rate_rps"],
    }
    return {"schema": SCHEMA, "experiment": "batching", "provenance": prov, "config": cfg, "spec": gpu_spec(),
            "results": {"step_model": m.as_dict(), "points": rows}, "summary": summary,
            "notes": ["Simulated, not measured: the step times come from the fits above.",
                      "No chunked prefill, no preemption, no prefix caching; KV reserved for the whole request."]}
