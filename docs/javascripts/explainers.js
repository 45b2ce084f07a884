// Interactive explainers: their models and their drawings. Markup comes from the `explainer` block
// (scripts/handbook/render/widgets.py), the wiring from widgets-common.js: every result is written as text and as a
// raw number in data-value (seconds, probabilities, FLOP/byte, FLOP/s); bad input gives an inline message and blank
// results, never NaN. Plain JS, nothing from another origin.
(function () {
  "use strict";
  var hb = window.hbWidgets, readNumber = hb.readNumber, readChoice = hb.readChoice;  // widgets-common.js
  var control = hb.control, figureWidth = hb.figureWidth, fmt = hb.format;

  var SVGNS = "http://www.w3.org/2000/svg";

  // --- formatting ------------------------------------------------------------------------
  function seconds(x) { return hb.seconds(x, 1); }
  function ms(x) { return seconds(x / 1e3); }
  function pct(x) { return fmt(x * 100, x > 0 && x < 0.001 ? 3 : 1) + "%"; }
  function flops(x) { return fmt(x / 1e12, x >= 1e13 ? 0 : 1) + " TFLOP/s"; }
  function intensity(x) { return fmt(x, x >= 100 ? 0 : x >= 10 ? 1 : 2); }

  // --- small DOM helpers ---------------------------------------------------------------------
  function svgEl(tag, attrs, text) {
    var el = document.createElementNS(SVGNS, tag);
    for (var k in attrs) el.setAttribute(k, String(attrs[k]));
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function newSvg(w, h, label) {
    return svgEl("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": label, class: "expl-svg",
      preserveAspectRatio: "xMinYMin meet" });
  }
  function setFigure(root, name, node) {
    var box = root.querySelector('[data-figure="' + name + '"]');
    if (!box) return;
    while (box.firstChild) box.removeChild(box.firstChild);
    if (node) box.appendChild(node);
  }
  function htmlEl(tag, attrs, text) {
    var el = document.createElement(tag);
    for (var k in attrs) el.setAttribute(k, String(attrs[k]));
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function setRows(root, name, rows) {
    var body = root.querySelector('[data-rows="' + name + '"]');
    if (!body) return;
    while (body.firstChild) body.removeChild(body.firstChild);
    for (var i = 0; i < rows.length; i++) body.appendChild(rows[i]);
  }
  function niceStep(span, target) {
    var raw = span / target, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
  }
  // Width of a label in px, a little generous (DejaVu Sans, the widest common system font, at 11 px).
  function textWidth(text, bold) { return String(text).length * (bold ? 7.4 : 6.9); }
  // A text element placed as asked (anchor at x) but moved sideways, if it must, to stay inside 0..W.
  function fittedText(x, y, anchor, text, W, cls, bold) {
    var w = textWidth(text, bold), start = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
    if (start < 2 || start + w > W - 2) { x = Math.max(2, Math.min(W - 2 - w, start)); anchor = "start"; }
    return svgEl("text", { x: x, y: y, "text-anchor": anchor, class: cls }, text);
  }

  // --- 1. batching ---------------------------------------------------------------------------
  var COLORS = ["#1f77b4", "#d95f02", "#2ca02c", "#b8336a", "#7b5cc4", "#8c564b", "#0f8b8d", "#b08900"];

  function simulate(d, policy, chunked, maxBatch) {
    var m = d.model, budget = d.chunk, wait = d.wait;
    var reqs = d.stream.map(function (r, i) {
      return { i: i, id: r.id, arrival: r.arrival, prompt: r.prompt, output: r.output,
        filled: 0, emitted: 0, ttft: null, end: null, admitted: false };
    });
    var n = reqs.length, finished = 0, t = 0, steps = [], guard = 0;
    var slots = []; for (var s = 0; s < maxBatch; s++) slots.push(null);
    var batchOpen = false; // static/dynamic: a batch is running

    function waitingNow() { return reqs.filter(function (r) { return !r.admitted && r.arrival <= t; }); }
    function nextArrival() {
      var next = Infinity;
      reqs.forEach(function (r) { if (!r.admitted && r.arrival > t) next = Math.min(next, r.arrival); });
      return next;
    }
    function admit(list) {
      for (var j = 0; j < list.length; j++) {
        var free = slots.indexOf(null);
        if (free < 0) return;
        list[j].admitted = true; slots[free] = list[j];
      }
    }
    function finish(r, end) { r.end = end; finished++; }
    // one step: prefill tokens to each slot (map slot -> tokens), decode the listed slots
    function runStep(prefill, decoders) {
      var tokens = 0;
      for (var k in prefill) tokens += prefill[k];
      var dur = m.base_ms + m.per_seq_ms * decoders.length + m.per_token_ms * tokens;
      var end = t + dur, cells = [];
      slots.forEach(function (r, idx) {
        if (!r) return;
        if (prefill[idx] !== undefined) cells.push({ slot: idx, req: r.i, kind: "prefill" });
        else if (decoders.indexOf(idx) >= 0) cells.push({ slot: idx, req: r.i, kind: "decode" });
        else cells.push({ slot: idx, req: r.i, kind: r.end === null ? "stall" : "pad" });
      });
      for (var p in prefill) {
        var rq = slots[p];
        rq.filled += prefill[p];
        if (rq.filled >= rq.prompt) { rq.emitted = 1; rq.ttft = end - rq.arrival; if (rq.output <= 1) finish(rq, end); }
      }
      decoders.forEach(function (idx) {
        var rd = slots[idx];
        rd.emitted += 1;
        if (rd.emitted >= rd.output) finish(rd, end);
      });
      steps.push({ start: t, end: end, cells: cells });
      t = end;
    }
    function prefillPlan(limit) { // slots still prefilling, in slot order, up to `limit` tokens (Infinity: all)
      var plan = {}, left = limit, any = false;
      slots.forEach(function (r, idx) {
        if (!r || r.filled >= r.prompt || left <= 0) return;
        var take = Math.min(r.prompt - r.filled, left);
        plan[idx] = take; left -= take; any = true;
      });
      return any ? plan : null;
    }
    function decoding() {
      var out = [];
      slots.forEach(function (r, idx) { if (r && r.end === null && r.filled >= r.prompt) out.push(idx); });
      return out;
    }

    while (finished < n) {
      if (++guard > 100000) throw new hb.Error(null, "The simulation did not finish; check the inputs.");
      if (policy === "continuous") {
        slots.forEach(function (r, idx) { if (r && r.end !== null) slots[idx] = null; });
        var waiting = waitingNow(), running = slots.some(function (r) { return r; });
        if (!running && !waiting.length) { t = nextArrival(); continue; }
        if (!chunked) {
          var before = slots.slice();
          admit(waiting);
          var fresh = {};
          slots.forEach(function (r, idx) { if (r && before[idx] !== r) fresh[idx] = r.prompt; });
          if (Object.keys(fresh).length) runStep(fresh, []);
          else runStep({}, decoding());
        } else {
          admit(waiting);
          var dec = decoding();
          runStep(prefillPlan(Math.max(0, budget - dec.length)) || {}, dec);
        }
      } else {
        if (batchOpen) {
          if (slots.every(function (r) { return !r || r.end !== null; })) {
            for (var c = 0; c < slots.length; c++) slots[c] = null;
            batchOpen = false; continue;
          }
          var plan = prefillPlan(chunked ? budget : Infinity);
          if (plan) runStep(plan, []);
          else runStep({}, decoding());
          continue;
        }
        var w = waitingNow(), next = nextArrival();
        var launch = w.length >= maxBatch || (w.length > 0 && next === Infinity);
        var deadline = Infinity;
        if (policy === "dynamic" && w.length > 0) {
          deadline = w[0].arrival + wait;
          if (t >= deadline) launch = true;
        }
        if (launch) { admit(w); batchOpen = true; continue; }
        t = Math.min(next, deadline);
      }
    }
    return { reqs: reqs, steps: steps, makespan: t };
  }

  function drawGrid(sim, maxBatch, W) {
    var left = 56, right = 20, rowH = 22, top = 8, H = top + rowH * maxBatch + 38;
    var span = Math.max(sim.makespan, 1), scale = (W - left - right) / span;
    var svg = newSvg(W, H, "GPU slots over time: " + maxBatch + " slots, " + sim.steps.length +
      " steps, last request done at " + ms(sim.makespan));
    var defs = svgEl("defs", {});
    var pat = svgEl("pattern", { id: "expl-hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" });
    pat.appendChild(svgEl("rect", { width: 6, height: 6, fill: "#9e9e9e", "fill-opacity": 0.25 }));
    pat.appendChild(svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#757575", "stroke-width": 2 }));
    defs.appendChild(pat); svg.appendChild(defs);
    for (var s = 0; s < maxBatch; s++) {
      svg.appendChild(svgEl("text", { x: left - 6, y: top + rowH * s + 15, "text-anchor": "end", class: "expl-svg-text" },
        "slot " + (s + 1)));
      svg.appendChild(svgEl("rect", { x: left, y: top + rowH * s + 2, width: W - left - right, height: rowH - 4,
        class: "expl-lane" }));
    }
    sim.steps.forEach(function (step) {
      var x = left + step.start * scale, w = Math.max(0.6, (step.end - step.start) * scale);
      step.cells.forEach(function (cell) {
        var attrs = { x: x, y: top + rowH * cell.slot + 2, width: w, height: rowH - 4 };
        if (cell.kind === "prefill" || cell.kind === "decode") {
          attrs.fill = COLORS[cell.req % COLORS.length];
          attrs["fill-opacity"] = cell.kind === "prefill" ? 1 : 0.5;
        } else attrs.fill = "url(#expl-hatch)";
        svg.appendChild(svgEl("rect", attrs));
      });
    });
    var step = niceStep(span, Math.max(3, Math.min(8, Math.floor((W - left - right) / 70)))), axisY = top + rowH * maxBatch + 4;
    svg.appendChild(svgEl("line", { x1: left, y1: axisY, x2: W - right, y2: axisY, class: "expl-axis" }));
    for (var v = 0; v <= span + 1e-9; v += step) {
      var xx = left + v * scale;
      svg.appendChild(svgEl("line", { x1: xx, y1: axisY, x2: xx, y2: axisY + 4, class: "expl-axis" }));
      svg.appendChild(svgEl("text", { x: xx, y: axisY + 16, "text-anchor": "middle", class: "expl-svg-text" },
        fmt(v, 0)));
    }
    svg.appendChild(svgEl("text", { x: W - right, y: axisY + 29, "text-anchor": "end", class: "expl-svg-text" },
      "time since the first arrival (ms)"));
    return svg;
  }

  function legend() {
    var p = htmlEl("p", { class: "expl-legend" });
    p.appendChild(htmlEl("span", { class: "expl-key expl-key-prefill" }));
    p.appendChild(document.createTextNode(" prefill (solid) "));
    p.appendChild(htmlEl("span", { class: "expl-key expl-key-decode" }));
    p.appendChild(document.createTextNode(" decode (pale) "));
    p.appendChild(htmlEl("span", { class: "expl-key expl-key-idle" }));
    p.appendChild(document.createTextNode(" slot held but idle: finished and waiting for its batch, or paused by a prefill"));
    return p;
  }

  function batching(root, d) {
    var policy = readChoice(root, "policy", { "static": 1, "dynamic": 1, "continuous": 1 });
    var chunked = !!(control(root, "chunked") && control(root, "chunked").checked);
    var maxBatch = readNumber(root, "max_batch", { whole: true, min: 1, max: 8, example: "4" });
    var sim = simulate(d, policy, chunked, maxBatch);
    var out = {}, sumT = 0, sumE = 0, rows = [];
    sim.reqs.forEach(function (r) {
      sumT += r.ttft; sumE += r.end - r.arrival;
      out["ttft_" + r.id] = [r.ttft / 1e3, seconds];
      out["e2e_" + r.id] = [(r.end - r.arrival) / 1e3, seconds];
      var tr = htmlEl("tr", {});
      var th = htmlEl("th", { scope: "row" });
      th.appendChild(htmlEl("span", { class: "expl-swatch", style: "background:" + COLORS[r.i % COLORS.length] }));
      th.appendChild(document.createTextNode(" " + r.id));
      tr.appendChild(th);
      tr.appendChild(htmlEl("td", {}, fmt(r.arrival, 0) + " ms"));
      tr.appendChild(htmlEl("td", {}, fmt(r.prompt, 0)));
      tr.appendChild(htmlEl("td", {}, fmt(r.output, 0)));
      tr.appendChild(htmlEl("td", { "data-result": "ttft_" + r.id, "data-value": "" }, "—"));
      tr.appendChild(htmlEl("td", { "data-result": "e2e_" + r.id, "data-value": "" }, "—"));
      rows.push(tr);
    });
    setRows(root, "requests", rows);
    var n = sim.reqs.length;
    out.mean_ttft = [sumT / n / 1e3, seconds];
    out.mean_e2e = [sumE / n / 1e3, seconds];
    out.makespan = [sim.makespan / 1e3, seconds];
    var box = document.createElement("div");
    box.appendChild(drawGrid(sim, maxBatch, figureWidth(root))); box.appendChild(legend());
    setFigure(root, "grid", box);
    return out;
  }

  // --- 2. latency timeline -----------------------------------------------------------------------
  function latency(root) {
    var q = readNumber(root, "queue_ms", { max: 2000 });
    var p = readNumber(root, "prefill_ms", { min: 1, max: 2000 });
    var tok = readNumber(root, "token_ms", { min: 1, max: 200 });
    var n = readNumber(root, "output_tokens", { whole: true, min: 1, max: 1000 });
    var ttft = q + p, e2e = ttft + (n - 1) * tok;
    var undef = function () { return "not defined (one output token)"; };
    var out = {
      ttft: [ttft / 1e3, seconds],
      e2e: [e2e / 1e3, seconds],
      tpot: n > 1 ? [(e2e - ttft) / (n - 1) / 1e3, seconds] : [null, undef],
      itl: n > 1 ? [tok / 1e3, seconds] : [null, undef]
    };
    var W = figureWidth(root), left = 10, right = 10, H = 134, scale = (W - left - right) / e2e, y = 30, h = 24;
    var svg = newSvg(W, H, "Timeline: queue " + ms(q) + ", prefill " + ms(p) + ", then " + (n - 1) +
      " decode steps of " + ms(tok) + "; TTFT " + ms(ttft) + ", end-to-end " + ms(e2e));
    function seg(x0, x1, cls, label) {
      var w = Math.max(0, (x1 - x0) * scale);
      svg.appendChild(svgEl("rect", { x: left + x0 * scale, y: y, width: w, height: h, class: cls }));
      if (label && w > 44) svg.appendChild(svgEl("text", { x: left + x0 * scale + 4, y: y - 6, class: "expl-svg-text" }, label));
    }
    seg(0, q, "expl-seg-queue", "queue"); seg(q, ttft, "expl-seg-prefill", "prefill");
    seg(ttft, e2e, "expl-seg-decode", n > 1 ? "decode" : "");
    var every = Math.max(1, Math.ceil(n / 120));
    for (var i = 0; i < n; i += every) {
      var x = left + (ttft + i * tok) * scale;
      svg.appendChild(svgEl("line", { x1: x, y1: y - 2, x2: x, y2: y + h + 2, class: "expl-tick" }));
    }
    function bracket(x0, x1, yy, label) {
      var a = left + x0 * scale, b = left + x1 * scale;
      svg.appendChild(svgEl("path", { d: "M" + a + " " + (yy - 5) + "V" + yy + "H" + b + "V" + (yy - 5), class: "expl-axis", fill: "none" }));
      var anchor = b - a > textWidth(label) + 20 ? "middle" : (a > W / 2 ? "end" : "start");
      var tx = anchor === "middle" ? (a + b) / 2 : anchor === "end" ? b : a;
      svg.appendChild(fittedText(tx, yy + 14, anchor, label, W, "expl-svg-text"));
    }
    bracket(0, ttft, y + h + 14, "TTFT " + ms(ttft));
    bracket(0, e2e, y + h + 46, "end-to-end " + ms(e2e));
    svg.appendChild(svgEl("text", { x: left, y: y + h + 74, class: "expl-svg-text" },
      every > 1 ? "ticks: one per " + every + " output tokens" : "ticks: one per output token"));
    setFigure(root, "timeline", svg);
    return out;
  }

  // --- 3. sampling ---------------------------------------------------------------------------------
  function renorm(p, keep) {
    var s = 0, i;
    for (i = 0; i < p.length; i++) if (keep[i]) s += p[i];
    return p.map(function (x, j) { return keep[j] ? x / s : 0; });
  }
  function sampleProbs(logits, T, k, topP, minP) {
    var n = logits.length, keep = logits.map(function () { return true; }), p, i;
    if (T === 0) {
      var best = 0;
      for (i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
      p = logits.map(function (_, j) { return j === best ? 1 : 0; });
      keep = p.map(function (x) { return x > 0; });
      return { p: p, keep: keep };
    }
    var z = logits.map(function (x) { return x / T; });
    var mx = Math.max.apply(null, z);
    var e = z.map(function (x) { return Math.exp(x - mx); });
    p = renorm(e, keep);
    var order = p.map(function (_, j) { return j; }).sort(function (a, b) { return p[b] - p[a] || a - b; });
    if (k > 0 && k < n) { order.forEach(function (j, rank) { if (rank >= k) keep[j] = false; }); p = renorm(p, keep); }
    if (topP < 1) {
      var cum = 0, reached = false;
      order.forEach(function (j) {
        if (!keep[j]) return;
        if (reached) { keep[j] = false; return; }
        cum += p[j];
        if (cum >= topP - 1e-12) reached = true;
      });
      p = renorm(p, keep);
    }
    if (minP > 0) {
      var top = Math.max.apply(null, p);
      for (i = 0; i < n; i++) if (keep[i] && p[i] < minP * top) keep[i] = false;
      p = renorm(p, keep);
    }
    return { p: p, keep: keep };
  }

  function sampling(root, d) {
    var T = readNumber(root, "temperature", { max: 2 });
    var k = readNumber(root, "top_k", { whole: true, max: 10 });
    var topP = readNumber(root, "top_p", { min: 0.01, max: 1 });
    var minP = readNumber(root, "min_p", { max: 1 });
    var logits = d.tokens.map(function (t) { return t.logit; });
    var r = sampleProbs(logits, T, k, topP, minP);
    var out = {}, rows = [], kept = 0, top = 0;
    d.tokens.forEach(function (tok, i) {
      var prob = r.p[i];
      if (r.keep[i]) kept++;
      top = Math.max(top, prob);
      out["prob_" + i] = [prob, function (x) { return r.keep[i] ? pct(x) : "masked"; }];
      var tr = htmlEl("tr", { class: r.keep[i] ? "" : "expl-masked" });
      tr.appendChild(htmlEl("th", { scope: "row" }, "“" + tok.text + "”"));
      tr.appendChild(htmlEl("td", {}, fmt(tok.logit, 1)));
      tr.appendChild(htmlEl("td", { "data-result": "prob_" + i, "data-value": "" }, "—"));
      var cell = htmlEl("td", { class: "expl-barcol" });
      var bar = htmlEl("span", { class: "expl-bar" + (r.keep[i] ? "" : " expl-bar-masked"), "aria-hidden": "true" });
      bar.style.width = (r.keep[i] ? Math.max(0.5, prob * 100) : 100) + "%";
      cell.appendChild(bar);
      tr.appendChild(cell);
      rows.push(tr);
    });
    setRows(root, "tokens", rows);
    out.kept = [kept, function (x) { return fmt(x, 0) + " of " + d.tokens.length; }];
    out.top_prob = [top, pct];
    return out;
  }

  // --- 4. roofline -------------------------------------------------------------------------------
  function gemmIntensity(d, m, n, k, dtype) {
    var width = d.dtype_bytes[dtype];
    return 2 * m * n * k / ((m * k + k * n + m * n) * width);
  }

  function roofline(root, d) {
    var gid = readChoice(root, "gpu", d.gpus), g = d.gpus[gid];
    var dtype = readChoice(root, "dtype", d.dtype_bytes);
    var mid = readChoice(root, "model", d.models), model = d.models[mid];
    var batch = readNumber(root, "batch_size", { whole: true, min: 1, max: 1e6, example: "8" });
    var prompt = readNumber(root, "prompt_tokens", { whole: true, min: 1, max: 1e6, example: "2048" });
    var peak = hb.peakFlops(d, g, dtype, "dtype"), bw = g.memory_bandwidth, ridge = peak / bw, h = model.hidden_size;
    var decI = gemmIntensity(d, batch, h, h, dtype), preI = gemmIntensity(d, prompt, h, h, dtype);
    function attain(x) { return Math.min(peak, x * bw); }
    var out = {
      ridge_point: [ridge, intensity],
      decode_intensity: [decI, function (x) { return intensity(x) + (x < ridge ? " (memory-bound)" : " (compute-bound)"); }],
      decode_attainable: [attain(decI), flops],
      prefill_intensity: [preI, function (x) { return intensity(x) + (x < ridge ? " (memory-bound)" : " (compute-bound)"); }],
      prefill_attainable: [attain(preI), flops]
    };
    // log-log chart
    var lo = Math.min(decI, preI, ridge), hi = Math.max(decI, preI, ridge);
    var x0 = Math.floor(Math.log10(lo) - 0.3), x1 = Math.ceil(Math.log10(hi) + 0.3);
    if (x1 - x0 < 3) x1 = x0 + 3;
    var y1 = Math.ceil(Math.log10(peak) + 0.15), y0 = Math.min(Math.floor(Math.log10(attain(Math.pow(10, x0)))), y1 - 2);
    // Drawn at the width of its box (figureWidth): on a phone the y-axis title moves above the plot, the margins
    // follow the widest tick labels, and only every second (third…) decade is labelled when labels would touch.
    var W = figureWidth(root), narrow = W < 480, i;
    function xText(v) { return v >= 1 ? fmt(v, 0) : String(v); }
    function yText(v) { return v / 1e12 >= 1 ? fmt(v / 1e12, 0) : String(Number((v / 1e12).toPrecision(1))); }
    var widestY = 0, widestX = 0;
    for (i = y0; i <= y1; i++) widestY = Math.max(widestY, textWidth(yText(Math.pow(10, i))));
    for (i = x0; i <= x1; i++) widestX = Math.max(widestX, textWidth(xText(Math.pow(10, i))));
    var H = narrow ? Math.max(230, Math.round(W * 0.8)) : 330, B = 46, T = narrow ? 28 : 14;
    var L = Math.ceil(widestY) + (narrow ? 10 : 30), R = Math.ceil(textWidth(xText(Math.pow(10, x1))) / 2) + 4;
    var labelEvery = Math.max(1, Math.ceil((widestX + 10) / ((W - L - R) / (x1 - x0))));
    function X(v) { return L + (Math.log10(v) - x0) / (x1 - x0) * (W - L - R); }
    function Y(v) { return T + (y1 - Math.log10(v)) / (y1 - y0) * (H - T - B); }
    var svg = newSvg(W, H, "Roofline of " + g.name + " at " + dtype.toUpperCase() + ": ridge point " + intensity(ridge) +
      " FLOP/byte; decode at " + intensity(decI) + ", prefill at " + intensity(preI) + " FLOP/byte");
    for (i = x0; i <= x1; i++) {
      var vx = Math.pow(10, i);
      svg.appendChild(svgEl("line", { x1: X(vx), y1: T, x2: X(vx), y2: H - B, class: "expl-grid" }));
      if ((x1 - i) % labelEvery === 0)  // counted from the right, so the last decade keeps its label
        svg.appendChild(svgEl("text", { x: X(vx), y: H - B + 16, "text-anchor": "middle", class: "expl-svg-text" }, xText(vx)));
    }
    for (i = y0; i <= y1; i++) {
      var vy = Math.pow(10, i);
      svg.appendChild(svgEl("line", { x1: L, y1: Y(vy), x2: W - R, y2: Y(vy), class: "expl-grid" }));
      svg.appendChild(svgEl("text", { x: L - 6, y: Y(vy) + 4, "text-anchor": "end", class: "expl-svg-text" }, yText(vy)));
    }
    svg.appendChild(fittedText((L + W - R) / 2, H - 8, "middle",
      narrow ? "arithmetic intensity (FLOP/byte, log)" : "arithmetic intensity (FLOP/byte, log scale)", W, "expl-svg-text"));
    if (narrow) svg.appendChild(svgEl("text", { x: 2, y: 12, class: "expl-svg-text" }, "TFLOP/s (log scale)"));
    else svg.appendChild(svgEl("text", { x: 14, y: (T + H - B) / 2, "text-anchor": "middle", class: "expl-svg-text",
      transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, "TFLOP/s (log)"));
    var xa = Math.pow(10, x0), xb = Math.pow(10, x1);
    var pts = [[xa, attain(xa)], [ridge, peak], [xb, peak]].map(function (q) { return X(q[0]) + "," + Y(Math.max(q[1], Math.pow(10, y0))); });
    svg.appendChild(svgEl("polyline", { points: pts.join(" "), class: "expl-roof", fill: "none" }));
    svg.appendChild(svgEl("line", { x1: X(ridge), y1: Y(peak), x2: X(ridge), y2: H - B, class: "expl-ridge" }));
    // The two points, then their labels and the ridge's: each label takes the first of its places that stays inside
    // the plot and clear of the markers and of the labels already placed (boxes from textWidth, a little generous).
    var dx = X(decI), dy = Y(attain(decI)), qx = X(preI), qy = Y(attain(preI));
    svg.appendChild(svgEl("circle", { cx: dx, cy: dy, r: 6, class: "expl-pt-decode" }));
    svg.appendChild(svgEl("rect", { x: qx - 6, y: qy - 6, width: 12, height: 12, class: "expl-pt-prefill" }));
    var taken = [[dx - 7, dy - 7, dx + 7, dy + 7], [qx - 7, qy - 7, qx + 7, qy + 7]];
    if (narrow) taken.push([0, 0, textWidth("TFLOP/s (log scale)") + 4, 16]);
    function overlap(a, b) {
      return Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    }
    function place(text, bold, spots) {  // spots: [x, baseline y, anchor], best first
      var w = textWidth(text, bold), best = null, bestCost = Infinity;
      spots.forEach(function (spot) {
        if (bestCost < 1) return;  // the first spot that costs (next to) nothing wins
        var left = spot[2] === "end" ? spot[0] - w : spot[0], box = [left, spot[1] - 11, left + w, spot[1] + 3];
        var cost = w * 14 - overlap(box, [L + 2, 0, W - 2, H - B - 2]);  // px² outside the plot or over what is drawn
        taken.forEach(function (t) { cost += overlap(box, t); });
        if (cost < bestCost) { best = [spot, box]; bestCost = cost; }
      });
      taken.push(best[1]);
      svg.appendChild(fittedText(best[0][0], best[0][1], best[0][2], text, W,
        "expl-svg-text" + (bold ? " expl-svg-strong" : ""), bold));
    }
    function beside(x, y, offsets) {
      var out = [];
      offsets.forEach(function (dy) { out.push([x + 10, y + dy, "start"], [x - 10, y + dy, "end"]); });
      return out;
    }
    var rx = X(ridge), ry = Y(peak);
    place("ridge " + intensity(ridge), false, [[rx + 5, H - B - 6, "start"], [rx - 5, H - B - 6, "end"],
      [rx + 5, ry + 16, "start"], [rx - 5, ry + 16, "end"]]);
    place("decode, batch " + fmt(batch, 0), true, beside(dx, dy, [18, -10, 32, -24, 46, 60]));
    place("prefill, " + fmt(prompt, 0) + " tokens", true, beside(qx, qy, [-10, 20, -24, 34, 48, 62]));
    setFigure(root, "roofline", svg);
    return out;
  }

  var EXPLAINERS = { "batching": batching, "latency-timeline": latency, "sampling": sampling, "roofline": roofline };

  hb.register("explainer", "expl", EXPLAINERS);
})();
