// The serving planner in the page: a mirror of scripts/handbook/formulas/planner.py (and of the formulas it calls
// in scripts/handbook/formulas/__init__.py), line for line; tests/vectors/planner.json checks that both give the
// same numbers. Markup comes from the `calculator planner` block (scripts/handbook/render/widgets.py), the wiring
// from widgets-common.js; planner-loader.js (in widgets.js) fetches this file on pages that have the planner. No
// framework, nothing from another origin.
(function () {
  "use strict";
  var hb = window.hbWidgets, readNumber = hb.readNumber, readChoice = hb.readChoice, has = hb.has;
  var fmt = hb.format;

  // --- formulas/__init__.py ----------------------------------------------------------------------------------------

  function dtypeBytes(d, dtype) {
    if (!has(d.dtype_bytes, dtype)) throw new hb.Error(null, "Unknown precision " + dtype + ".");
    return d.dtype_bytes[dtype];
  }
  function weightBytes(d, m, dtype) { return m.params_total * dtypeBytes(d, dtype); }
  // Layer groups (data/models.yml, as scripts/handbook/data/ expands them): what each layer keeps and reads.
  function compressed(g, tokens) { return g.kind === "compressed" ? Math.floor(tokens / g.ratio) : 0; }
  function entries(g, tokens) {
    if (g.kind === "linear") return 0;
    if (g.kind === "compressed") return Math.min(tokens, g.window) + compressed(g, tokens);
    if ((g.kind === "sliding" || g.kind === "chunked") && g.window) return Math.min(tokens, g.window);
    return tokens;
  }
  function indexed(g, tokens) {
    if (g.kind === "sparse") return tokens;
    return g.indexed ? compressed(g, tokens) : 0;
  }
  function attended(g, tokens) {
    if (g.kind === "sparse") return Math.min(tokens, g.topk);
    if (g.kind === "compressed" && g.indexed) return Math.min(tokens, g.window) + Math.min(compressed(g, tokens), g.topk);
    return entries(g, tokens);
  }
  function indexerBytesPerEntry(d, g) {
    if (g.kind !== "sparse" && !g.indexed) return 0;
    var scales = g.index_dim / g.index_scale_block;
    return g.index_dim * dtypeBytes(d, g.index_dtype) + g.index_scale_bytes * scales;
  }
  function kvBytes(d, m, kvDtype, tokens, batch) {
    var width = dtypeBytes(d, kvDtype), perSequence = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") { perSequence += g.cached_layers * g.state_values * width; return; }
      perSequence += g.cached_layers * (entries(g, tokens) * g.entry_values * width +
        indexed(g, tokens) * indexerBytesPerEntry(d, g));
    });
    return perSequence * batch;
  }
  function kvReadBytes(d, m, kvDtype, tokens, batch) {
    var width = dtypeBytes(d, kvDtype), perSequence = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") perSequence += g.layers * g.state_values * width;
      else perSequence += g.layers * (attended(g, tokens) * g.entry_values * width + indexed(g, tokens) * indexerBytesPerEntry(d, g));
    });
    return perSequence * batch;
  }
  function attentionFlopsPerPair(m, absorbed) {
    var heads = m.num_attention_heads;
    if (m.attention !== "mla") return 4 * heads * m.head_dim;
    var rope = m.qk_rope_head_dim;
    if (absorbed) return 2 * heads * ((m.kv_lora_rank + rope) + m.kv_lora_rank);
    var nope = m.qk_nope_head_dim || 128;
    return 2 * heads * ((nope + rope) + (m.v_head_dim || nope));
  }
  function pairFlops(m, g, absorbed) { return g.mla ? attentionFlopsPerPair(m, absorbed) : 4 * g.heads * g.head_dim; }
  function flopsPerToken(m, context) {
    var attention = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") { attention += g.layers * g.state_flops; return; }
      attention += g.layers * attended(g, context) * pairFlops(m, g, true);
      if (g.kind === "sparse" || g.indexed) attention += g.layers * indexed(g, context) * 2 * g.index_heads * g.index_dim;
    });
    return 2 * m.params_active + attention;
  }
  function floorSum(tokens, ratio) {
    var q = Math.floor(tokens / ratio), s = tokens - q * ratio;
    return ratio * q * (q - 1) / 2 + q * (s + 1);
  }
  function prefillFlops(m, tokens) {
    var pairs = tokens * (tokens + 1) / 2, attention = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") attention += g.layers * g.state_flops * tokens;
      else if (g.kind === "sparse") {
        var k = Math.min(tokens, g.topk), selected = k * (k + 1) / 2 + (tokens - k) * k;
        attention += g.layers * (selected * pairFlops(m, g, false) + pairs * 2 * g.index_heads * g.index_dim);
      } else if (g.kind === "compressed") {
        var window = Math.min(tokens, g.window);
        var local = window * (window + 1) / 2 + (tokens - window) * g.window;
        var comp = floorSum(tokens, g.ratio);
        var cap = g.indexed ? g.topk * g.ratio - 1 : tokens;
        var read = floorSum(Math.min(tokens, cap), g.ratio) + (g.topk || 0) * Math.max(0, tokens - cap);
        var index = g.indexed ? comp * 2 * g.index_heads * g.index_dim : 0;
        attention += g.layers * ((local + read) * pairFlops(m, g, false) + index);
      } else attention += g.layers * pairs * pairFlops(m, g, false);
    });
    return 2 * m.params_active * tokens + attention;
  }
  function peakFlops(d, g, dtype) { return hb.peakFlops(d, g, dtype, "weight_dtype"); }

  // --- planner.py: constants and what the lab measured ----------------------------------------------------------------

  var TP_DEGREES = [1, 2, 4, 8], CONSTRAINTS = ["memory", "tpot", "ttft", "compute"], TAIL = 0.01, BATCH_LIMIT = 65536;

  function flopsFraction(d, lab, dtype) {
    var precision = has(d.compute_precision, dtype) ? d.compute_precision[dtype] : dtype;
    var key = (precision === "bf16" || precision === "fp16" || precision === "tf32" || precision === "fp32") ? "bf16" : "fp8";
    return lab.flops_fraction[key];
  }

  // --- one replica -----------------------------------------------------------------------------------------------------

  function expertSplit(m) {
    var experts = m.num_experts, k = m.experts_per_token;
    if (!experts || !k || m.params_active >= m.params_total) return [m.params_total, 0];
    var routed = (m.params_total - m.params_active) / (1 - k / experts);
    return [m.params_total - routed, routed];
  }
  function expertsTouched(m, batch) {
    var experts = m.num_experts, k = m.experts_per_token;
    if (!experts || !k) return 1;
    return 1 - Math.pow(1 - k / experts, batch);
  }
  function kvShare(m, tp) {
    if (m.attention === "mla") return 1;
    var heads = m.num_kv_heads;
    return Math.max(1, Math.ceil(heads / tp)) / heads;
  }
  function kvPerGpu(d, m, kvDtype, tokens, tp) { return kvBytes(d, m, kvDtype, tokens, 1) * kvShare(m, tp); }
  function kvReadPerGpu(d, m, kvDtype, tokens, tp) { return kvReadBytes(d, m, kvDtype, tokens, 1) * kvShare(m, tp); }
  function tpAllowed(m, g, tp) { return m.num_attention_heads % tp === 0 && (tp === 1 || !!g.interconnect); }
  function memory(d, m, g, wd, kd, tp, context) {
    var usable = g.memory_bytes * d.planner.memory_utilization;
    var weights = weightBytes(d, m, wd) / tp;
    var activations = d.planner.chunk_tokens * (4 * m.hidden_size + 2 * m.intermediate_size / tp) * 2;
    var workspace = d.planner.workspace_bytes + activations;
    var budget = usable - weights - workspace;
    var perSequence = kvPerGpu(d, m, kd, context, tp);
    var batch = budget > 0 ? Math.floor(budget / perSequence) : 0;
    return { usable: usable, weights: weights, workspace: workspace, budget: budget, kv_per_sequence: perSequence,
      max_batch: batch };
  }
  function allreduceTime(m, g, tp, tokens, lab) {
    if (tp === 1) return 0;
    var bus = g.interconnect / 2 * lab.allreduce_bus_fraction;
    var one = lab.allreduce_latency_s + 2 * (tp - 1) / tp * tokens * m.hidden_size * 2 / bus;
    return 2 * m.num_layers * one;
  }
  function decodeStep(d, m, g, wd, kd, tp, batch, context, lab) {
    var split = expertSplit(m), width = dtypeBytes(d, wd);
    // the rows of an untied input embedding table that no sequence looks up are not read (planner.decode_step)
    var unread = m.tie_word_embeddings === false ? Math.max(0, m.vocab_size * m.hidden_size * width - batch * m.hidden_size * width) : 0;
    var read = ((split[0] + split[1] * expertsTouched(m, batch)) * width - unread) / tp + batch * kvReadPerGpu(d, m, kd, context, tp);
    var bandwidth = g.memory_bandwidth * lab.bandwidth_fraction;
    var peak = peakFlops(d, g, wd) * flopsFraction(d, lab, wd) * tp;
    var work = batch * flopsPerToken(m, context);
    return Math.max(read / bandwidth, work / peak) + allreduceTime(m, g, tp, batch, lab);
  }
  function prefillTime(d, m, g, wd, tp, tokens, lab) {
    var peak = peakFlops(d, g, wd) * flopsFraction(d, lab, wd) * tp;
    var read = weightBytes(d, m, wd) / tp / (g.memory_bandwidth * lab.bandwidth_fraction);
    return Math.max(prefillFlops(m, tokens) / peak, read) + allreduceTime(m, g, tp, tokens, lab);
  }
  function md1P99Wait(rate, service) {
    var rho = rate * service;
    if (rho >= 1) return Infinity;
    if (rho <= TAIL) return 0;
    var mean = rho * service / (2 * (1 - rho));
    return mean / rho * Math.log(rho / TAIL);
  }
  function largest(ok, hi) {
    if (ok(hi)) return hi;
    var lo = 0;
    for (var i = 0; i < 100; i++) {
      var mid = (lo + hi) / 2;
      if (ok(mid)) lo = mid; else hi = mid;
    }
    return lo;
  }

  // p: {rate, prompt, output, ttft, tpot, headroom}; role: "both", "prefill" or "decode"
  function Replica(d, m, g, wd, kd, tp, p, lab, role) {
    role = role || "both";
    this.d = d; this.m = m; this.g = g; this.wd = wd; this.kd = kd; this.tp = tp; this.p = p; this.lab = lab;
    this.role = role;
    this.slow = lab.slowdown === undefined ? 1 : lab.slowdown;
    this.mem = memory(d, m, g, wd, kd, tp, p.prompt + p.output);
    this.prefill = role !== "decode" ? prefillTime(d, m, g, wd, tp, p.prompt, lab) * this.slow : 0;
    this.chunks = p.prompt / d.planner.chunk_tokens;
    this.context = p.prompt + p.output / 2;
    this.transfer = role === "prefill" ? kvBytes(d, m, kd, p.prompt, 1) / (d.planner.kv_transfer_Bps * tp) : 0;
  }
  Replica.prototype.step = function (batch) {
    return decodeStep(this.d, this.m, this.g, this.wd, this.kd, this.tp, batch, this.context, this.lab) * this.slow;
  };
  Replica.prototype.rate = function (batch) {
    if (batch <= 0) return 0;
    return batch / (this.p.output * this.step(batch) + batch * this.prefill);
  };
  Replica.prototype.tpot = function (batch) { return this.step(batch) / (1 - this.rate(batch) * this.prefill); };
  Replica.prototype.service = function (batch) { return this.prefill + this.chunks * this.step(batch); };
  Replica.prototype.ttft = function (batch) {
    var rate = this.rate(batch), service = this.service(batch);
    return service + md1P99Wait(rate, service);
  };
  Replica.prototype.ceiling = function () {
    var big = BATCH_LIMIT;
    var slope = (this.step(big) - this.step(big / 2)) / (big / 2);
    return 1 / (this.p.output * slope + this.prefill);
  };
  Replica.prototype.limits = function () {
    var self = this, mem = this.mem.max_batch;
    var hi = mem > 0 ? Math.min(BATCH_LIMIT, mem) : 0;
    var tpotBatch = this.step(0) <= this.p.tpot ? largest(function (b) { return self.tpot(b) <= self.p.tpot; }, BATCH_LIMIT) : 0;
    var ttftBatch = this.ttft(0) <= this.p.ttft ? largest(function (b) { return self.ttft(b) <= self.p.ttft; }, BATCH_LIMIT) : 0;
    return { memory: this.rate(hi), tpot: this.rate(tpotBatch), ttft: this.rate(ttftBatch), compute: this.ceiling() };
  };
  Replica.prototype.batchAt = function (rate) {
    var self = this;
    return largest(function (b) { return self.rate(b) <= rate; }, BATCH_LIMIT);
  };

  function poolLimits(r) {
    if (r.role === "prefill") {
      var s = r.prefill, budget = r.p.ttft - r.prefill - r.transfer, ttft;
      if (budget < 0) ttft = 0;
      else {
        var lo = 0, hi = 1 / s;
        for (var i = 0; i < 100; i++) {
          var mid = (lo + hi) / 2;
          if (md1P99Wait(mid, s) <= budget) lo = mid; else hi = mid;
        }
        ttft = lo;
      }
      return { memory: Infinity, tpot: Infinity, ttft: ttft, compute: 1 / s };
    }
    var lim = r.limits();
    return { memory: lim.memory, tpot: lim.tpot, ttft: Infinity, compute: lim.compute };
  }
  function summary(limits) {
    var binding = CONSTRAINTS[0];
    for (var i = 1; i < CONSTRAINTS.length; i++) if (limits[CONSTRAINTS[i]] < limits[binding]) binding = CONSTRAINTS[i];
    return [limits[binding], binding];
  }
  function pyRound9(x) { return Number(x.toFixed(9)); }

  function planTp(d, m, g, wd, kd, tp, p, lab) {
    var r = new Replica(d, m, g, wd, kd, tp, p, lab);
    var limits = r.limits(), s = summary(limits);
    var out = { mode: "aggregated", tp: tp, memory: r.mem, prefill_s: r.prefill, step_1_s: r.step(1), limits: limits,
      capacity: s[0], binding: s[1], feasible: s[0] > 0, replica: r };
    if (s[0] <= 0) return out;
    var replicas = Math.ceil(pyRound9(p.rate * (1 + p.headroom) / s[0]));
    var load = p.rate / replicas, batch = r.batchAt(load);
    out.replicas = replicas; out.gpus = replicas * tp; out.load = load; out.batch = batch;
    out.ttft_p99_s = r.ttft(batch); out.tpot_s = r.tpot(batch); out.step_s = r.step(batch);
    return out;
  }
  function planDisaggregated(d, m, g, wd, kd, tpPrefill, tpDecode, p, lab) {
    var pre = new Replica(d, m, g, wd, kd, tpPrefill, p, lab, "prefill");
    var dec = new Replica(d, m, g, wd, kd, tpDecode, p, lab, "decode");
    var lp = poolLimits(pre), ld = poolLimits(dec);
    if (pre.mem.budget <= 0) lp.memory = 0;
    var sp = summary(lp), sd = summary(ld);
    var out = { mode: "disaggregated", tp: tpDecode, tp_prefill: tpPrefill, memory: dec.mem, prefill_s: pre.prefill,
      step_1_s: dec.step(1), limits_prefill: lp, limits: ld, capacity_prefill: sp[0], capacity: sd[0],
      binding_prefill: sp[1], binding: sd[1], feasible: sp[0] > 0 && sd[0] > 0, replica: dec, prefill_replica: pre };
    if (!out.feasible) return out;
    var need = p.rate * (1 + p.headroom);
    var nP = Math.ceil(pyRound9(need / sp[0])), nD = Math.ceil(pyRound9(need / sd[0]));
    var loadP = p.rate / nP, loadD = p.rate / nD, batch = dec.batchAt(loadD);
    out.replicas = nP + nD; out.replicas_prefill = nP; out.replicas_decode = nD;
    out.gpus = nP * tpPrefill + nD * tpDecode; out.load = loadD; out.load_prefill = loadP; out.batch = batch;
    out.ttft_p99_s = pre.prefill + md1P99Wait(loadP, pre.prefill) + pre.transfer;
    out.tpot_s = dec.tpot(batch); out.step_s = dec.step(batch);
    return out;
  }
  function gpusText(n) { return n === 1 ? "1 GPU" : n + " GPUs"; }
  function reason(m, g, p, candidates, degrees) {
    var agg = candidates.filter(function (c) { return c.mode === "aggregated"; });
    if (!agg.length)
      return m.name + " has " + m.num_attention_heads + " query heads and none of the tensor-parallel degrees divides them";
    var c = agg[agg.length - 1];
    var link = degrees.length > 1 ? "" : " (" + g.name + " has no GPU-to-GPU link in the data, so replicas stay on one GPU)";
    if (c.memory.budget <= 0)
      return "the weights and workspace do not fit: even on " + gpusText(c.tp) + " per replica" + link + " each GPU would hold " +
        ((c.memory.weights + c.memory.workspace) / 1e9).toFixed(1) + " GB of the " + (c.memory.usable / 1e9).toFixed(1) +
        " GB the engine may use";
    if (c.memory.max_batch < 1)
      return "not one sequence of " + (p.prompt + p.output) + " tokens fits in the KV cache left on " + gpusText(c.tp);
    if (c.step_1_s > p.tpot)
      return "one decode step takes " + (c.step_1_s * 1e3).toFixed(1) + " ms even at batch 1 on " + gpusText(c.tp) +
        ", over the " + (p.tpot * 1e3).toFixed(0) + " ms TPOT limit";
    return "prefill of one " + p.prompt + "-token prompt takes " + c.prefill_s.toFixed(2) + " s on " + gpusText(c.tp) +
      ", so its p99 TTFT cannot stay under " + p.ttft + " s";
  }
  function plan(d, m, g, wd, kd, p, price, lab) {
    var degrees = TP_DEGREES.filter(function (t) { return tpAllowed(m, g, t); });
    var candidates = degrees.map(function (t) { return planTp(d, m, g, wd, kd, t, p, lab); });
    degrees.forEach(function (a) {
      degrees.forEach(function (b) { candidates.push(planDisaggregated(d, m, g, wd, kd, a, b, p, lab)); });
    });
    var best = null;
    function key(c) { return [c.gpus, c.mode !== "aggregated" ? 1 : 0, c.tp, c.tp_prefill || 0]; }
    function less(a, b) {
      var ka = key(a), kb = key(b);
      for (var i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i];
      return false;
    }
    candidates.forEach(function (c) { if (c.feasible && (!best || less(c, best))) best = c; });
    if (!best) return { feasible: false, reason: reason(m, g, p, candidates, degrees), candidates: candidates };
    var tokens = p.rate * p.output;
    best.feasible = true; best.candidates = candidates; best.tokens_per_s = tokens;
    best.usd_per_million_tokens = price * best.gpus / (tokens * 3600) * 1e6;
    return best;
  }

  // --- the working, shown under the results ---------------------------------------------------------------------------

  var NAMES = { memory: "memory (KV cache)", tpot: "TPOT", ttft: "TTFT", compute: "compute (throughput ceiling)" };
  function gb(x) { return fmt(x / 1e9, 1) + " GB"; }
  function ms(x) { return hb.seconds(x, 1); }
  function rps(x) { return isFinite(x) ? fmt(x, 2) + " requests/s" : "no limit"; }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  // The site root relative to this page, from the configuration Material writes into every page ("../.." and the
  // like), so that the links work on the chapter pages and in the single-page edition alike.
  function siteBase() {
    var config = document.getElementById("__config");
    try { return config ? JSON.parse(config.textContent).base.replace(/\/?$/, "/") : ""; } catch (e) { return ""; }
  }
  function step(list, text, href, label) {
    var li = el("li");
    li.appendChild(document.createTextNode(text + " "));
    if (href) li.appendChild(el("a", label || "Why", { href: href }));
    list.appendChild(li);
  }
  function working(root, d, m, g, wd, kd, p, best) {
    var box = root.querySelector('[data-figure="working"]');
    if (!box) return;
    var base = siteBase();
    var r = best.replica, mem = best.memory, lim = best.limits, ol = el("ol");
    var head = el("p", best.mode === "aggregated"
      ? best.replicas + " replicas of " + gpusText(best.tp) + ", prefill and decode on the same GPUs (chunked prefill)."
      : best.replicas_prefill + " prefill replicas of " + gpusText(best.tp_prefill) + " and " + best.replicas_decode +
        " decode replicas of " + gpusText(best.tp) + " (disaggregated).");
    step(ol, "Memory per GPU: " + gb(mem.usable) + " usable (" + fmt(d.planner.memory_utilization * 100, 0) + "% of " +
      gb(g.memory_bytes) + "), minus " + gb(mem.weights) + " of weights and " + gb(mem.workspace) + " of workspace, leaves " +
      gb(mem.budget) + " for the KV cache: " + fmt(mem.max_batch, 0) + " sequences of " + (p.prompt + p.output) +
      " tokens (" + fmt(mem.kv_per_sequence / 1e6, 1) + " MB each on every GPU).", base + "concepts/memory-budget/");
    step(ol, "Prefill of one " + p.prompt + "-token prompt: " + ms(best.prefill_s) + " (FLOPs at the lab's measured share " +
      "of peak, times " + fmt(r.slow, 2) + " for the planner's measured shortfall).", base + "concepts/prefill-and-decode/");
    step(ol, "Decode step at the operating batch of " + fmt(best.batch, 1) + " sequences: " + ms(best.step_s) +
      " (weights and KV cache read at the lab's measured bandwidth, plus " +
      (best.tp > 1 ? "two all-reduces per layer" : "no communication at one GPU") + ").", base + "concepts/roofline/");
    step(ol, "Each replica carries " + fmt(best.load, 2) + " requests/s of the " + fmt(p.rate, 2) + " requests/s. TPOT " +
      ms(best.tpot_s) + " (Little's law with prefill's share of the GPU); p99 TTFT " + ms(best.ttft_p99_s) +
      " (M/D/1 queue for the prefill slot).", base + "operations/planner-accuracy/#model");
    var limits = el("li");
    limits.appendChild(document.createTextNode("Largest load per " + (best.mode === "aggregated" ? "" : "decode ") +
      "replica under each constraint, with " + fmt(p.headroom * 100, 0) + "% headroom applied to the load: "));
    var ul = el("ul"), cap = best.capacity;
    CONSTRAINTS.forEach(function (c) {
      var v = lim[c];
      var note = c === best.binding ? " (binds)" : isFinite(v) ? " (" + fmt((v / cap - 1) * 100, 0) + "% above the binding one)" : "";
      ul.appendChild(el("li", NAMES[c] + ": " + rps(v) + note, { "data-constraint": c }));
    });
    limits.appendChild(ul);
    ol.appendChild(limits);
    step(ol, "Replicas = ceil(" + fmt(p.rate, 2) + " × " + fmt(1 + p.headroom, 2) + " ÷ " + fmt(cap, 2) + ") = " +
      (best.mode === "aggregated" ? best.replicas : best.replicas_decode) + "; GPUs = " + best.gpus + ".",
      base + "operations/capacity-planning/#size-the-fleet");
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(head);
    box.appendChild(ol);
  }

  // --- the widget ------------------------------------------------------------------------------------------------------

  var FRACTION_HEADROOM = { max: 10, example: "0.3" };
  function plural(x, one, many) { return fmt(x, 0) + (x === 1 ? one : many); }

  var PLANNER = {
    "planner": function (root, d) {
      var m = d.models[readChoice(root, "model", d.models)];
      var g = d.gpus[readChoice(root, "gpu", d.gpus)];
      var wd = readChoice(root, "weight_dtype", d.dtype_bytes);
      var kd = readChoice(root, "kv_dtype", d.dtype_bytes);
      var rate = readNumber(root, "requests_per_s", { positive: true, max: 1e6, example: "20" });
      var prompt = readNumber(root, "prompt_tokens", { whole: true, positive: true, max: 1e7, example: "2000" });
      var output = readNumber(root, "output_tokens", { whole: true, positive: true, max: 1e6, example: "300" });
      var ttft = readNumber(root, "ttft_p99_s", { positive: true, max: 3600, example: "1" });
      var tpot = readNumber(root, "tpot_p99_s", { positive: true, max: 60, example: "0.05" });
      var headroom = readNumber(root, "headroom", FRACTION_HEADROOM);
      var price = readNumber(root, "gpu_hourly_usd", { max: 1e4, example: "2.5" });
      peakFlops(d, g, wd);  // a GPU without a figure for this precision is the reader's to fix, before any search
      var p = { rate: rate, prompt: prompt, output: output, ttft: ttft, tpot: tpot, headroom: headroom };
      var best = plan(d, m, g, wd, kd, p, price, d.lab);
      if (!best.feasible) throw new hb.Error(null, "No deployment meets the load because " + best.reason + ".");
      working(root, d, m, g, wd, kd, p, best);
      return {
        gpus: [best.gpus, function (x) { return plural(x, " GPU", " GPUs"); }],
        replicas: [best.replicas, function (x) {
          return best.mode === "aggregated" ? plural(x, " replica", " replicas")
            : fmt(x, 0) + " (" + best.replicas_prefill + " prefill, " + best.replicas_decode + " decode)"; }],
        tensor_parallel: [best.tp, function (x) {
          return best.mode === "aggregated" ? plural(x, " GPU per replica", " GPUs per replica")
            : "prefill " + best.tp_prefill + ", decode " + fmt(x, 0) + " GPUs per replica"; }],
        ttft_p99_s: [best.ttft_p99_s, function (x) { return ms(x) + " (p99, predicted)"; }],
        tpot_s: [best.tpot_s, function (x) { return ms(x) + " (mean, predicted)"; }],
        tokens_per_s: [best.tokens_per_s, function (x) { return fmt(x, 0) + " output tokens/s"; }],
        usd_per_million_tokens: [best.usd_per_million_tokens, function (x) { return "$" + fmt(x, 2) + " per million output tokens"; }],
        binding: [CONSTRAINTS.indexOf(best.binding), function () { return NAMES[best.binding]; }]
      };
    }
  };

  hb.register("calculator", "calc", PLANNER);
})();
