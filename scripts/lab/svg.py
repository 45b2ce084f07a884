"""A small, deterministic SVG plotting helper for the lab's charts.

Line/scatter charts with linear or log axes, and horizontal bar charts.
Output depends only on the inputs: fixed number formatting, no timestamps, no
random ids. Designed for a white background (the site gives SVG images a light
card); text is #333 and series colours are mid-tones that also read in print.
"""
from __future__ import annotations

import math
from xml.sax.saxutils import escape

TEXT = "#333333"
GRID = "#dddddd"
AXIS = "#666666"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
COLORS = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#718096", "#b7791f", "#319795"]


def f(v: float) -> str:
    """Coordinates: one decimal, no negative zero."""
    s = f"{v:.1f}"
    return "0.0" if s == "-0.0" else s


def fmt_tick(v: float) -> str:
    """Tick labels: 1, 2.5, 512, 2k, 16k, 1M, 0.001."""
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6 and (a / 1e6) == round(a / 1e6, 2):
        return f"{v / 1e6:g}M"
    if a >= 1e3 and (a / 1e3) == round(a / 1e3, 2):
        return f"{v / 1e3:g}k"
    if a >= 1:
        return f"{v:g}"
    return f"{v:.6g}"


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


class Axis:
    def __init__(self, lo, hi, log=False, ticks=None, label="", fmt=fmt_tick, pad=True):
        self.log, self.label, self.fmt = log, label, fmt
        if log:
            lo, hi = max(lo, 1e-30), max(hi, 1e-30)
            if pad:
                lo, hi = lo / 1.15, hi * 1.15
        else:
            if pad:
                span = (hi - lo) or abs(hi) or 1.0
                lo = 0.0 if lo >= 0 and lo < span * 0.6 else lo - span * 0.05
                hi = hi + span * 0.08
        if lo == hi:
            lo, hi = (lo / 2, hi * 2) if log else (lo - 1, hi + 1)
        self.lo, self.hi = lo, hi
        self.ticks = ticks if ticks is not None else self._auto_ticks()

    def _auto_ticks(self):
        if self.log:
            a, b = math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi))
            mults = (1,) if b - a > 3 else ((1, 2, 5) if b - a > 1 else (1, 2, 3, 5))
            out = []
            for e in range(a, b + 1):
                for m in mults:
                    v = m * 10.0 ** e
                    if self.lo <= v <= self.hi:
                        out.append(float(f"{v:.6g}"))
            return out
        step = _nice_step(self.hi - self.lo)
        start = math.ceil(self.lo / step - 1e-9) * step
        out, v = [], start
        while v <= self.hi + 1e-9 * step:
            out.append(float(f"{v:.10g}"))
            v += step
        return out

    def frac(self, v):
        if self.log:
            return (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return (v - self.lo) / (self.hi - self.lo)


class Chart:
    """A line chart. Series: label, xs, ys, colour, dash, markers, optional
    vertical error bars (lo, hi lists)."""

    def __init__(self, title, desc, xlabel, ylabel, xlog=False, ylog=False, xticks=None, yticks=None,
                 width=760, height=430, legend_width=200, xfmt=fmt_tick, yfmt=fmt_tick, ymin=None, ymax=None,
                 xmin=None, xmax=None):
        self.title, self.desc = title, desc
        self.xlabel, self.ylabel = xlabel, ylabel
        self.xlog, self.ylog, self.xticks, self.yticks = xlog, ylog, xticks, yticks
        self.w, self.h, self.lw = width, height, legend_width
        self.xfmt, self.yfmt = xfmt, yfmt
        self.lims = (xmin, xmax, ymin, ymax)
        self.series = []
        self.notes = []

    def add(self, label, xs, ys, color=None, dash=None, markers=True, lo=None, hi=None, width=2.0):
        pts = [(x, y, (lo[i] if lo else None), (hi[i] if hi else None))
               for i, (x, y) in enumerate(zip(xs, ys)) if x is not None and y is not None]
        color = color or COLORS[len(self.series) % len(COLORS)]
        self.series.append({"label": label, "pts": pts, "color": color, "dash": dash, "markers": markers,
                            "width": width})
        return self

    def note(self, text):
        self.notes.append(text)
        return self

    def render(self) -> str:
        xs = [p[0] for s in self.series for p in s["pts"]]
        ys = [v for s in self.series for p in s["pts"] for v in (p[1], p[2], p[3]) if v is not None]
        xmin, xmax, ymin, ymax = self.lims
        x_lo = xmin if xmin is not None else min(xs)
        x_hi = xmax if xmax is not None else max(xs)
        y_lo = ymin if ymin is not None else min(ys)
        y_hi = ymax if ymax is not None else max(ys)
        xa = Axis(x_lo, x_hi, self.xlog, self.xticks, self.xlabel, self.xfmt, pad=xmin is None)
        ya = Axis(y_lo, y_hi, self.ylog, self.yticks, self.ylabel, self.yfmt, pad=ymin is None)
        L, T, R, B = 78, 48, self.lw + 20, 62
        pw, ph = self.w - L - R, self.h - T - B

        def X(v):
            return L + xa.frac(v) * pw

        def Y(v):
            return T + (1 - ya.frac(v)) * ph

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w} {self.h}" width="{self.w}" '
               f'height="{self.h}" role="img" aria-labelledby="t d" font-family="{escape(FONT)}">',
               f'<title id="t">{escape(self.title)}</title>', f'<desc id="d">{escape(self.desc)}</desc>',
               f'<text x="{L}" y="26" font-size="15" font-weight="600" fill="{TEXT}">{escape(self.title)}</text>',
               f'<clipPath id="plot"><rect x="{L}" y="{T}" width="{f(pw)}" height="{f(ph)}"/></clipPath>']
        def gridline(x1, y1, x2, y2, tx, ty, anchor, label):
            def n(v):  # whole numbers as written, computed positions with one decimal
                return str(v) if isinstance(v, int) else f(v)
            out.append(f'<line x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}" stroke="{GRID}" stroke-width="1"/>')
            out.append(f'<text x="{n(tx)}" y="{n(ty)}" font-size="12" text-anchor="{anchor}" '
                       f'fill="{TEXT}">{escape(label)}</text>')

        for t in (t for t in xa.ticks if xa.lo <= t <= xa.hi):
            gridline(X(t), T, X(t), T + ph, X(t), T + ph + 17, "middle", xa.fmt(t))
        for t in (t for t in ya.ticks if ya.lo <= t <= ya.hi):
            gridline(L, Y(t), L + pw, Y(t), L - 7, Y(t) + 4, "end", ya.fmt(t))
        out.append(f'<rect x="{L}" y="{T}" width="{f(pw)}" height="{f(ph)}" fill="none" stroke="{AXIS}" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{f(L + pw / 2)}" y="{self.h - 18}" font-size="13" text-anchor="middle" '
                   f'fill="{TEXT}">{escape(self.xlabel)}</text>')
        out.append(f'<text x="18" y="{f(T + ph / 2)}" font-size="13" text-anchor="middle" fill="{TEXT}" '
                   f'transform="rotate(-90 18 {f(T + ph / 2)})">{escape(self.ylabel)}</text>')
        out.append('<g clip-path="url(#plot)">')
        for s in self.series:
            pts = sorted(s["pts"], key=lambda p: p[0])
            dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
            if len(pts) > 1:
                d = " ".join(f"{f(X(x))},{f(Y(y))}" for x, y, _, _ in pts)
                out.append(f'<polyline points="{d}" fill="none" stroke="{s["color"]}" stroke-width="{s["width"]}"'
                           f'{dash} stroke-linejoin="round"/>')
            for x, y, lo, hi in pts:
                if lo is not None and hi is not None:
                    out.append(f'<line x1="{f(X(x))}" y1="{f(Y(lo))}" x2="{f(X(x))}" y2="{f(Y(hi))}" '
                               f'stroke="{s["color"]}" stroke-width="1.5"/>')
                if s["markers"]:
                    out.append(f'<circle cx="{f(X(x))}" cy="{f(Y(y))}" r="3.2" fill="{s["color"]}"/>')
        out.append('</g>')
        lx, ly = L + pw + 14, T + 6
        for i, s in enumerate(self.series):
            y = ly + i * 20
            dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
            out.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 22}" y2="{y}" stroke="{s["color"]}" '
                       f'stroke-width="{s["width"]}"{dash}/>')
            if s["markers"]:
                out.append(f'<circle cx="{lx + 11}" cy="{y}" r="3.2" fill="{s["color"]}"/>')
            out.append(f'<text x="{lx + 28}" y="{y + 4}" font-size="12" fill="{TEXT}">{escape(s["label"])}</text>')
        ny = ly + len(self.series) * 20 + 10
        for j, n in enumerate(self.notes):
            out.append(f'<text x="{lx}" y="{ny + j * 16}" font-size="11" fill="{TEXT}">{escape(n)}</text>')
        out.append('</svg>')
        return "\n".join(out) + "\n"


class Bars:
    """Horizontal bars: (label, value, colour, annotation)."""

    def __init__(self, title, desc, xlabel, xmax=None, width=760, height=None, ref=None, ref_label=""):
        self.title, self.desc, self.xlabel = title, desc, xlabel
        self.xmax, self.w, self.h = xmax, width, height
        self.ref, self.ref_label = ref, ref_label
        self.rows = []

    def add(self, label, value, color=None, text=""):
        self.rows.append((label, value, color or COLORS[0], text))
        return self

    def render(self) -> str:
        L, T, R, B = 230, 48, 150, 58
        h = self.h or (T + B + 34 * len(self.rows))
        pw, ph = self.w - L - R, h - T - B
        xmax = self.xmax or max(v for _, v, _, _ in self.rows) * 1.1
        ax = Axis(0, xmax, pad=False)
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w} {h}" width="{self.w}" height="{h}" '
               f'role="img" aria-labelledby="t d" font-family="{escape(FONT)}">',
               f'<title id="t">{escape(self.title)}</title>', f'<desc id="d">{escape(self.desc)}</desc>',
               f'<text x="20" y="26" font-size="15" font-weight="600" fill="{TEXT}">{escape(self.title)}</text>']
        for t in ax.ticks:
            x = L + t / xmax * pw
            out.append(f'<line x1="{f(x)}" y1="{T}" x2="{f(x)}" y2="{T + ph}" stroke="{GRID}" stroke-width="1"/>')
            out.append(f'<text x="{f(x)}" y="{T + ph + 17}" font-size="12" text-anchor="middle" '
                       f'fill="{TEXT}">{escape(fmt_tick(t))}</text>')
        bh = ph / len(self.rows)
        for i, (label, v, color, text) in enumerate(self.rows):
            y = T + i * bh
            out.append(f'<rect x="{L}" y="{f(y + bh * 0.18)}" width="{f(v / xmax * pw)}" height="{f(bh * 0.64)}" '
                       f'fill="{color}"/>')
            out.append(f'<text x="{L - 8}" y="{f(y + bh / 2 + 4)}" font-size="12" text-anchor="end" '
                       f'fill="{TEXT}">{escape(label)}</text>')
            out.append(f'<text x="{f(L + v / xmax * pw + 6)}" y="{f(y + bh / 2 + 4)}" font-size="12" '
                       f'fill="{TEXT}">{escape(text)}</text>')
        if self.ref is not None:
            x = L + self.ref / xmax * pw
            out.append(f'<line x1="{f(x)}" y1="{T - 4}" x2="{f(x)}" y2="{T + ph}" stroke="{TEXT}" stroke-width="1.5" '
                       f'stroke-dasharray="5 4"/>')
            out.append(f'<text x="{f(x)}" y="{T - 8}" font-size="11" text-anchor="middle" '
                       f'fill="{TEXT}">{escape(self.ref_label)}</text>')
        out.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{T + ph}" stroke="{AXIS}" stroke-width="1"/>')
        out.append(f'<text x="{f(L + pw / 2)}" y="{h - 16}" font-size="13" text-anchor="middle" '
                   f'fill="{TEXT}">{escape(self.xlabel)}</text>')
        out.append('</svg>')
        return "\n".join(out) + "\n"
