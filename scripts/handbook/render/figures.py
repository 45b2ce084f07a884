"""The handbook's data-driven figures: SVG text computed from data/.

One function per figure returns the SVG text. Every model or GPU quantity in a
figure (the printed numbers, its <title> and <desc>, and every bar width or curve
point that encodes one) is computed here through `formulas` and `data`, so a
figure cannot keep a number that data/ no longer has. Numbers that are
assumptions are constants below and the figure labels them "assumed".

`FIGURES` maps each file (relative to the repository root) to its function;
`python3 scripts/figures.py` writes them and `--check` lists stale ones
(tests/test_figures.py runs the same comparison).

Output is deterministic: fixed number formatting, no dates, no random ids. The
figures are drawn for a white background (the site puts SVGs on a light card in
dark mode), in a system sans-serif font, with no text smaller than 11 px.
Number formatting is the placeholders' (`format_value`), so a figure and the
alt text beside it print the same value the same way.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from lab.svg import FONT, Axis, f

from handbook import ROOT, data
from handbook import formulas as F
from handbook.render.formatting import format_number, format_value
from handbook.units import UNITS, dimension_of

GiB = 2**30
MiB = 2**20
KiB = 2**10

INK = "#111827"      # titles and labels
MUTED = "#374151"    # secondary text
FAINT = "#6b7280"    # footnotes (5.0:1 on white)
GRID = "#e5e7eb"


# --- primitives -------------------------------------------------------------------------

def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="t d" font-family="{escape(FONT)}">',
            f'<title id="t">{escape(title)}</title>',
            f'<desc id="d">{escape(desc)}</desc>',
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    return "\n".join(head + body + ["</svg>"]) + "\n"


def _text(x: float, y: float, s: str, size: int = 12, fill: str = INK, anchor: str = "start",
          weight: str | None = None, rotate: float | None = None, halo: bool = False) -> str:
    """A text label; `halo` paints a white outline under it so it stays legible where it crosses a line."""
    assert size >= 11, "text smaller than 11 px"
    extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
    extra += f' font-weight="{weight}"' if weight else ""
    extra += f' transform="rotate({f(rotate)} {f(x)} {f(y)})"' if rotate is not None else ""
    extra += ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if halo else ""
    return f'<text x="{f(x)}" y="{f(y)}" font-size="{size}"{extra} fill="{fill}">{escape(s)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return f'<rect x="{f(x)}" y="{f(y)}" width="{f(w)}" height="{f(h)}" fill="{fill}"{extra}/>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{f(x1)}" y1="{f(y1)}" x2="{f(x2)}" y2="{f(y2)}" stroke="{stroke}"{extra}/>'


def _polyline(points: list[tuple[float, float]], stroke: str, width: float, extra: str = "") -> str:
    d = " ".join(f"{f(x)},{f(y)}" for x, y in points)
    return f'<polyline points="{d}" fill="none" stroke="{stroke}" stroke-width="{width}"{extra}/>'


def _circle(x: float, y: float, r: float, fill: str, extra: str = "") -> str:
    return f'<circle cx="{f(x)}" cy="{f(y)}" r="{f(r)}" fill="{fill}"{extra}/>'


class _Plot:
    """Maps data to pixels in a plot box through two lab.svg Axis objects."""

    def __init__(self, left: float, top: float, width: float, height: float, xaxis: Axis, yaxis: Axis):
        self.left, self.top, self.width, self.height = left, top, width, height
        self.xa, self.ya = xaxis, yaxis

    def X(self, v: float) -> float:
        return self.left + self.xa.frac(v) * self.width

    def Y(self, v: float) -> float:
        return self.top + (1 - self.ya.frac(v)) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width

    def grid(self, xlabel: Callable[[float], str], ylabel: Callable[[float], str]) -> list[str]:
        out = []
        for t in self.ya.ticks:
            y = self.Y(t)
            out += [_line(self.left, y, self.right, y, GRID), _text(self.left - 8, y + 4, ylabel(t), 12, MUTED, "end")]
        for t in self.xa.ticks:
            x = self.X(t)
            out += [_line(x, self.top, x, self.bottom, GRID),
                    _text(x, self.bottom + 18, xlabel(t), 12, MUTED, "middle")]
        out.append(_rect(self.left, self.top, self.width, self.height, "none", ' stroke="#6b7280"'))
        return out


# --- number formatting --------------------------------------------------------------------

def _q(value: float, unit: str, digits: int | None = None) -> str:
    """A quantity in `unit`, formatted as the placeholders format it (regular space before the unit)."""
    return format_value(value, dimension_of(unit), unit, digits).replace("\u00a0", " ")


def _q_exact(value: float, unit: str) -> str:
    """A quantity as data/ states it: no rounding beyond three decimals, no trailing zeros (989.5 TFLOPS)."""
    return f"{_plain(value / UNITS[unit][1])} {unit}"


def _gib(value: float) -> str:
    """GiB with one decimal, or none when the value is a whole number of GiB (80 GiB, 15.0 GiB)."""
    number = value / GiB
    return _q(value, "GiB", 0 if abs(number - round(number)) < 1e-9 else 1)


def _plain(value: float) -> str:
    """A unitless number with up to three decimals (1.75, 0.9)."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _bytes_binary(value: float) -> str:
    """Power-of-two sizes for axis ticks and message sizes: 16 KiB, 512 KiB, 128 MiB, 1 GiB."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if value >= size:
            return f"{format_number(value / size, 0 if (value / size).is_integer() else 1)} {unit}"
    return f"{format_number(value, 0)} B"


def _seconds(value: float) -> str:
    """Seconds: whole seconds from 10 s up, one decimal below."""
    digits = 0 if value >= 10 or float(value).is_integer() else 1
    return f"{format_number(value, digits)} s"


# --- concepts/memory-budget.md ---------------------------------------------------------------

# Assumed sizes of the fixed blocks besides the weights: round numbers for illustration. Real values
# depend on the engine, its version, the token budget per step and the captured batch sizes.
BUDGET_ASSUMED = (("Activations peak", 2.0 * GiB, "#f59e0b"),
                  ("CUDA graphs", 1.0 * GiB, "#a855f7"),
                  ("Runtime overhead", 0.5 * GiB, "#64748b"))


TOOL_NAMES = {"pytorch": "PyTorch", "nvidia-smi": "nvidia-smi", "rocm-smi": "rocm-smi"}


def memory_budget(gpu_id: str = "h100-sxm", gpu_short: str = "H100 SXM", model_id: str = "llama-3.1-8b",
                  weight_dtype: str = "bf16", memory_utilization: float = 0.9) -> str:
    g, m = data.gpu(gpu_id), data.model(model_id)
    capacity = g.memory
    limit = capacity * memory_utilization
    weights = F.weight_bytes(m, weight_dtype)
    kv_budget = F.kv_budget_bytes(m, g, weight_dtype, 1, memory_utilization)   # limit minus weights
    assumed = sum(size for _, size, _ in BUDGET_ASSUMED)
    pool = kv_budget - assumed
    unused = capacity - limit
    if pool <= 0:
        raise ValueError(f"{m.name} in {weight_dtype} leaves no KV cache pool on {g.name}: redraw the figure")
    dtype = weight_dtype.upper()
    u = _plain(memory_utilization)

    left, width, top, height = 40, 640, 60, 56

    def X(nbytes: float) -> float:
        return left + nbytes / capacity * width

    segments = [(f"Weights ({dtype})", weights, "#1d4ed8", "derived"),
                *[(name, size, color, "assumed") for name, size, color in BUDGET_ASSUMED],
                ("KV cache pool", pool, "#16a34a", "derived"),
                (f"Left unused (1 \u2212 {u})", unused, "#e5e7eb", "derived")]
    body = [_text(40, 30, f"{gpu_short}, {_gib(capacity)}: {m.name}, {dtype}, memory utilization {u}", 15, INK,
                  weight="600")]
    start = 0.0
    for _, size, color, _ in segments:
        body.append(_rect(X(start), top, size / capacity * width, height, color, ' stroke="#ffffff" stroke-width="1"'))
        start += size
    body.append(_rect(left, top, width, height, "none", f' stroke="{MUTED}"'))
    body.append(_line(X(limit), top - 12, X(limit), top + height + 12, INK, ' stroke-width="2" stroke-dasharray="4 3"'))
    body.append(_text(X(limit), top - 16, f"gpu_memory_utilization \u00d7 {_gib(capacity)} = {_gib(limit)}", 12, INK,
                      "end"))
    body.append(_text(left, top + height + 28, "0 GiB", 12, MUTED))
    body.append(_text(left + width, top + height + 28, _gib(capacity), 12, MUTED, "end"))
    for i, (name, size, color, kind) in enumerate(segments):
        x, y = (40, 370)[i % 2], 158 + 30 * (i // 2)
        body.append(_rect(x, y, 16, 16, color, f' stroke="{MUTED}" stroke-width="0.5"'))
        body.append(_text(x + 24, y + 13, f"{name}: {_gib(size)} ({kind})", 13))
    body.append(_text(40, 280, "Engines size the KV pool last: whatever the budget leaves after weights, the profiled "
                               "activation peak,", 12, MUTED))
    body.append(_text(40, 298, "CUDA graphs and runtime overhead. Assumed values vary with engine, batch limits and "
                               "version.", 12, MUTED))
    note = (f"Derived from data/, not measured. Capacity {_gib(capacity)} = {_plain(capacity / GiB)} "
            f"\u00d7 2\u00b3\u2070 bytes; the datasheet prints \u201c{g.memory_label}\u201d.")
    body.append(_text(40, 318, note, 11, FAINT))
    height_total = 330
    reported = getattr(g, "memory_reported", None) or {}      # tool -> (bytes, how and when)
    if reported:
        totals = ", ".join(f"{TOOL_NAMES.get(tool, tool)} {_gib(value)}"
                           for tool, (value, _) in sorted(reported.items()))
        body.append(_text(40, 334, f"Software on a real card sees less: {totals} (data/gpus.yml, memory.reported).",
                          11, FAINT))
        height_total = 346
    title = f"Memory budget of one {gpu_short} serving {m.name} in {dtype}"
    desc = (f"A stacked bar of the {gpu_short}'s {_gib(capacity)} (the datasheet prints \u201c{g.memory_label}\u201d). "
            f"From left: weights {_gib(weights)} (derived), activations {_gib(BUDGET_ASSUMED[0][1])} (assumed), "
            f"CUDA graphs {_gib(BUDGET_ASSUMED[1][1])} (assumed), CUDA context and other runtime memory "
            f"{_gib(BUDGET_ASSUMED[2][1])} (assumed), the KV cache pool {_gib(pool)} (derived: the {_gib(limit)} "
            f"limit minus all of these), and {_gib(unused)} left unused because the engine was told to use "
            f"{_plain(memory_utilization * 100)} percent of memory.")
    return _svg(720, height_total, title, desc, body)


# --- concepts/gpu-architecture.md --------------------------------------------------------------

# On-chip figures of the H100 SXM5: cited constants, not in data/gpus.yml.
# NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022): 132 SMs on the SXM5 part, 50 MB of L2.
# Tuning CUDA Applications for Hopper GPU Architecture (docs.nvidia.com/cuda/hopper-tuning-guide), section
# "Streaming Multiprocessor" and "Unified Shared Memory/L1/Texture Cache": 64K 32-bit registers per SM, a combined
# L1/texture/shared memory of 256 KB per SM of which up to 228 KB can be shared memory. NVIDIA's "KB"/"MB" for these
# on-chip SRAMs are binary sizes (64K x 32-bit registers = 262,144 bytes = 256 KiB), so the figure writes KiB/MiB.
H100_SMS = 132
H100_REGISTERS_PER_SM = 64 * 1024          # 32-bit registers
H100_L1_SMEM_PER_SM = 256 * KiB
H100_SMEM_MAX_PER_SM = 228 * KiB
H100_L2 = 50 * MiB


def memory_hierarchy(gpu_id: str = "h100-sxm", gpu_short: str = "H100 SXM") -> str:
    g = data.gpu(gpu_id)
    registers = H100_REGISTERS_PER_SM * 4
    link = g.raw.get("interconnect") or {}
    direction = {"total": "total", "per-direction": "per direction"}.get(g.interconnect_direction, "")
    link_text = f"{link.get('name', 'GPU link')}: {_q_exact(g.interconnect, 'GB/s')} {direction}".rstrip()
    host = g.get("host_link")
    hbm = g.get("memory_type") or "HBM"
    hbm_line = f"{_gib(g.memory)}, {_q_exact(g.memory_bandwidth, 'TB/s')}"
    levels = [
        ("Registers", f"{_bytes_binary(registers)} per SM ({H100_REGISTERS_PER_SM // 1024}K \u00d7 32-bit); "
                      f"{_bytes_binary(registers * H100_SMS)} in all",
         "private to each thread; fastest", "#1d4ed8", 300),
        ("L1 / shared memory (SMEM)", f"{_bytes_binary(H100_L1_SMEM_PER_SM)} per SM combined, up to "
                                      f"{_bytes_binary(H100_SMEM_MAX_PER_SM)} as SMEM",
         "shared by a thread block; kernels tile data here", "#2563eb", 360),
        ("L2 cache", f"{_bytes_binary(H100_L2)}, shared by all SMs",
         "caches HBM traffic; decode weights do not fit", "#0891b2", 430),
        (hbm, hbm_line, "weights and KV cache live here", "#16a34a", 500),
        ("Off-chip links", f"{link_text}; {host}" if host else link_text,
         "other GPUs, host memory, network", "#64748b", 580),
    ]
    body = [_text(24, 30, f"{gpu_short} memory hierarchy (per GPU: {H100_SMS} SMs)", 15, INK, weight="600")]
    for i, (name, size, role, color, box) in enumerate(levels):
        y = 50 + 70 * i
        body.append(_rect(360 - box / 2, y, box, 58, color,
                          f' rx="6" fill-opacity="0.12" stroke="{color}" stroke-width="2"'))
        body.append(_text(360, y + 20, name, 14, INK, "middle", "600"))
        body.append(_text(360, y + 37, size, 12, INK, "middle"))
        body.append(_text(360, y + 52, role, 11, MUTED, "middle"))
    body.append('<defs><marker id="a" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7" '
                f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>')
    body.append(_line(40, 60, 40, 390, MUTED, ' stroke-width="2" marker-end="url(#a)"'))
    body.append(_text(30, 230, "larger, slower, farther", 12, MUTED, "middle", rotate=-90))
    body.append(_text(24, 420, "Sources: Hopper whitepaper and tuning guide (SMs, registers, L1/SMEM, L2); "
                               "data/gpus.yml (HBM, links).", 11, FAINT))
    title = f"Memory hierarchy of an NVIDIA {gpu_short}"
    desc = (f"Levels from fastest and smallest to slowest and largest: registers, {_bytes_binary(registers)} per SM; "
            f"L1 and shared memory, {_bytes_binary(H100_L1_SMEM_PER_SM)} per SM combined with up to "
            f"{_bytes_binary(H100_SMEM_MAX_PER_SM)} as shared memory; L2 cache, {_bytes_binary(H100_L2)} shared by all "
            f"{H100_SMS} SMs; {hbm}, {_gib(g.memory)} at {_q_exact(g.memory_bandwidth, 'TB/s')}; and off-chip "
            f"links: {link_text.replace(': ', ' at ', 1)} to other GPUs" +
            (f" and {host} to the host" if host else "") +
            ". Each level is roughly an order of magnitude larger and slower than the one above.")
    return _svg(720, 440, title, desc, body)


# --- concepts/roofline.md ---------------------------------------------------------------------

def roofline(gpu_id: str = "h100-sxm", gpu_short: str = "H100 SXM", model_id: str = "llama-3.1-8b") -> str:
    g, m = data.gpu(gpu_id), data.model(model_id)
    bw = g.memory_bandwidth
    peak, peak8 = F.peak_flops(g, "bf16"), F.peak_flops(g, "fp8")
    ridge, ridge8 = F.ridge_point(g, "bf16"), F.ridge_point(g, "fp8")
    k, n = m.hidden_size, m.intermediate_size          # the MLP up-projection
    # Decode attention: the attention FLOPs of one new token over the KV bytes it reads (BF16), at any context.
    context = 4096
    attention_i = (F.flops_per_token(m, context) - F.flops_per_token(m, 0)) / F.kv_bytes(m, "bf16", context)
    group = m.num_attention_heads // m.num_kv_heads
    batch, prompt = 256, 4096                          # the scenarios drawn (inputs, not data)
    points = [
        ("decode, batch 1", F.gemm_intensity(1, n, k, "bf16"), "#dc2626", (8, 20, "start")),
        (f"decode attention (GQA, group {group})", attention_i, "#ea580c", (8, 4, "start")),
        (f"decode, batch {batch}", F.gemm_intensity(batch, n, k, "bf16"), "#16a34a", (-8, -14, "end")),
        (f"prefill, {prompt} tokens", F.gemm_intensity(prompt, n, k, "bf16"), "#0f766e", None),
    ]

    def attainable(i: float) -> float:
        return min(peak, bw * i)

    def intensity(i: float) -> str:
        return format_number(i, 0 if i >= 10 or float(i).is_integer() else 1)

    def tflops(v: float) -> str:
        return _q_exact(v, "TFLOPS") if v == peak else _q(v, "TFLOPS")

    xlo, xhi = 0.5, max(5000.0, ridge8 * 5, max(i for _, i, _, _ in points) * 2)
    ylo, yhi = 1.0, max(6000.0, peak8 / 1e12 * 3)
    xa = Axis(xlo, xhi, log=True, pad=False, ticks=[10.0 ** e for e in range(0, int(math.log10(xhi)) + 1)])
    ya = Axis(ylo, yhi, log=True, pad=False, ticks=[10.0 ** e for e in range(0, int(math.log10(yhi)) + 1)])
    p = _Plot(90, 50, 600, 360, xa, ya)
    body = p.grid(lambda t: format_number(t, 0), lambda t: format_number(t, 0))
    body.append(_text(p.left + p.width / 2, 450, "Arithmetic intensity (FLOP per byte of HBM traffic, log scale)", 13,
                      INK, "middle"))
    body.append(_text(26, p.top + p.height / 2, "Attainable TFLOPS (dense, log scale)", 13, INK, "middle", rotate=-90))

    def pt(i: float, flops: float) -> tuple[float, float]:
        return p.X(i), p.Y(flops / 1e12)

    body.append(_polyline([pt(xlo, bw * xlo), pt(ridge, peak), pt(xhi, peak)], "#1d4ed8", 3))
    body.append(_polyline([pt(ridge, peak), pt(ridge8, peak8), pt(xhi, peak8)], "#7c3aed", 2,
                          ' stroke-dasharray="6 4"'))
    body.append(_text(p.right - 6, p.Y(peak / 1e12) + 18, f"BF16 dense roof {_q_exact(peak, 'TFLOPS')}", 12,
                      "#1d4ed8", "end", halo=True))
    body.append(_text(p.right - 6, p.Y(peak8 / 1e12) - 8, f"FP8 dense roof {_q_exact(peak8, 'TFLOPS')}", 12,
                      "#7c3aed", "end"))
    # The memory roof's label runs along it: its slope in pixels is the ratio of the two axes' scales.
    slope = (p.height / math.log10(yhi / ylo)) / (p.width / math.log10(xhi / xlo))
    lx, ly = pt(3, bw * 3)
    body.append(_text(lx, ly - 14, f"HBM roof {_q_exact(bw, 'TB/s')}", 12, "#1d4ed8",
                      rotate=-round(math.degrees(math.atan(slope)))))
    for r, flops, label, color, y in ((ridge, peak, "ridge", "#1d4ed8", p.bottom - 8),
                                      (ridge8, peak8, "FP8 ridge", "#7c3aed", p.bottom - 24)):
        x = p.X(r)
        body.append(_line(x, p.Y(flops / 1e12), x, p.bottom, color, ' stroke-dasharray="3 3"'))
        body.append(_text(x + 4, y, f"{label} \u2248 {format_number(r, 0)} FLOP/B", 12, color))
    for label, i, color, offset in points:
        x, y = pt(i, attainable(i))
        body.append(_circle(x, y, 6, color, ' stroke="#ffffff" stroke-width="1.5"'))
        if offset:
            dx, dy, anchor = offset
            body.append(_text(x + dx, y + dy, f"{label}: I \u2248 {intensity(i)}, {tflops(attainable(i))}", 12, color,
                              anchor, halo=True))
        else:   # on the compute roof: two lines under the roof label, flush right
            body.append(_text(p.right - 6, y + 40, f"{label}:", 12, color, "end", halo=True))
            body.append(_text(p.right - 6, y + 55, f"I \u2248 {intensity(i)}, {tflops(attainable(i))}", 12, color,
                              "end", halo=True))
    body.append(_text(96, 68, "memory-bound \u2190", 12, MUTED))
    body.append(_text(p.right - 6, 366, "\u2192 compute-bound", 12, MUTED, "end"))
    body.append(_text(24, 470, f"Derived, not measured: {gpu_short} datasheet peaks (data/gpus.yml); {m.name} MLP "
                               f"GEMM {k}\u00d7{n}, BF16.", 11, FAINT))
    i1, i2, i3, i4 = (pt_[1] for pt_ in points)
    title = f"Roofline of an NVIDIA {gpu_short} with {m.name} operations"
    desc = (f"Log-log roofline. Memory roof of {_q_exact(bw, 'TB/s')} rises until the dense BF16 compute roof of "
            f"{_q_exact(peak, 'TFLOPS')} at a ridge point of about {format_number(ridge, 0)} FLOP per byte (FP8 roof "
            f"{_q_exact(peak8, 'TFLOPS')}, ridge about {format_number(ridge8, 0)}). Derived points for {m.name}: "
            f"decode weight GEMM at batch 1 (intensity {intensity(i1)}, about {tflops(attainable(i1))} attainable), "
            f"decode attention with GQA group size {group} (intensity {intensity(i2)}, about "
            f"{tflops(attainable(i2))}), decode weight GEMM at batch {batch} (intensity about {intensity(i3)}, about "
            f"{tflops(attainable(i3))}), and prefill of {prompt} tokens (intensity about {intensity(i4)}, "
            f"{'compute-bound' if i4 >= ridge else 'memory-bound'}).")
    return _svg(720, 480, title, desc, body)


# --- concepts/hybrid-architectures.md ------------------------------------------------------------

def swa_kv_growth(model_id: str = "gemma-3-27b", kv_dtype: str = "bf16") -> str:
    m = data.model(model_id)
    layers, sliding, window = m.num_layers, m.get("num_sliding_layers"), m.get("sliding_window")
    context = m.max_position_embeddings
    steps = 64
    xs = [context * i // steps for i in range(steps + 1)]
    full = [F.kv_bytes_per_token(m, kv_dtype) * t / GiB for t in xs]      # every layer keeps every token
    windowed = [F.kv_bytes(m, kv_dtype, t) / GiB for t in xs]
    # y ticks: the smallest power-of-two step in GiB that spans the curve in at most four intervals
    step = 1
    while full[-1] > 4 * step:
        step *= 2
    top = step * math.ceil(full[-1] / step)
    xa = Axis(0, context, pad=False, ticks=[context * i / 4 for i in range(5)])
    ya = Axis(0, top, pad=False, ticks=[float(v) for v in range(0, top + 1, step)])
    p = _Plot(80, 60, 520, 240, xa, ya)

    def xlabel(t: float) -> str:
        return "0" if t == 0 else (f"{format_number(t / 1024, 0)}K" if t % 1024 == 0 else format_number(t, 0))

    body = [_text(20, 28, f"{m.name}, one sequence, {kv_dtype.upper()} KV cache (derived)", 15, INK, weight="600")]
    body += p.grid(xlabel, lambda t: format_number(t, 0))
    body.append(_text(p.left + p.width / 2, 340, "context length (tokens)", 13, INK, "middle"))
    body.append(_text(22, p.top + p.height / 2, "GiB", 13, INK, "middle", rotate=-90))
    body.append(_polyline([(p.X(x), p.Y(y)) for x, y in zip(xs, full)], "#6b7280", 2.5, ' stroke-dasharray="6 4"'))
    body.append(_polyline([(p.X(x), p.Y(y)) for x, y in zip(xs, windowed)], "#1f5fa8", 2.5))
    global_layers = layers - sliding
    at = steps * 5 // 8     # the all-global label sits above-left of its rising line
    body.append(_text(p.X(xs[at]) - 6, p.Y(full[at]) - 8, f"if all {layers} layers were global: {_gib(full[-1] * GiB)}",
                      12, "#4b5563", "end"))
    body.append(_text(p.right - 5, p.Y(windowed[-1]) - 10,
                      f"{sliding} local (window {window}) + {global_layers} global: {_gib(windowed[-1] * GiB)}", 12,
                      "#1f5fa8", "end"))
    title = f"KV cache of one {m.name} sequence against context length"
    desc = (f"Derived {kv_dtype.upper()} KV cache of one sequence from 0 to {format_number(context, 0)} tokens. If all "
            f"{layers} layers kept every token it would reach {_gib(full[-1] * GiB)}; with {sliding} sliding-window "
            f"layers capped at {window} tokens and {global_layers} global layers, it reaches "
            f"{_gib(windowed[-1] * GiB)}.")
    return _svg(640, 360, title, desc, body)


# --- concepts/interconnects.md ---------------------------------------------------------------------

ALLREDUCE_GPUS = 8
ALLREDUCE_LATENCY_S = 10e-6     # assumed fixed cost per all-reduce (measure yours with the NCCL tests)
NETWORK_LINK = "400 Gb/s network"
NETWORK_BUSBW = 400e9 / 8       # assumed bus bandwidth: one 400 Gb/s NIC per GPU, per direction


def ring_allreduce_time(size: float, gpus: int, busbw: float, latency: float) -> float:
    """t = latency + S x f(n) / busbw with f(n) = 2(n - 1)/n for a ring all-reduce, where busbw is the NCCL
    tests' bus bandwidth (algorithm bandwidth S/t times f(n)); equivalently S / algbw with algbw = busbw / f(n)."""
    return latency + size * 2 * (gpus - 1) / gpus / busbw


def allreduce_cost(gpu_id: str = "h100-sxm", model_id: str = "llama-3.1-70b") -> str:
    g, m = data.gpu(gpu_id), data.model(model_id)
    n, alpha = ALLREDUCE_GPUS, ALLREDUCE_LATENCY_S
    factor = 2 * (n - 1) / n
    link = (g.raw.get("interconnect") or {}).get("name", "GPU link")
    # Assumed bus bandwidth: the link's peak per direction (data/gpus.yml gives NVLink as a total of both).
    nvlink_busbw = g.interconnect / (2 if g.interconnect_direction == "total" else 1)
    per_token = m.hidden_size * F.dtype_bytes("bf16")                  # one token's hidden state
    marks = [("decode, batch 1", per_token * 1, 388, "start"), ("decode, batch 32", per_token * 32, 370, "start"),
             ("prefill chunk, 8192 tokens", per_token * 8192, 352, "end")]
    curves = [(f"{link}, busbw {_q_exact(nvlink_busbw, 'GB/s')} (assumed: peak per direction)", nvlink_busbw,
               "#1d4ed8"),
              (f"{NETWORK_LINK}, busbw {_q_exact(NETWORK_BUSBW, 'GB/s')} (assumed)", NETWORK_BUSBW, "#dc2626")]

    def t_us(size: float, busbw: float) -> float:
        return ring_allreduce_time(size, n, busbw, alpha) * 1e6

    xlo, xhi = float(KiB), float(GiB)
    yhi = max(5e4, t_us(xhi, min(b for _, b, _ in curves)) * 1.5)
    xa = Axis(xlo, xhi, log=True, pad=False, ticks=[float(2 ** e) for e in range(10, 31, 5)])
    ya = Axis(1.0, yhi, log=True, pad=False, ticks=[10.0 ** e for e in range(0, int(math.log10(yhi)) + 1)])
    p = _Plot(90, 50, 600, 350, xa, ya)
    body = p.grid(_bytes_binary, lambda t: format_number(t, 0))
    body.append(_text(p.left + p.width / 2, 440, "All-reduce message size per GPU (log scale)", 13, INK, "middle"))
    body.append(_text(26, p.top + p.height / 2, "Time per all-reduce, \u00b5s (log scale)", 13, INK, "middle",
                      rotate=-90))
    sizes = [2 ** (10 + 20 * i / 100) for i in range(101)]
    for j, (label, busbw, color) in enumerate(curves):
        body.append(_polyline([(p.X(s), p.Y(t_us(s, busbw))) for s in sizes], color, 2.5))
        body.append(_rect(102, 62 + 22 * j, 14, 4, color))
        body.append(_text(122, 69 + 22 * j, label, 12))
    for label, size, y, anchor in marks:
        x = p.X(size)
        body.append(_line(x, p.top, x, p.bottom, "#16a34a", ' stroke-dasharray="4 3"'))
        body.append(_circle(x, p.Y(t_us(size, nvlink_busbw)), 5, "#1d4ed8"))
        body.append(_text(x + (6 if anchor == "start" else -6), y, f"{label}: {_bytes_binary(size)}", 12, "#166534",
                          anchor, halo=True))
    body.append(_text(p.X(2 ** 11), p.Y(alpha * 1e6) - 10, "latency-bound (flat)", 12, MUTED, halo=True))
    body.append(_text(p.X(2 ** 23) - 10, p.Y(t_us(2 ** 23, NETWORK_BUSBW)), "bandwidth-bound (linear)", 12, MUTED,
                      "end", halo=True))
    body.append(_text(24, 462, f"Model, not measured: t = \u03b1 + S \u00b7 2(n\u22121)/n / busbw, n = {n}, ring; "
                               f"{m.name} sizes in BF16 (hidden size {m.hidden_size}).", 11, FAINT))
    halved = "total \u00f7 2" if g.interconnect_direction == "total" else "per direction"
    body.append(_text(24, 478, f"Assumed: \u03b1 = {_plain(alpha * 1e6)} \u00b5s; busbw = the link's peak per "
                               f"direction ({link}: {_q_exact(g.interconnect, 'GB/s')} {halved}); "
                               f"measured busbw is lower.", 11, FAINT))
    crossings = [alpha * busbw / factor for _, busbw, _ in curves]     # where the bandwidth term equals the latency
    decode_flat = all(size < crossings[0] for _, size, _, _ in marks[:2])
    prefill_bound = all(marks[2][1] > crossing for crossing in crossings)
    title = f"Estimated all-reduce time against message size for {n} GPUs"
    desc = (f"Log-log plot of a cost model, time = {_plain(alpha * 1e6)} \u00b5s (assumed latency) + {_plain(factor)} "
            f"\u00d7 size / bus bandwidth, for an {n}-GPU ring all-reduce over {link} (assumed bus bandwidth "
            f"{_q_exact(nvlink_busbw, 'GB/s')}, its peak per direction) and over a {NETWORK_LINK} (assumed "
            f"{_q_exact(NETWORK_BUSBW, 'GB/s')}). The bandwidth term equals the latency at about "
            f"{_q(crossings[0], 'MiB')} over {link} and {_q(crossings[1], 'KiB')} over the network; below that the "
            f"curves are flat, above it they rise linearly. Marked sizes for {m.name} in BF16: decode at batch 1 "
            f"({_bytes_binary(marks[0][1])}) and batch 32 ({_bytes_binary(marks[1][1])}) sit "
            f"{'on the flat part' if decode_flat else 'partly past the flat part'} of the {link} curve; a prefill "
            f"chunk of 8192 tokens ({_bytes_binary(marks[2][1])}) is "
            f"{'bandwidth-bound on both' if prefill_bound else 'bandwidth-bound on the network'}.")
    return _svg(720, 490, title, desc, body)


# --- operations/cold-starts.md ----------------------------------------------------------------------

# Assumed durations and bandwidths (docs/operations/cold-starts.md, "The math"): round figures, not measurements.
PROVISION_S = 180.0          # a new GPU node joins the cluster
IMAGE_BYTES = 12e9           # container image
IMAGE_BPS = 0.2e9            # image pull
DOWNLOAD_BPS = 1e9           # hub or object storage
NVME_BPS = 4e9               # local NVMe read
HOST_TO_GPU_BPS = 20e9       # host memory to the GPUs, aggregate
COMPILE_COLD_S = 60.0        # torch.compile + CUDA graph capture, first start
COMPILE_WARM_S = 20.0        # with a warm compile cache
CONTAINER_START_S = 10.0     # on a warm node with the image present
WARMUP_S = 5.0
WAKE_WARMUP_S = 1.0


def cold_start_timeline(model_id: str = "llama-3.1-70b", dtype: str = "fp8") -> str:
    m = data.model(model_id)
    weights = F.weight_bytes(m, dtype)        # decimal bytes, divided by decimal GB/s
    colors = {"node": "#9aa5b1", "image": "#c7a86b", "download": "#d9534f", "load": "#1f5fa8",
              "compile": "#7b52ab", "warmup": "#1e8449"}
    rows = [
        ("Fully cold", "new node, nothing cached", [
            ("node", "node provisioning", PROVISION_S, True),
            ("image", "image", IMAGE_BYTES / IMAGE_BPS, True),
            ("download", "download", weights / DOWNLOAD_BPS, False),
            ("load", "load", weights / NVME_BPS, False),
            ("compile", "compile", COMPILE_COLD_S, True),
            ("warmup", "warm-up", WARMUP_S, True)]),
        ("Warm node", "image, weights, compile cached", [
            ("image", "container start", CONTAINER_START_S, True),
            ("load", "load", weights / NVME_BPS, False),
            ("compile", "graph capture", COMPILE_WARM_S, True),
            ("warmup", "warm-up", WARMUP_S, True)]),
        ("Sleep mode wake", "vLLM level 1, weights in RAM", [
            ("load", "copy back", weights / HOST_TO_GPU_BPS, False),
            ("warmup", "warm-up", WAKE_WARMUP_S, True)]),
    ]
    totals = [sum(seg[2] for seg in segs) for _, _, segs in rows]
    axis_max = 100 * math.ceil(max(totals) / 100)
    x0, x1 = 200, 760

    def X(s: float) -> float:
        return x0 + s / axis_max * (x1 - x0)

    body = [_text(x0, 36, f"{m.name}, {dtype.upper()} weights ({_q(weights, 'GB')}, derived), one replica", 13)]
    body.append(_line(x0, 272, x1, 272, "#333333", ' stroke-width="1.2"'))
    for s in range(0, axis_max + 1, 100):
        if s:
            body.append(_line(X(s), 50, X(s), 272, "#e3e3e3"))
        body.append(_text(X(s), 289, format_number(s, 0), 12, "#333333", "middle"))
    body.append(_text((x0 + x1) / 2, 308, "Seconds from scale-up decision to first token served", 13, INK, "middle"))
    dark = {"download", "load", "compile", "warmup"}
    for r, ((name, note, segs), total) in enumerate(zip(rows, totals)):
        y = 72 + 70 * r
        body.append(_text(12, y + 12, name, 13))
        body.append(_text(12, y + 28, note, 11, "#4b5563"))
        start = 0.0
        for kind, label, seconds, is_assumed in segs:
            body.append(_rect(X(start), y, X(start + seconds) - X(start), 34, colors[kind]))
            text = f"{label} {'~' if is_assumed else ''}{_seconds(seconds)}"
            width = X(start + seconds) - X(start)
            if r == 0 and width >= 5.8 * len(text) + 4:   # label only the segments it fits in
                body.append(_text((X(start) + X(start + seconds)) / 2, y + 21, text, 11,
                                  "#ffffff" if kind in dark else INK, "middle"))
            start += seconds
        if r == 0:
            body.append(_text(X(total), y - 6, f"\u2248 {_seconds(total)}", 11, "#333333", "end"))
        else:
            body.append(_text(X(total) + 8, y + 22, f"\u2248 {_seconds(total)}", 12, "#333333"))
    legend = [("node", "node provisioning", 20, 330), ("image", "image pull / container start", 160, 330),
              ("download", "weight download", 360, 330), ("load", "load into GPU memory", 500, 330),
              ("compile", "compile + CUDA graph capture", 20, 356), ("warmup", "warm-up", 250, 356)]
    for kind, label, x, y in legend:
        body.append(_rect(x, y, 14, 14, colors[kind]))
        body.append(_text(x + 20, y + 12, label, 12))
    body.append(_text(20, 394, "~ assumed duration; the others are derived from the weight size and assumed "
                               "bandwidths. Not measured.", 11, FAINT))
    body.append(_text(20, 410, f"Assumed: image {_q(IMAGE_BYTES, 'GB')} at {_q_exact(IMAGE_BPS, 'GB/s')}, download "
                               f"{_q_exact(DOWNLOAD_BPS, 'GB/s')}, local NVMe {_q_exact(NVME_BPS, 'GB/s')}, host to "
                               f"GPU {_q_exact(HOST_TO_GPU_BPS, 'GB/s')}, warm-up after a wake "
                               f"{_seconds(WAKE_WARMUP_S)}.",
                      11, FAINT))
    a, b, c = rows[0][2], rows[1][2], rows[2][2]
    title = f"Cold-start timeline for a {m.name} {dtype.upper()} replica, three scenarios"
    desc = (f"Horizontal stacked bars on a seconds axis, for {_q(weights, 'GB')} of {dtype.upper()} weights (derived). "
            f"Fully cold: about {_seconds(a[0][2])} node provisioning, {_seconds(a[1][2])} image pull, "
            f"{_seconds(a[2][2])} weight download at {_q_exact(DOWNLOAD_BPS, 'GB/s')}, {_seconds(a[3][2])} load from "
            f"local disk at {_q_exact(NVME_BPS, 'GB/s')}, {_seconds(a[4][2])} compile and CUDA graph capture, "
            f"{_seconds(a[5][2])} warm-up, about {_seconds(totals[0])} in all. Warm node with pre-pulled image, "
            f"weights on local NVMe and a compile cache: about {_seconds(b[0][2])} container start, "
            f"{_seconds(b[1][2])} load, {_seconds(b[2][2])} graph capture, {_seconds(b[3][2])} warm-up, about "
            f"{_seconds(totals[1])}. Wake from sleep mode level 1: about {_seconds(c[0][2])} copying weights back from "
            f"host memory at {_q_exact(HOST_TO_GPU_BPS, 'GB/s')} plus {_seconds(c[1][2])} warm-up, about "
            f"{_seconds(totals[2])}. Durations are assumed or derived from assumed bandwidths, not measured.")
    return _svg(800, 422, title, desc, body)


# --- registry -----------------------------------------------------------------------------------------

FIGURES: dict[str, Callable[[], str]] = {
    "docs/concepts/img/memory-budget.svg": memory_budget,
    "docs/concepts/img/memory-hierarchy.svg": memory_hierarchy,
    "docs/concepts/img/roofline-h100.svg": roofline,
    "docs/concepts/img/swa-kv-growth.svg": swa_kv_growth,
    "docs/concepts/img/allreduce-cost.svg": allreduce_cost,
    "docs/operations/img/cold-start-timeline.svg": cold_start_timeline,
}
REGENERATE = "python3 scripts/figures.py"


def render_all() -> dict[str, str]:
    """Every figure's SVG text, by path relative to the repository root."""
    return {path: function() for path, function in FIGURES.items()}


def stale(root: Path = ROOT) -> list[str]:
    """Paths under `root` whose file is missing or differs from what data/ gives now."""
    return [path for path, text in render_all().items()
            if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text]


def write_all(root: Path = ROOT) -> list[str]:
    """Write every figure under `root`; return the paths whose content changed."""
    changed = []
    for path, text in render_all().items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed
