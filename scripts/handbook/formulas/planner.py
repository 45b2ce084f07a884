"""The serving planner: from a model, a GPU, a traffic profile and latency objectives to a deployment.

docs/operations/capacity-planning.md works an example and docs/operations/planner-accuracy.md holds the planner
against published measurements; docs/javascripts/planner.js repeats every function here for the in-page widget,
and tests/vectors/planner.json (tests/vectors/make_vectors.py) makes a browser test fail if the two disagree.

The model of one replica (a copy of the model on `tp` GPUs, tensor parallel; for a mixture of experts the experts
are spread over the same GPUs, expert parallel):

* Memory per GPU: the engine's share of the GPU (MEMORY_UTILIZATION) minus the replica's weights divided by `tp`,
  minus a workspace (WORKSPACE_BYTES for CUDA graphs, communication buffers and allocator slack, assumed, plus the
  activations of one prefill chunk). What is left holds the KV cache. Each GPU keeps the KV heads of the query heads
  it computes: KV heads / tp of them while tp divides the KV heads, one whole KV head (the cache replicated
  tp / KV heads times) when tp exceeds them, and the whole latent of multi-head latent attention (MLA), which every
  GPU needs under tensor parallelism, unless attention runs data parallel (each GPU its own sequences).
* Decode step at a batch B: the weights a step reads (all of a dense model; for a mixture of experts the shared part
  plus the experts that B tokens route to, assuming uniform routing) plus B sequences' KV cache, over the bandwidth
  the lab measured as achievable; or the FLOPs over the achievable FLOP/s, whichever is longer; plus two all-reduces
  per layer for tensor parallelism, at the lab's measured latency and bus bandwidth.
* Prefill of one prompt: its FLOPs over the achievable FLOP/s (or the weight read, if longer), plus its all-reduces.
* Load: a replica at batch B serves lambda(B) = B / (O x step(B) + B x S_p) requests/s, where O is the output
  length and S_p the prefill time of one prompt: Little's law (B = lambda x O x TPOT) with decode slowed by the share
  of GPU time that prefill takes (chunked prefill interleaves the two): TPOT = step(B) / (1 - lambda x S_p).
* TTFT: prompts queue for the prefill slot of each step, an M/D/1 queue per replica (Poisson arrivals, one server,
  the same service time for every prompt). A prompt's service time is S_p plus prompt / CHUNK_TOKENS decode steps
  (prompts are packed into each step's token budget, and each step also carries the decode batch). The p99 wait
  takes an exponential tail past the mean M/D/1 wait W: P(wait > t) = rho x exp(-t rho / W) (assumed).

Constraints, each giving the largest load a replica can carry: memory (the batch fits in the KV cache), TPOT, TTFT
and compute (the load at which an added sequence costs a whole step: the replica's throughput ceiling). The search
tries every tensor-parallel degree that fits, aggregated and disaggregated (separate prefill and decode pools), and
returns the deployment with the fewest GPUs. Units are base units: bytes, seconds, requests/s, tokens, US dollars.

Left out: prefix caching, speculative decoding, length distributions (every request has the mean lengths),
preemption, kernel launch gaps, and engines' caps on running sequences.
"""
from __future__ import annotations

import math

from handbook import formulas as f
from handbook.data import GPU, Model, measurements

TP_DEGREES = (1, 2, 4, 8)            # GPUs per replica; 8 = one node of eight, the largest tensor-parallel group
MEMORY_UTILIZATION = 0.9             # the engine's share of GPU memory (assumed; vLLM's --gpu-memory-utilization)
WORKSPACE_BYTES = 2 * 2**30          # per GPU, CUDA graphs, NCCL buffers, allocator slack (assumed)
CHUNK_TOKENS = 8192                  # prefill tokens per step with chunked prefill (assumed: vLLM's default on 80 GB)
KV_TRANSFER_BPS = 50e9               # bytes/s per GPU between prefill and decode pools: a 400 Gb/s NIC (assumed)
TAIL = 0.01                          # p99
BATCH_LIMIT = 65536.0                # upper end of the batch searched (no engine runs more sequences)
CONSTRAINTS = ("memory", "tpot", "ttft", "compute")


# --- what the lab measured (data/measurements/) --------------------------------------------------------------------

def lab() -> dict:
    """Fractions of datasheet peaks and communication costs the lab measured on an H100 SXM (applied to every GPU:
    an assumption for the others). Keys are read by planner.js from the widget's data."""
    ceilings = measurements.load("ceilings")["summary"]
    tp = measurements.load("tensor_parallel")["summary"]
    graph = {p["bytes"]: p["latency_s"] for p in tp["allreduce_in_graph_latency_s"]}
    h100 = f._gpu("h100-sxm")
    return {
        "bandwidth_fraction": ceilings["hbm_read_fraction_of_spec"],
        "flops_fraction": {"bf16": ceilings["bf16_fraction_of_spec"], "fp8": ceilings["fp8_fraction_of_spec"]},
        "allreduce_latency_s": graph[min(graph)],
        # measured bus bandwidth over the datasheet's one-direction NVLink bandwidth of the same GPU
        "allreduce_bus_fraction": tp["allreduce_peak_bus_bandwidth_Bps"] / (h100.interconnect / 2),
    }


def flops_fraction(lab_: dict, dtype: str) -> float:
    """Achievable share of dense peak for the compute precision of `dtype`: the lab measured BF16 and FP8 matrix
    products; 16-bit precisions use the BF16 share, 8-bit and narrower the FP8 share (assumed)."""
    precision = f.COMPUTE_PRECISION.get(dtype, dtype)
    key = "bf16" if precision in ("bf16", "fp16", "tf32", "fp32") else "fp8"
    return lab_["flops_fraction"][key]


# --- one replica ---------------------------------------------------------------------------------------------------

def expert_split(model: Model | str) -> tuple[float, float]:
    """(parameters every token uses, parameters of all routed experts). A dense model has no experts. From
    params_total = shared + experts and params_active = shared + experts x k / E."""
    m = f._model(model)
    experts, k = m.get("num_experts"), m.get("experts_per_token")
    if not experts or not k or m.params_active >= m.params_total:
        return m.params_total, 0.0
    routed = (m.params_total - m.params_active) / (1 - k / experts)
    return m.params_total - routed, routed


def experts_touched(model: Model | str, batch: float) -> float:
    """Expected share of the experts that `batch` tokens route to, each token picking k of E uniformly."""
    m = f._model(model)
    experts, k = m.get("num_experts"), m.get("experts_per_token")
    if not experts or not k:
        return 1.0
    return 1 - (1 - k / experts) ** batch


def kv_share(model: Model | str, tp: int, attention_dp: bool = False) -> float:
    """Share of one sequence's KV cache that each GPU of a replica of `tp` GPUs keeps: 1 / tp while tp divides the
    KV heads; one whole KV head per GPU when tp exceeds them (the cache replicated tp / KV heads times); the whole
    cache on every GPU for MLA (replicated); and with `attention_dp` 1 / tp (each GPU keeps its own sequences
    whole, so the replica's cache is split evenly)."""
    m = f._model(model)
    if attention_dp:
        return 1 / tp
    if m.attention == "mla":
        return 1.0
    heads = m.num_kv_heads
    return max(1, math.ceil(heads / tp)) / heads


def kv_per_gpu(model: Model | str, kv_dtype: str, tokens: float, tp: int, attention_dp: bool = False) -> float:
    """KV cache bytes that one sequence of `tokens` tokens keeps on each GPU of a replica (kv_bytes x kv_share)."""
    return f.kv_bytes(model, kv_dtype, tokens, 1) * kv_share(model, tp, attention_dp)


def kv_read_per_gpu(model: Model | str, kv_dtype: str, tokens: float, tp: int) -> float:
    """KV cache bytes one decode step reads per sequence on each GPU (kv_read_bytes x kv_share): a sparse layer
    reads its top-k entries, a linear layer its state."""
    return f.kv_read_bytes(model, kv_dtype, tokens, 1) * kv_share(model, tp)


def tp_allowed(model: Model | str, gpu: GPU | str, tp: int) -> bool:
    """tp must divide the query heads; more than one GPU needs a GPU-to-GPU link in data/gpus.yml."""
    m, g = f._model(model), f._gpu(gpu)
    return m.num_attention_heads % tp == 0 and (tp == 1 or bool(g.interconnect))


def memory(model: Model | str, gpu: GPU | str, weight_dtype: str, kv_dtype: str, tp: int, context_tokens: int) -> dict:
    """Per GPU: capacity, weights, workspace (fixed part plus one prefill chunk's activations), KV budget, KV of one
    sequence of `context_tokens`; and the replica's largest batch of such sequences (0 when none fits)."""
    m, g = f._model(model), f._gpu(gpu)
    usable = g.memory * MEMORY_UTILIZATION
    weights = f.weight_bytes(m, weight_dtype) / tp
    # activations of one chunk in 16-bit: a few hidden-sized tensors and the MLP's two intermediate ones, split by tp
    activations = CHUNK_TOKENS * (4 * m.hidden_size + 2 * m.intermediate_size / tp) * 2
    workspace = WORKSPACE_BYTES + activations
    budget = usable - weights - workspace
    per_sequence = kv_per_gpu(m, kv_dtype, context_tokens, tp)
    batch = math.floor(budget / per_sequence) if budget > 0 else 0
    return {"usable": usable, "weights": weights, "workspace": workspace, "budget": budget,
            "kv_per_sequence": per_sequence, "max_batch": batch}


def allreduce_time(model: Model | str, gpu: GPU | str, tp: int, tokens: float, lab_: dict) -> float:
    """Two all-reduces per layer (after attention and after the MLP) of `tokens` x hidden 16-bit activations: each
    the measured latency plus 2 (tp - 1) / tp x bytes over the bus bandwidth (ring all-reduce). Zero at tp 1. The
    expert-parallel all-to-all of a mixture of experts is costed the same way (assumed)."""
    if tp == 1:
        return 0.0
    m, g = f._model(model), f._gpu(gpu)
    bus = g.interconnect / 2 * lab_["allreduce_bus_fraction"]
    one = lab_["allreduce_latency_s"] + 2 * (tp - 1) / tp * tokens * m.hidden_size * 2 / bus
    return 2 * m.num_layers * one


def decode_step(model: Model | str, gpu: GPU | str, weight_dtype: str, kv_dtype: str, tp: int, batch: float,
                context_tokens: float, lab_: dict) -> float:
    """Seconds per decode step of `batch` sequences holding `context_tokens` each (batch may be fractional: the
    planner treats the mean batch as a continuous quantity). The weights read leave out the rows of an untied input
    embedding table that no sequence looks up (formulas.embedding_unread_bytes, here with a fractional batch)."""
    m, g = f._model(model), f._gpu(gpu)
    shared, routed = expert_split(m)
    width = f.dtype_bytes(weight_dtype)
    unread = 0.0
    if m.get("tie_word_embeddings") is False:
        unread = max(0.0, f.input_embedding_bytes(m, weight_dtype) - batch * m.hidden_size * width)
    read = ((shared + routed * experts_touched(m, batch)) * width - unread) / tp + batch * kv_read_per_gpu(
        m, kv_dtype, context_tokens, tp)
    bandwidth = g.memory_bandwidth * lab_["bandwidth_fraction"]
    peak = f.peak_flops(g, weight_dtype) * flops_fraction(lab_, weight_dtype) * tp
    work = batch * f.flops_per_token(m, context_tokens)
    return max(read / bandwidth, work / peak) + allreduce_time(m, g, tp, batch, lab_)


def prefill_time(model: Model | str, gpu: GPU | str, weight_dtype: str, tp: int, tokens: int, lab_: dict) -> float:
    """Seconds to prefill one prompt of `tokens` on a replica, alone: its FLOPs over the achievable FLOP/s, or the
    weight read if that is longer, plus its all-reduces."""
    m, g = f._model(model), f._gpu(gpu)
    peak = f.peak_flops(g, weight_dtype) * flops_fraction(lab_, weight_dtype) * tp
    read = f.weight_bytes(m, weight_dtype) / tp / (g.memory_bandwidth * lab_["bandwidth_fraction"])
    return max(f.prefill_flops(m, tokens) / peak, read) + allreduce_time(m, g, tp, tokens, lab_)


def md1_p99_wait(rate: float, service: float) -> float:
    """p99 of the wait in an M/D/1 queue (Poisson arrivals at `rate`, one server, service time `service`): the mean
    wait W = rho S / (2 (1 - rho)) and, past it, Kingman's exponential tail P(wait > t) = rho exp(-t rho / W).
    math.inf when the queue is unstable (rho >= 1)."""
    rho = rate * service
    if rho >= 1:
        return math.inf
    if rho <= TAIL:
        return 0.0
    mean = rho * service / (2 * (1 - rho))
    return mean / rho * math.log(rho / TAIL)


class Profile:
    """The traffic and objectives: requests/s, mean prompt and output tokens, p99 TTFT and TPOT limits (seconds)."""

    def __init__(self, requests_per_s: float, prompt_tokens: int, output_tokens: int, ttft_p99_s: float,
                 tpot_p99_s: float, headroom: float = 0.0):
        if requests_per_s <= 0 or prompt_tokens < 1 or output_tokens < 1 or ttft_p99_s <= 0 or tpot_p99_s <= 0:
            raise ValueError("rate, lengths and latency limits must be positive")
        if headroom < 0:
            raise ValueError("headroom must be non-negative")
        self.rate, self.prompt, self.output = requests_per_s, prompt_tokens, output_tokens
        self.ttft, self.tpot, self.headroom = ttft_p99_s, tpot_p99_s, headroom


def _largest(ok, hi: float) -> float:
    """Largest batch in [0, hi] for which ok(batch) holds, ok being true up to some point and false after it."""
    if ok(hi):
        return hi
    lo = 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def calibrated_lab() -> dict:
    """lab() plus `slowdown`: the largest ratio of measured to predicted time in data/planner_checks.yml. plan()
    stretches every step and prefill time by it, so that each measurement in the comparison is at or below the time
    the planner plans with (the raw model is optimistic: it leaves out launch gaps and kernel inefficiencies)."""
    raw = lab()
    return dict(raw, slowdown=max(1.0, 1 / (1 + error_band(raw)[0])))


class Replica:
    """One aggregated replica (prefill and decode on the same GPUs, chunked prefill), or with `role` "prefill" or
    "decode" one replica of a disaggregated pool."""

    def __init__(self, model, gpu, weight_dtype: str, kv_dtype: str, tp: int, p: Profile, lab_: dict,
                 role: str = "both"):
        self.m, self.g, self.wd, self.kd, self.tp, self.p, self.lab, self.role = (
            f._model(model), f._gpu(gpu), weight_dtype, kv_dtype, tp, p, lab_, role)
        self.slow = lab_.get("slowdown", 1.0)
        self.mem = memory(self.m, self.g, weight_dtype, kv_dtype, tp, p.prompt + p.output)
        self.prefill = (prefill_time(self.m, self.g, weight_dtype, tp, p.prompt, lab_) * self.slow
                        if role != "decode" else 0.0)
        self.chunks = p.prompt / CHUNK_TOKENS      # share of a step's token budget the prompt takes
        self.context = p.prompt + p.output / 2      # mean context of a decoding sequence
        self.transfer = (f.kv_bytes(self.m, kv_dtype, p.prompt, 1) / (KV_TRANSFER_BPS * tp)
                         if role == "prefill" else 0.0)

    def step(self, batch: float) -> float:
        return decode_step(self.m, self.g, self.wd, self.kd, self.tp, batch, self.context, self.lab) * self.slow

    def rate(self, batch: float) -> float:
        """Requests/s at a mean decode batch (Little's law with prefill's share of the GPU)."""
        if batch <= 0:
            return 0.0
        return batch / (self.p.output * self.step(batch) + batch * self.prefill)

    def tpot(self, batch: float) -> float:
        return self.step(batch) / (1 - self.rate(batch) * self.prefill)

    def service(self, batch: float) -> float:
        """Time a prompt holds the prefill slot: its prefill plus its share of the steps that carry it (prompts are
        packed into each step's token budget, CHUNK_TOKENS, next to the decode batch)."""
        return self.prefill + self.chunks * self.step(batch)

    def ttft(self, batch: float) -> float:
        rate = self.rate(batch)
        service = self.service(batch)
        return service + md1_p99_wait(rate, service)

    def ceiling(self) -> float:
        """Requests/s at which each added sequence costs a whole step: 1 / (O x d step / dB + S_p) at large batch."""
        big = BATCH_LIMIT
        slope = (self.step(big) - self.step(big / 2)) / (big / 2)
        return 1 / (self.p.output * slope + self.prefill)

    def limits(self) -> dict:
        """For each constraint, the largest load (requests/s) one replica carries with it alone."""
        mem = float(self.mem["max_batch"])
        hi = min(BATCH_LIMIT, mem) if mem > 0 else 0.0
        tpot_batch = _largest(lambda b: self.tpot(b) <= self.p.tpot, BATCH_LIMIT) if self.step(0) <= self.p.tpot \
            else 0.0
        ttft_batch = _largest(lambda b: self.ttft(b) <= self.p.ttft, BATCH_LIMIT) if self.ttft(0) <= self.p.ttft \
            else 0.0
        return {"memory": self.rate(hi), "tpot": self.rate(tpot_batch), "ttft": self.rate(ttft_batch),
                "compute": self.ceiling()}

    def batch_at(self, rate: float) -> float:
        """The mean decode batch at which the replica serves `rate` requests/s (rate(batch) rises with the batch)."""
        return _largest(lambda b: self.rate(b) <= rate, BATCH_LIMIT)


def _pool_limits(r: Replica) -> dict:
    """Limits of one replica of a disaggregated pool: a prefill replica has only the TTFT limit (its queue, plus
    moving the prompt's KV cache to the decode pool) and its compute ceiling; a decode replica has memory, TPOT and
    its ceiling."""
    if r.role == "prefill":
        s, budget = r.prefill, r.p.ttft - r.prefill - r.transfer
        if budget < 0:
            ttft = 0.0
        else:
            lo, hi = 0.0, 1 / s
            for _ in range(100):
                mid = (lo + hi) / 2
                if md1_p99_wait(mid, s) <= budget:
                    lo = mid
                else:
                    hi = mid
            ttft = lo
        return {"memory": math.inf, "tpot": math.inf, "ttft": ttft, "compute": 1 / s}
    lim = r.limits()
    return {"memory": lim["memory"], "tpot": lim["tpot"], "ttft": math.inf, "compute": lim["compute"]}


def _summary(limits: dict) -> tuple[float, str]:
    binding = min(CONSTRAINTS, key=lambda c: limits[c])
    return limits[binding], binding


def plan_tp(model, gpu, weight_dtype: str, kv_dtype: str, tp: int, p: Profile, lab_: dict | None = None) -> dict:
    """One aggregated deployment at tensor-parallel degree `tp`: the replica's limits, the binding constraint, the
    replicas and GPUs for the load with headroom, and TTFT and TPOT at the load each replica then carries."""
    lab_ = lab_ or calibrated_lab()
    r = Replica(model, gpu, weight_dtype, kv_dtype, tp, p, lab_)
    limits = r.limits()
    capacity, binding = _summary(limits)
    out = {"mode": "aggregated", "tp": tp, "memory": r.mem, "prefill_s": r.prefill, "step_1_s": r.step(1),
           "limits": limits, "capacity": capacity, "binding": binding, "feasible": capacity > 0}
    if capacity <= 0:
        return out
    replicas = math.ceil(round(p.rate * (1 + p.headroom) / capacity, 9))
    load = p.rate / replicas
    batch = r.batch_at(load)
    out.update(replicas=replicas, gpus=replicas * tp, load=load, batch=batch, ttft_p99_s=r.ttft(batch),
               tpot_s=r.tpot(batch), step_s=r.step(batch))
    return out


def plan_disaggregated(model, gpu, weight_dtype: str, kv_dtype: str, tp_prefill: int, tp_decode: int, p: Profile,
                       lab_: dict | None = None) -> dict:
    """Separate pools: prefill replicas at `tp_prefill` (M/D/1 each, no decode in their steps) and decode replicas at
    `tp_decode` (no prefill in their steps). TTFT adds moving the prompt's KV cache between pools."""
    lab_ = lab_ or calibrated_lab()
    pre = Replica(model, gpu, weight_dtype, kv_dtype, tp_prefill, p, lab_, role="prefill")
    dec = Replica(model, gpu, weight_dtype, kv_dtype, tp_decode, p, lab_, role="decode")
    lp, ld = _pool_limits(pre), _pool_limits(dec)
    if pre.mem["budget"] <= 0:
        lp = dict(lp, memory=0.0)
    cap_p, bind_p = _summary(lp)
    cap_d, bind_d = _summary(ld)
    out = {"mode": "disaggregated", "tp": tp_decode, "tp_prefill": tp_prefill, "memory": dec.mem,
           "prefill_s": pre.prefill, "step_1_s": dec.step(1), "limits_prefill": lp, "limits": ld,
           "capacity_prefill": cap_p, "capacity": cap_d, "binding_prefill": bind_p, "binding": bind_d,
           "feasible": cap_p > 0 and cap_d > 0}
    if not out["feasible"]:
        return out
    need = p.rate * (1 + p.headroom)
    n_p, n_d = math.ceil(round(need / cap_p, 9)), math.ceil(round(need / cap_d, 9))
    load_p, load_d = p.rate / n_p, p.rate / n_d
    batch = dec.batch_at(load_d)
    out.update(replicas=n_p + n_d, replicas_prefill=n_p, replicas_decode=n_d, gpus=n_p * tp_prefill + n_d * tp_decode,
               load=load_d, batch=batch, ttft_p99_s=pre.prefill + md1_p99_wait(load_p, pre.prefill) + pre.transfer,
               tpot_s=dec.tpot(batch), step_s=dec.step(batch))
    return out


def plan(model, gpu, weight_dtype: str, kv_dtype: str, p: Profile, gpu_hourly_usd: float = 0.0,
         disaggregated: bool = True, lab_: dict | None = None) -> dict:
    """The deployment with the fewest GPUs that meets every objective at the load with headroom, over tensor-parallel
    degrees and, with `disaggregated`, separate prefill and decode pools (ties go to aggregated, then to the smaller
    replica). Returns it with `candidates` (every deployment tried) or, when none meets the load, feasible False
    and `reason`."""
    lab_ = lab_ or calibrated_lab()
    degrees = [t for t in TP_DEGREES if tp_allowed(model, gpu, t)]
    candidates = [plan_tp(model, gpu, weight_dtype, kv_dtype, t, p, lab_) for t in degrees]
    if disaggregated:
        candidates += [plan_disaggregated(model, gpu, weight_dtype, kv_dtype, a, b, p, lab_)
                       for a in degrees for b in degrees]
    good = [c for c in candidates if c["feasible"]]
    if not good:
        return {"feasible": False, "reason": reason(model, gpu, weight_dtype, kv_dtype, p, candidates, degrees),
                "candidates": candidates}
    best = min(good, key=lambda c: (c["gpus"], c["mode"] != "aggregated", c["tp"], c.get("tp_prefill", 0)))
    tokens = p.rate * p.output
    out = dict(best, feasible=True, candidates=candidates, tokens_per_s=tokens)
    out["usd_per_million_tokens"] = gpu_hourly_usd * best["gpus"] / (tokens * 3600) * 1e6
    return out


def _gpus(n: int) -> str:
    return "1 GPU" if n == 1 else f"{n} GPUs"


def reason(model, gpu, weight_dtype, kv_dtype, p: Profile, candidates: list, degrees: list) -> str:
    """Why no deployment meets the load, in words, from the aggregated candidates (largest replica first)."""
    m, g = f._model(model), f._gpu(gpu)
    agg = [c for c in candidates if c["mode"] == "aggregated"]
    if not agg:
        return f"{m.name} has {m.num_attention_heads} query heads and none of the tensor-parallel degrees divides them"
    c = max(agg, key=lambda c: c["tp"])
    link = "" if len(degrees) > 1 else f" ({g.name} has no GPU-to-GPU link in the data, so replicas stay on one GPU)"
    if c["memory"]["budget"] <= 0:
        return (f"the weights and workspace do not fit: even on {_gpus(c['tp'])} per replica{link} each GPU would hold "
                f"{(c['memory']['weights'] + c['memory']['workspace']) / 1e9:.1f} GB of the "
                f"{c['memory']['usable'] / 1e9:.1f} GB the engine may use")
    if c["memory"]["max_batch"] < 1:
        return f"not one sequence of {p.prompt + p.output} tokens fits in the KV cache left on {_gpus(c['tp'])}"
    if c["step_1_s"] > p.tpot:
        return (f"one decode step takes {c['step_1_s'] * 1e3:.1f} ms even at batch 1 on {_gpus(c['tp'])}, "
                f"over the {p.tpot * 1e3:.0f} ms TPOT limit")
    return (f"prefill of one {p.prompt}-token prompt takes {c['prefill_s']:.2f} s on {_gpus(c['tp'])}, so its p99 "
            f"TTFT cannot stay under {p.ttft:g} s")


# --- held against measurements (data/planner_checks.yml, docs/operations/planner-accuracy.md) ------------------------

def _load_checks() -> dict:
    import yaml

    from handbook import DATA
    return yaml.safe_load((DATA / "planner_checks.yml").read_text())


def _measured(row: dict) -> float:
    value = row["measured"]
    if isinstance(value, str) and value.startswith("lab:"):
        name, path = value[4:].split()
        return measurements.value(name, path)
    return float(value)


def predict(row: dict, lab_: dict | None = None) -> float:
    """The planner's prediction for one row of data/planner_checks.yml (see the kinds listed there)."""
    lab_ = lab_ or lab()
    m, g, wd, kd, tp = row["model"], row["gpu"], row["weight_dtype"], row["kv_dtype"], row["tp"]
    kind = row["kind"]
    if kind == "decode_step":
        return decode_step(m, g, wd, kd, tp, row["batch"], row["context"], lab_)
    if kind == "prefill":
        return prefill_time(m, g, wd, tp, row["prompt"], lab_)
    r = Replica(m, g, wd, kd, tp, Profile(1, row["prompt"], row["output"], 1, 1), lab_)
    if kind == "itl":
        return r.tpot(row["concurrency"])
    if kind == "ttft_alone":
        return r.service(0)
    raise KeyError(f"data/planner_checks.yml: unknown kind {kind!r} in {row['id']}")


def checks(lab_: dict | None = None) -> list[dict]:
    """Each row of data/planner_checks.yml with `measured`, `predicted` (seconds) and `error`
    (predicted / measured - 1: negative when the planner is optimistic)."""
    lab_ = lab_ or lab()
    out = []
    for row in _load_checks()["checks"]:
        measured, predicted = _measured(row), predict(row, lab_)
        out.append(dict(row, measured=measured, measured_from=row["measured"], predicted=predicted,
                        error=predicted / measured - 1))
    return out


def error_band(lab_: dict | None = None) -> tuple[float, float]:
    """(most optimistic, most pessimistic) error over the checks: the uncertainty the planner states."""
    errors = [c["error"] for c in checks(lab_)]
    return min(errors), max(errors)


def mlperf_rows(lab_: dict | None = None) -> list[dict]:
    """The MLPerf rows, each with the measured requests/s per replica, the mean output length (tokens/s over
    samples/s), and the mean prompt length at which the planner's capacity per replica, at the run's TTFT and TPOT
    limits, equals the measured rate: `prompt_match` for the raw model, `prompt_match_planned` with the slowdown plan()
    uses (None where no length from 1 to the dataset's 1,024-token cap gives the measured rate)."""
    raw = lab_ or lab()
    planned = dict(raw, slowdown=max(1.0, 1 / (1 + error_band(raw)[0])))
    out = []
    for row in _load_checks()["mlperf"]:
        rate = row["samples_per_s"] / row["replicas"]
        output = row["tokens_per_s"] / row["samples_per_s"]
        out.append(dict(row, rate_per_replica=rate, output_tokens=output, prompt_match=_prompt_match(row, raw),
                        prompt_match_planned=_prompt_match(row, planned)))
    return out


def _mlperf_capacity(row: dict, prompt: int, lab_: dict) -> float:
    output = round(row["tokens_per_s"] / row["samples_per_s"])
    p = Profile(1, prompt, output, row["ttft_limit_s"], row["tpot_limit_s"])
    r = Replica(row["model"], row["gpu"], row["weight_dtype"], row["kv_dtype"], row["tp"], p, lab_)
    return _summary(r.limits())[0]


def _prompt_match(row: dict, lab_: dict) -> int | None:
    """Largest mean prompt (1 to 1,024 tokens) at which the capacity per replica still reaches the measured rate."""
    rate = row["samples_per_s"] / row["replicas"]
    lo, hi = 1, 1024
    if not _mlperf_capacity(row, hi, lab_) <= rate <= _mlperf_capacity(row, lo, lab_):
        return None
    while hi - lo > 1:          # capacity falls as prompts grow
        mid = (lo + hi) // 2
        if _mlperf_capacity(row, mid, lab_) >= rate:
            lo = mid
        else:
            hi = mid
    return lo
