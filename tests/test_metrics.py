"""Pins each metric definition of docs/metrics/ with hand-checked cases."""
import math

import pytest
from handbook.formulas import metrics as m
from handbook.formulas.metrics import Request
from handbook.render import placeholders


def req(send, chunks, done, ok=True, out=None, inp=100, queued=None, scheduled=None, id="x"):
    out = sum(k for _, k in chunks) if out is None else out
    return Request(send=send, chunks=tuple(chunks), done=done, ok=ok, input_tokens=inp, output_tokens=out,
                   queued=queued, scheduled=scheduled, id=id)


# A plain stream: first token at 0.2 s, then one token every 0.05 s, done 0.01 s after the last.
PLAIN = req(0.0, [(0.2, 1), (0.25, 1), (0.30, 1), (0.35, 1)], 0.36)


def test_ttft_e2e_tpot_plain():
    assert m.ttft(PLAIN) == pytest.approx(0.2)
    assert m.e2e_latency(PLAIN) == pytest.approx(0.36)
    # (0.36 - 0.2) / (4 - 1): the tail after the last token is included in TPOT
    assert m.tpot(PLAIN) == pytest.approx(0.16 / 3)
    assert [g for g, _ in m.itl_gaps(PLAIN)] == pytest.approx([0.05, 0.05, 0.05])


def test_one_output_token_has_no_tpot_and_passes_tpot_slo():
    r = req(0.0, [(0.3, 1)], 0.31)
    assert m.ttft(r) == pytest.approx(0.3)
    assert m.tpot(r) is None
    assert m.itl_gaps(r) == []
    assert m.meets_slo(r, {"tpot": 0.001})
    assert not m.meets_slo(r, {"ttft": 0.1, "tpot": 0.001})
    assert m.values([r, PLAIN], "tpot") == pytest.approx([0.16 / 3])


def test_empty_chunks_are_ignored():
    r = req(0.0, [(0.01, 0), (0.2, 1), (0.21, 0), (0.25, 1)], 0.26)
    assert m.ttft(r) == pytest.approx(0.2)          # not 0.01: the role chunk carried no token
    assert [g for g, _ in m.itl_gaps(r)] == pytest.approx([0.05])


def test_several_tokens_in_one_chunk():
    # speculative decoding: 1 token, then 3 tokens after 0.06 s, then 1 token after 0.04 s
    r = req(0.0, [(0.2, 1), (0.26, 3), (0.30, 1)], 0.30)
    assert m.tpot(r) == pytest.approx(0.10 / 4)
    assert m.itl_values([r], "gap") == pytest.approx([0.06, 0.04])        # mean 0.05: overstates per-token time
    assert m.itl_values([r], "token") == pytest.approx([0.02, 0.02, 0.02, 0.04])
    assert m.mean(m.itl_values([r], "token")) == pytest.approx(m.tpot(r))
    assert m.itl_values([r], "request") == pytest.approx([0.025])


def test_token_and_request_weighting_differ_across_requests():
    short = req(0.0, [(0.1, 1), (0.2, 1)], 0.2)                     # one gap of 0.1
    long = req(0.0, [(0.1, 1)] + [(0.1 + 0.01 * i, 1) for i in range(1, 10)], 0.19)  # nine gaps of 0.01
    assert m.mean(m.itl_values([short, long], "token")) == pytest.approx((0.1 + 0.09) / 10)
    assert m.mean(m.itl_values([short, long], "request")) == pytest.approx((0.1 + 0.01) / 2)


def test_failed_requests():
    good = req(0.0, [(0.1, 1), (0.2, 1)], 1.0)
    bad = req(0.5, [(0.7, 1)], 2.0, ok=False)
    rs = [good, bad]
    assert m.duration(rs) == pytest.approx(2.0)
    assert m.request_throughput(rs) == pytest.approx(0.5)           # only the success counts
    assert m.values(rs, "ttft") == pytest.approx([0.1])              # failed TTFT left out
    assert m.slo_attainment(rs, {"ttft": 1.0}) == pytest.approx(0.5)  # but it counts against attainment
    assert not m.meets_slo(bad, {})


def test_goodput_needs_every_slo():
    fast_start_slow_decode = req(0.0, [(0.1, 1), (0.2, 1), (0.3, 1)], 0.3, id="a")   # TTFT 0.1, TPOT 0.1
    slow_start_fast_decode = req(0.0, [(0.9, 1), (0.92, 1), (0.94, 1)], 0.94, id="b")  # TTFT 0.9, TPOT 0.02
    both = req(0.0, [(0.2, 1), (0.23, 1), (0.26, 1)], 1.0 - 0.74, id="c")             # TTFT 0.2, TPOT 0.03
    rs = [fast_start_slow_decode, slow_start_fast_decode, both]
    slo = {"ttft": 0.5, "tpot": 0.05}
    assert [m.meets_slo(r, slo) for r in rs] == [False, False, True]
    assert m.slo_attainment(rs, {"ttft": 0.5}) == pytest.approx(2 / 3)
    assert m.slo_attainment(rs, {"tpot": 0.05}) == pytest.approx(2 / 3)
    assert m.slo_attainment(rs, slo) == pytest.approx(1 / 3)
    assert m.goodput(rs, slo) == pytest.approx(1 / m.duration(rs))


def test_slo_boundary_is_inclusive():
    r = req(0.0, [(0.5, 1)], 0.5)
    assert m.meets_slo(r, {"ttft": 0.5})


def test_throughputs():
    a = req(0.0, [(0.1, 1), (0.2, 1)], 0.2, inp=100)
    b = req(1.0, [(1.1, 1), (1.2, 1), (1.3, 1)], 2.0, inp=300)
    assert m.token_throughput([a, b], "input") == pytest.approx(400 / 2.0)
    assert m.token_throughput([a, b], "output") == pytest.approx(5 / 2.0)
    assert m.token_throughput([a, b], "total") == pytest.approx(405 / 2.0)


def test_queue_time():
    assert m.queue_time(req(0.0, [(1, 1)], 1, queued=0.01, scheduled=0.26)) == pytest.approx(0.25)
    assert m.queue_time(PLAIN) is None


def test_percentile_methods():
    xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert m.percentile(xs, 50) == pytest.approx(5.5)        # numpy.percentile(xs, 50)
    assert m.percentile(xs, 90) == pytest.approx(9.1)        # numpy.percentile(xs, 90)
    assert m.percentile(xs, 99) == pytest.approx(9.91)
    assert m.percentile(xs, 50, "nearest") == 5
    assert m.percentile(xs, 90, "nearest") == 9
    assert m.percentile(xs, 99, "nearest") == 10
    assert m.percentile([4.0], 99) == 4.0
    with pytest.raises(ValueError):
        m.percentile([], 50)


def test_mfu_mbu_cost_energy():
    from handbook import formulas
    tps = 1000.0
    expected = formulas.flops_per_token("llama-3.1-8b", 0) * tps / formulas.peak_flops("h100-sxm", "bf16")
    assert m.mfu("llama-3.1-8b", "h100-sxm", tps) == pytest.approx(expected)
    # MBU of 1 when the step time equals the bandwidth lower bound of reading weights at batch 1
    from handbook import data
    floor = formulas.weight_bytes("llama-3.1-8b", "bf16") / data.gpu("h100-sxm").memory_bandwidth
    assert m.mbu("llama-3.1-8b", "h100-sxm", floor) == pytest.approx(1.0)
    assert m.mbu("llama-3.1-8b", "h100-sxm", 2 * floor) == pytest.approx(0.5)
    # $2/GPU-hour, 1 GPU, 1000 tokens/s -> 2 / 3.6e6 tokens x 1e6 = $0.5556
    assert m.cost_per_million_tokens(2.0, 1, 1000.0) == pytest.approx(2 / 3.6)
    assert m.tokens_per_joule(1400.0, 700.0) == pytest.approx(2.0)


def test_sample_trace_and_placeholders():
    t = m.load_trace("sample")
    assert len(t.requests) == 20
    assert m.trace_count("failed") == 1
    assert m.trace_count("one_token") == 1
    assert m.trace_count("miss_ttft_only") >= 1 and m.trace_count("miss_tpot_only") >= 1
    good = m.trace_count("good")
    assert m.trace_fraction("attainment") == pytest.approx(good / 20)
    assert m.trace_rate("good") == pytest.approx(good / m.trace_duration())
    text = placeholders.evaluate("trace_metric name=ttft stat=p99 unit=ms")
    assert text.endswith("ms")
    assert placeholders.evaluate("trace_fraction what=attainment unit=% digits=0") == \
        f"{good / 20 * 100:.0f}%"
    assert math.isfinite(m.trace_metric("itl", "p99", weighting="token"))


def test_per_user_rate_and_concurrency():
    assert m.per_user_rate(PLAIN) == pytest.approx(3 / 0.16)
    assert m.per_user_rate(req(0.0, [(0.3, 1)], 0.31)) is None
    a = req(0.0, [(0.1, 1)], 1.0)
    b = req(0.5, [(0.6, 1)], 2.0)
    # 1.0 s + 1.5 s of request time over a 2 s window: 1.25 requests in flight on average
    assert m.mean_concurrency([a, b]) == pytest.approx(1.25)


def test_gpu_tokens_per_joule_uses_rated_power():
    from handbook import data
    watts = data.gpu("h100-sxm").power
    assert m.gpu_tokens_per_joule("h100-sxm", 1000.0) == pytest.approx(1000.0 / watts)
    assert m.gpu_tokens_per_joule("h100-sxm", 1000.0, gpu_count=2, power_fraction=0.5) == pytest.approx(1000.0 / watts)
