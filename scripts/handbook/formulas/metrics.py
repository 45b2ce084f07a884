"""Serving metrics computed from per-request timestamps, as docs/metrics/ defines them.

A request is what a streaming load generator records on the client:

    send          when the request was written to the socket (seconds)
    chunks        [(arrival time, tokens carried), ...] for each streamed chunk
    done          when the last byte of the response arrived
    ok            False for errors, timeouts and truncated streams
    input_tokens / output_tokens
    queued, scheduled (optional) server-side timestamps on the same clock: when the
                  engine received the request and when it was first scheduled

Definitions (the pages explain each choice):

* TTFT = arrival of the first chunk that carries at least one token - send.
  Chunks with zero tokens (role headers, keep-alives) are ignored.
* end-to-end latency = done - send.
* TPOT (per request) = (e2e - TTFT) / (output_tokens - 1). Undefined (None) for a
  request with one output token; such requests are left out of TPOT statistics and
  pass a TPOT SLO (vLLM's `--goodput` does the same).
* ITL: each gap between consecutive non-empty chunks. A gap that delivers k tokens
  is one *gap* value (the per-chunk view vLLM reports), or k values of gap/k in the
  *token*-weighted view, whose mean equals sum(gaps) / sum(tokens after the first chunk).
  The *request*-weighted view takes each request's mean first.
* Failed requests count in the denominator of SLO attainment and nowhere else.
* Percentiles: linear interpolation between order statistics (numpy's default,
  method="linear") unless method="nearest" (nearest rank: the ceil(p/100 n)-th value).
* Run duration = last completion - first send.

Pure Python; no numpy.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from handbook import DATA, formulas

TRACE_DIR = DATA / "traces"   # HANDBOOK_DATA points tests at another data folder


@dataclass(frozen=True)
class Request:
    send: float
    chunks: tuple[tuple[float, int], ...]
    done: float
    ok: bool = True
    input_tokens: int = 0
    output_tokens: int = 0
    queued: float | None = None
    scheduled: float | None = None
    id: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> Request:
        return cls(send=float(d["send"]), chunks=tuple((float(t), int(n)) for t, n in d.get("chunks", [])),
                   done=float(d["done"]), ok=bool(d.get("ok", True)), input_tokens=int(d.get("input_tokens", 0)),
                   output_tokens=int(d.get("output_tokens", 0)), queued=d.get("queued"),
                   scheduled=d.get("scheduled"), id=str(d.get("id", "")))

    @property
    def token_chunks(self) -> list[tuple[float, int]]:
        """Chunks that carry at least one token, in arrival order."""
        return sorted((c for c in self.chunks if c[1] > 0), key=lambda c: c[0])


@dataclass
class Trace:
    requests: list[Request]
    slo: dict[str, float] = field(default_factory=dict)
    description: str = ""


# --- per-request metrics ---------------------------------------------------------------

def ttft(r: Request) -> float | None:
    """First token-carrying chunk - send; None if no chunk carried a token."""
    chunks = r.token_chunks
    return chunks[0][0] - r.send if chunks else None


def e2e_latency(r: Request) -> float:
    return r.done - r.send


def tpot(r: Request) -> float | None:
    """(e2e - TTFT) / (output_tokens - 1); None when fewer than two output tokens."""
    first = ttft(r)
    if first is None or r.output_tokens < 2:
        return None
    return (e2e_latency(r) - first) / (r.output_tokens - 1)


def itl_gaps(r: Request) -> list[tuple[float, int]]:
    """(gap, tokens delivered at the end of the gap) between consecutive non-empty chunks."""
    chunks = r.token_chunks
    return [(b[0] - a[0], b[1]) for a, b in zip(chunks, chunks[1:])]


def queue_time(r: Request) -> float | None:
    """Server-side wait between arrival and first scheduling, if the trace has it."""
    if r.queued is None or r.scheduled is None:
        return None
    return r.scheduled - r.queued


# --- aggregation -----------------------------------------------------------------------

def percentile(values: Sequence[float], p: float, method: str = "linear") -> float:
    """p in [0, 100]. 'linear': numpy.percentile's default; 'nearest': nearest rank."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= p <= 100:
        raise ValueError("p must be in [0, 100]")
    xs = sorted(values)
    n = len(xs)
    if method == "linear":
        rank = p / 100 * (n - 1)
        lo = math.floor(rank)
        hi = min(lo + 1, n - 1)
        return xs[lo] + (rank - lo) * (xs[hi] - xs[lo])
    if method == "nearest":
        return xs[max(0, math.ceil(round(p / 100 * n, 9)) - 1)]
    raise ValueError(f"unknown percentile method {method!r}; use 'linear' or 'nearest'")


def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)


def summarize(values: Sequence[float], stat: str, method: str = "linear") -> float:
    """stat: mean, min, max, median, or pNN (p50, p90, p99, p99.9)."""
    if stat == "mean":
        return mean(values)
    if stat == "min":
        return min(values)
    if stat == "max":
        return max(values)
    if stat == "median":
        stat = "p50"
    if stat.startswith("p"):
        return percentile(values, float(stat[1:]), method)
    raise ValueError(f"unknown statistic {stat!r}")


def successful(requests: Iterable[Request]) -> list[Request]:
    return [r for r in requests if r.ok]


def itl_values(requests: Iterable[Request], weighting: str = "gap") -> list[float]:
    """ITL samples of successful requests. weighting: 'gap' (one per chunk gap),
    'token' (gap/k repeated k times), 'request' (one mean per request)."""
    out: list[float] = []
    for r in successful(requests):
        gaps = itl_gaps(r)
        if weighting == "gap":
            out += [g for g, _ in gaps]
        elif weighting == "token":
            for g, k in gaps:
                out += [g / k] * k
        elif weighting == "request":
            if gaps:
                out.append(sum(g for g, _ in gaps) / sum(k for _, k in gaps))
        else:
            raise ValueError(f"unknown weighting {weighting!r}; use gap, token or request")
    return out


def values(requests: Sequence[Request], name: str, weighting: str = "gap") -> list[float]:
    """Per-request (or per-gap) samples of a latency metric over successful requests."""
    ok = successful(requests)
    if name == "ttft":
        vs = [ttft(r) for r in ok]
    elif name in ("e2e", "e2el", "e2e_latency"):
        vs = [e2e_latency(r) for r in ok]
    elif name == "tpot":
        vs = [tpot(r) for r in ok]
    elif name == "queue":
        vs = [queue_time(r) for r in ok]
    elif name == "itl":
        return itl_values(ok, weighting)
    else:
        raise ValueError(f"unknown metric {name!r}; use ttft, tpot, itl, e2e or queue")
    return [v for v in vs if v is not None]


def duration(requests: Sequence[Request]) -> float:
    """First send to last completion, over all requests (failed ones occupy the run too)."""
    return max(r.done for r in requests) - min(r.send for r in requests)


def request_throughput(requests: Sequence[Request]) -> float:
    """Successful requests per second of run."""
    return len(successful(requests)) / duration(requests)


def token_throughput(requests: Sequence[Request], kind: str = "output") -> float:
    """Tokens/s of successful requests: kind = input, output or total."""
    ok = successful(requests)
    tokens = {"input": sum(r.input_tokens for r in ok), "output": sum(r.output_tokens for r in ok)}
    tokens["total"] = tokens["input"] + tokens["output"]
    if kind not in tokens:
        raise ValueError("kind must be input, output or total")
    return tokens[kind] / duration(requests)


def meets_slo(r: Request, slo: dict[str, float]) -> bool:
    """True if the request succeeded and meets EVERY target in slo (keys ttft, tpot, e2e; seconds,
    inclusive). A one-token request has no TPOT and passes a TPOT target."""
    if not r.ok:
        return False
    for key, limit in slo.items():
        if key == "ttft":
            v = ttft(r)
            if v is None or v > limit:
                return False
        elif key == "tpot":
            v = tpot(r)
            if v is not None and v > limit:
                return False
        elif key in ("e2e", "e2el"):
            if e2e_latency(r) > limit:
                return False
        else:
            raise ValueError(f"unknown SLO {key!r}; use ttft, tpot or e2e")
    return True


def slo_attainment(requests: Sequence[Request], slo: dict[str, float]) -> float:
    """Fraction of ALL requests (failed ones included) that meet every SLO. The SLO-constrained capacity
    of docs/metrics/goodput.md is the highest offered load at which this stays at or above a target share."""
    return sum(meets_slo(r, slo) for r in requests) / len(requests)


def goodput(requests: Sequence[Request], slo: dict[str, float]) -> float:
    """Requests per second that succeed and meet every SLO, over the run duration.

    This is goodput as the DistServe authors' announcement defines it and as vLLM's `--goodput`
    computes it, for one run at one offered load. It is not the DistServe paper's "per-GPU goodput"
    (arXiv 2401.09670v3, section 1), the highest rate at which a target share of requests meets the
    SLOs; the handbook calls that SLO-constrained capacity, found by sweeping the load."""
    return sum(meets_slo(r, slo) for r in requests) / duration(requests)


# --- efficiency and cost ---------------------------------------------------------------

def mfu(model: str, gpu: str, tokens_per_s: float, dtype: str = "bf16", gpu_count: int = 1,
        context: int = 0) -> float:
    """Model FLOPs utilization: model FLOPs per token x tokens/s over dense peak of all GPUs."""
    return formulas.flops_per_token(model, context) * tokens_per_s / (formulas.peak_flops(gpu, dtype) * gpu_count)


def mbu(model: str, gpu: str, step_time_s: float, batch_size: int = 1, context_tokens: int = 0,
        weight_dtype: str = "bf16", kv_dtype: str = "bf16", gpu_count: int = 1) -> float:
    """Model bandwidth utilization of one decode step: (weights + KV cache read) / step time
    over the peak memory bandwidth of all GPUs. Ignores activations and MoE expert sparsity
    (all weights are counted as read)."""
    from handbook import data
    moved = formulas.weight_bytes(model, weight_dtype) + formulas.kv_bytes(model, kv_dtype, context_tokens, batch_size)
    return moved / step_time_s / (data.gpu(gpu).memory_bandwidth * gpu_count)


def cost_per_million_tokens(gpu_hourly_usd: float, gpu_count: int, tokens_per_s: float,
                            utilization: float = 1.0) -> float:
    return formulas.cost_per_million_tokens(gpu_hourly_usd, gpu_count, tokens_per_s, utilization)


def tokens_per_joule(tokens_per_s: float, watts: float) -> float:
    """Tokens per joule = tokens/s divided by average power draw in watts."""
    if watts <= 0:
        raise ValueError("watts must be positive")
    return tokens_per_s / watts


def gpu_tokens_per_joule(gpu: str, tokens_per_s: float, gpu_count: int = 1, power_fraction: float = 1.0) -> float:
    """Tokens per joule if `gpu_count` GPUs draw `power_fraction` of their rated board power
    (data/gpus.yml `power`) while producing `tokens_per_s`. GPU board power only: no host,
    network or cooling."""
    from handbook import data
    watts = data.gpu(gpu).power
    if not watts:
        raise KeyError(f"{gpu} has no power figure in data/gpus.yml")
    return tokens_per_joule(tokens_per_s, watts * power_fraction * gpu_count)


# --- traces and placeholders -----------------------------------------------------------

def parse_trace(obj: dict) -> Trace:
    return Trace([Request.from_dict(d) for d in obj["requests"]], dict(obj.get("slo", {})),
                 obj.get("description", ""))


@lru_cache(maxsize=8)
def load_trace(name: str = "sample") -> Trace:
    path = TRACE_DIR / f"{name}.json"
    if not path.exists():
        raise KeyError(f"no trace {name!r} in data/traces/")
    return parse_trace(json.loads(path.read_text(encoding="utf-8")))


def _slo(trace: Trace, slo_ttft_ms: float | None, slo_tpot_ms: float | None) -> dict[str, float]:
    slo = dict(trace.slo)
    if slo_ttft_ms is not None:
        slo["ttft"] = float(slo_ttft_ms) / 1000
    if slo_tpot_ms is not None:
        slo["tpot"] = float(slo_tpot_ms) / 1000
    return slo


def trace_metric(name: str, stat: str = "mean", weighting: str = "gap", method: str = "linear",
                 trace: str = "sample") -> float:
    """A latency statistic of a stored trace, in seconds."""
    return summarize(values(load_trace(trace).requests, name, weighting), stat, method)


def trace_request(id: str, name: str, trace: str = "sample") -> float:
    """One request's latency metric (ttft, tpot, e2e, queue), in seconds."""
    for r in load_trace(trace).requests:
        if r.id == id:
            v = {"ttft": ttft, "tpot": tpot, "e2e": e2e_latency, "queue": queue_time}[name](r)
            if v is None:
                raise ValueError(f"{name} is undefined for request {id}")
            return v
    raise KeyError(f"no request {id!r} in trace {trace!r}")


def trace_throughput(kind: str = "output", trace: str = "sample") -> float:
    return token_throughput(load_trace(trace).requests, kind)


def trace_rate(kind: str = "completed", trace: str = "sample", slo_ttft_ms: float | None = None,
               slo_tpot_ms: float | None = None) -> float:
    """Requests per second: completed or good (meeting every SLO)."""
    t = load_trace(trace)
    if kind == "completed":
        return request_throughput(t.requests)
    if kind == "good":
        return goodput(t.requests, _slo(t, slo_ttft_ms, slo_tpot_ms))
    raise ValueError("kind must be completed or good")


def trace_count(what: str, trace: str = "sample", slo_ttft_ms: float | None = None,
                slo_tpot_ms: float | None = None) -> int:
    """Counts: requests, succeeded, failed, good, miss_ttft_only, miss_tpot_only,
    input_tokens, output_tokens, one_token."""
    t = load_trace(trace)
    rs, ok = t.requests, successful(t.requests)
    slo = _slo(t, slo_ttft_ms, slo_tpot_ms)
    only_ttft = {"ttft": slo["ttft"]} if "ttft" in slo else {}
    only_tpot = {"tpot": slo["tpot"]} if "tpot" in slo else {}
    counts = {
        "requests": lambda: len(rs), "succeeded": lambda: len(ok), "failed": lambda: len(rs) - len(ok),
        "good": lambda: sum(meets_slo(r, slo) for r in rs),
        "miss_ttft_only": lambda: sum(meets_slo(r, only_tpot) and not meets_slo(r, only_ttft) for r in ok),
        "miss_tpot_only": lambda: sum(meets_slo(r, only_ttft) and not meets_slo(r, only_tpot) for r in ok),
        "input_tokens": lambda: sum(r.input_tokens for r in ok),
        "output_tokens": lambda: sum(r.output_tokens for r in ok),
        "one_token": lambda: sum(r.output_tokens == 1 for r in ok),
    }
    if what not in counts:
        raise ValueError(f"unknown count {what!r}; use {', '.join(counts)}")
    return counts[what]()


def per_user_rate(r: Request) -> float | None:
    """Output tokens per second of decode one user sees: 1 / TPOT."""
    v = tpot(r)
    return 1 / v if v else None


def mean_concurrency(requests: Sequence[Request]) -> float:
    """Mean requests in flight over the run: sum of E2E latencies / duration (Little's law, L = lambda W)."""
    return sum(e2e_latency(r) for r in requests) / duration(requests)


def trace_user_rate(stat: str = "mean", trace: str = "sample") -> float:
    """Per-user decode rate (1/TPOT) over successful multi-token requests, in tokens/s."""
    vs = [per_user_rate(r) for r in successful(load_trace(trace).requests)]
    return summarize([v for v in vs if v is not None], stat)


def trace_concurrency(trace: str = "sample") -> float:
    return mean_concurrency(load_trace(trace).requests)


def trace_duration(trace: str = "sample") -> float:
    return duration(load_trace(trace).requests)


def trace_fraction(what: str = "attainment", trace: str = "sample", slo_ttft_ms: float | None = None,
                   slo_tpot_ms: float | None = None) -> float:
    """SLO attainment over all requests (what=attainment) or per single SLO (ttft, tpot)."""
    t = load_trace(trace)
    slo = _slo(t, slo_ttft_ms, slo_tpot_ms)
    if what == "attainment":
        return slo_attainment(t.requests, slo)
    if what in slo:
        return slo_attainment(t.requests, {what: slo[what]})
    raise ValueError("what must be attainment, ttft or tpot")
