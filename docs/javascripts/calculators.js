// In-page calculators: their formulas and how their results print. Markup comes from the `calculator` block
// (scripts/handbook/render/widgets.py), the wiring from widgets-common.js; the formulas mirror
// scripts/handbook/formulas/ line for line, and tests/vectors/calculators.json checks that both give the same
// numbers. No framework, nothing from another origin.
(function () {
  "use strict";
  var hb = window.hbWidgets, readNumber = hb.readNumber, readChoice = hb.readChoice, has = hb.has;  // widgets-common.js

  // --- formulas (mirror of formulas.py) -------------------------------------------------

  function dtypeBytes(d, dtype) {
    if (!has(d.dtype_bytes, dtype)) throw new hb.Error(null, "Unknown precision " + dtype + ".");
    return d.dtype_bytes[dtype];
  }
  function weightBytes(d, m, dtype) { return m.params_total * dtypeBytes(d, dtype); }
  // formulas.embedding_unread_bytes: the untied input embedding table less one row per sequence (0 when tied or unstated)
  function embeddingUnreadBytes(d, m, dtype, batch) {
    if (m.tie_word_embeddings !== false) return 0;
    var width = dtypeBytes(d, dtype);
    var table = Math.min(m.vocab_size * m.hidden_size * width, m.params_total * width);
    return Math.max(0, table - batch * m.hidden_size * width);
  }
  // m.layer_groups is data.layer_groups(model): the layers grouped by what they keep per sequence (full, sliding,
  // chunked, linear, sparse, compressed), computed in Python so that both sides read the same pattern.
  function compressedEntries(g, tokens) { return g.kind === "compressed" ? Math.floor(tokens / g.ratio) : 0; }
  function entries(g, tokens) {
    if (g.kind === "linear") return 0;
    if (g.kind === "compressed") return Math.min(tokens, g.window) + compressedEntries(g, tokens);
    if ((g.kind === "sliding" || g.kind === "chunked") && g.window) return Math.min(tokens, g.window);
    return tokens;
  }
  // entries with an indexer key, and entries one decode step reads (top-k where an indexer selects)
  function indexedEntries(g, tokens) {
    if (g.kind === "sparse") return tokens;
    return g.indexed ? compressedEntries(g, tokens) : 0;
  }
  function attendedEntries(g, tokens) {
    if (g.kind === "sparse") return Math.min(tokens, g.topk);
    if (g.kind === "compressed" && g.indexed)
      return Math.min(tokens, g.window) + Math.min(compressedEntries(g, tokens), g.topk);
    return entries(g, tokens);
  }
  function indexerBytesPerEntry(d, g) {
    if (g.kind !== "sparse" && !g.indexed) return 0;
    return g.index_dim * dtypeBytes(d, g.index_dtype) + g.index_scale_bytes * g.index_dim / g.index_scale_block;
  }
  function kvBytes(d, m, kvDtype, tokens, batch) {
    var width = dtypeBytes(d, kvDtype), perSequence = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") perSequence += g.cached_layers * g.state_values * width;
      else perSequence += g.cached_layers * (entries(g, tokens) * g.entry_values * width +
                                             indexedEntries(g, tokens) * indexerBytesPerEntry(d, g));
    });
    return perSequence * batch;
  }
  // what one decode step reads (formulas.kv_read_bytes): sparse and indexed compressed layers read their top-k
  // entries and the whole indexer, layers that share KV read the shared cache again, linear layers read their state
  function kvReadBytes(d, m, kvDtype, tokens, batch) {
    var width = dtypeBytes(d, kvDtype), perSequence = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") perSequence += g.layers * g.state_values * width;
      else perSequence += g.layers * (attendedEntries(g, tokens) * g.entry_values * width +
                                      indexedEntries(g, tokens) * indexerBytesPerEntry(d, g));
    });
    return perSequence * batch;
  }
  function kvBytesPerToken(d, m, kvDtype, context) { return kvBytes(d, m, kvDtype, context, 1) / context; }
  function kvBudgetBytes(d, m, g, weightDtype, gpuCount, mu) {
    return g.memory_bytes * gpuCount * mu - weightBytes(d, m, weightDtype);
  }
  function maxSequences(d, m, g, weightDtype, kvDtype, context, gpuCount, mu) {
    var budget = kvBudgetBytes(d, m, g, weightDtype, gpuCount, mu);
    if (budget <= 0) return 0;
    return Math.floor(budget / kvBytes(d, m, kvDtype, context, 1));
  }
  // FLOPs of one query token against one cached token in one layer (formulas.attention_flops_per_pair, absorbed):
  // QK^T plus attention x V; MLA at decode works in the latent space (kv_lora_rank + rope for scores, rank for values).
  function pairFlops(m, g) {
    if (g.mla) return 2 * m.num_attention_heads * (2 * m.kv_lora_rank + m.qk_rope_head_dim);
    return 4 * g.heads * g.head_dim;
  }
  function flopsPerToken(m, context) {
    var attention = 0;
    m.layer_groups.forEach(function (g) {
      if (g.kind === "linear") { attention += g.layers * g.state_flops; return; }
      attention += g.layers * attendedEntries(g, context) * pairFlops(m, g);
      if (g.kind === "sparse" || g.indexed) attention += g.layers * indexedEntries(g, context) * 2 * g.index_heads * g.index_dim;
    });
    return 2 * m.params_active + attention;
  }
  function peakFlops(d, g, dtype) { return hb.peakFlops(d, g, dtype, "weight_dtype"); }
  function decodeStepTime(d, m, g, weightDtype, batch, context) {
    var moved = weightBytes(d, m, weightDtype) - embeddingUnreadBytes(d, m, weightDtype, batch) +
      kvReadBytes(d, m, "bf16", context, batch);
    var work = batch * flopsPerToken(m, context);
    return Math.max(moved / (g.memory_bandwidth * 1), work / (peakFlops(d, g, weightDtype) * 1));
  }
  function specTokensPerStep(a, k) {
    if (a === 1) return k + 1.0;
    return (1 - Math.pow(a, k + 1)) / (1 - a);
  }
  function specSpeedup(a, k, r) { return specTokensPerStep(a, k) / (k * r + 1); }
  // seconds per target pass on one GPU: [weights, KV cache of one sequence, FLOPs of one position]; an untied input
  // embedding table leaves the weights, and each sequence's term carries the row it looks up (formulas._spec_terms)
  function specTerms(d, m, g, weightDtype, context, kvDtype) {
    var row = m.tie_word_embeddings === false ? m.hidden_size * dtypeBytes(d, weightDtype) : 0;
    var weights = weightBytes(d, m, weightDtype) - embeddingUnreadBytes(d, m, weightDtype, 1) - row;
    return [weights / g.memory_bandwidth, (kvReadBytes(d, m, kvDtype, context, 1) + row) / g.memory_bandwidth,
            flopsPerToken(m, context) / peakFlops(d, g, weightDtype)];
  }
  function specVerifyStepTime(d, m, g, weightDtype, batch, context, k, kvDtype) {
    var t = specTerms(d, m, g, weightDtype, context, kvDtype);
    return Math.max(t[0] + batch * t[1], batch * (k + 1) * t[2]);
  }
  function specSpeedupAtBatch(d, a, k, r, m, g, weightDtype, batch, context, kvDtype) {
    var plain = specVerifyStepTime(d, m, g, weightDtype, batch, context, 0, kvDtype);
    var verify = specVerifyStepTime(d, m, g, weightDtype, batch, context, k, kvDtype);
    return specTokensPerStep(a, k) / (k * r + verify / plain);
  }
  function specCrossoverBatch(d, a, k, r, m, g, weightDtype, context, kvDtype) {
    var gain = specTokensPerStep(a, k) - k * r;
    var t = specTerms(d, m, g, weightDtype, context, kvDtype);
    if (gain < 1) return 1;
    if (gain >= k + 1) return Infinity;
    var perSequence = (k + 1) * t[2] - gain * t[1];
    if (perSequence <= 0) return Infinity;
    var batch = Math.floor(gain * t[0] / perSequence) + 1;
    var loses = function (b) { return specSpeedupAtBatch(d, a, k, r, m, g, weightDtype, b, context, kvDtype) < 1; };
    while (batch > 1 && loses(batch - 1)) batch -= 1;
    while (!loses(batch)) batch += 1;
    return batch;
  }
  function costPerMillion(price, count, tps, util) { return price * count / (tps * util * 3600) * 1e6; }
  function pyRound9(x) { return Number(x.toFixed(9)); }
  function gpusForTraffic(rps, capacity, headroom) {
    var need = rps * (1 + headroom) / capacity;
    return Math.max(0, Math.ceil(pyRound9(need)));
  }

  // --- formatting ------------------------------------------------------------------------

  var fmt = hb.format;
  function autoDigits(x) {
    var a = Math.abs(x);
    return a >= 100 || Number.isInteger(x) ? 0 : a >= 10 ? 1 : a >= 0.1 ? 2 : 3;
  }
  function bytes(x) {
    var a = Math.abs(x);
    var gib = x / Math.pow(2, 30);
    if (a >= 1e9) return fmt(x / 1e9, 2) + " GB (" + fmt(gib, 2) + " GiB)";
    if (a >= 1e6) return fmt(x / 1e6, 2) + " MB (" + fmt(x / Math.pow(2, 20), 2) + " MiB)";
    if (a >= 1e3) return fmt(x / 1e3, 2) + " KB (" + fmt(x / 1024, 2) + " KiB)";
    return fmt(x, autoDigits(x)) + " B";
  }
  function seconds(x) { return hb.seconds(x, 2); }
  function plain(x) { return fmt(x, autoDigits(x)); }
  // US dollars: cents from $0.10 up; below that two significant digits ("$0.000012", not "$0.0000"); below a
  // millionth of a dollar, "under $0.000001".
  function usd(x) {
    if (x >= 0.1 || x === 0) return "$" + fmt(x, 2);
    if (x < 1e-6) return "under $0.000001";
    return "$" + fmt(x, 1 - Math.floor(Math.log10(x)));
  }
  // Results outside this range are flagged, not refused: at the ends a typo in tokens/s, GPUs or price is likelier
  // than a real deployment. Bounds in US dollars per million tokens, i.e. 10^9 and 10^3 tokens per dollar of GPU time.
  var COST_PLAUSIBLE = { min: 0.001, max: 1000 };
  function costWarning(x) {
    var perDollar = plain(1e6 / x) + " tokens per dollar of GPU time";
    if (x < COST_PLAUSIBLE.min)
      return "Unusual result: " + perDollar + ". Below $" + COST_PLAUSIBLE.min + " per million tokens (over a billion " +
        "tokens per dollar: a GPU rented at $1 an hour would have to produce over 270,000 tokens/s) a typo is likelier " +
        "than a real deployment. Check tokens/s (all GPUs together), the GPU count and the price.";
    if (x > COST_PLAUSIBLE.max)
      return "Unusual result: only " + perDollar + ". Above $" + fmt(COST_PLAUSIBLE.max, 0) + " per million tokens " +
        "(under a thousand tokens per dollar: under 0.28 tokens/s from a GPU rented at $1 an hour) a typo is likelier " +
        "than a real deployment. Check tokens/s, the utilization and the price.";
    return "";
  }

  // --- input rules (widgets-common.js reads and checks) -----------------------------------------

  var FRACTION = { positive: true, max: 1, maxMessage: "A fraction: at most 1 (write 0.9 for 90%).", example: "0.9" };

  // --- the calculators -------------------------------------------------------------------

  var CALCULATORS = {
    "kv-cache": function (root, d) {
      var m = d.models[readChoice(root, "model", d.models)];
      var kv = readChoice(root, "kv_dtype", d.dtype_bytes);
      var ctx = readNumber(root, "context_tokens", { whole: true, positive: true, max: 1e8 });
      var batch = readNumber(root, "batch_size", { whole: true, positive: true, max: 1e6 });
      return {
        bytes_per_token: [kvBytesPerToken(d, m, kv, ctx), bytes],
        total_bytes: [kvBytes(d, m, kv, ctx, batch), bytes]
      };
    },
    "gpu-memory": function (root, d) {
      var m = d.models[readChoice(root, "model", d.models)];
      var wd = readChoice(root, "weight_dtype", d.dtype_bytes);
      var g = d.gpus[readChoice(root, "gpu", d.gpus)];
      var count = readNumber(root, "gpu_count", { whole: true, positive: true, max: 4096 });
      var kv = readChoice(root, "kv_dtype", d.dtype_bytes);
      var ctx = readNumber(root, "context_tokens", { whole: true, positive: true, max: 1e8 });
      var mu = readNumber(root, "memory_utilization", FRACTION);
      var budget = kvBudgetBytes(d, m, g, wd, count, mu);
      var seqs = maxSequences(d, m, g, wd, kv, ctx, count, mu);
      return {
        weight_bytes: [weightBytes(d, m, wd), bytes],
        kv_budget_bytes: [budget, function (x) { return x > 0 ? bytes(x) : "none: weights exceed the budget by " + bytes(-x); }],
        max_sequences: [seqs, plain],
        fits: [seqs >= 1 ? 1 : 0, function (x) { return x ? "yes" : "no: not even one sequence of this length fits"; }]
      };
    },
    "decode-bound": function (root, d) {
      var m = d.models[readChoice(root, "model", d.models)];
      var wd = readChoice(root, "weight_dtype", d.dtype_bytes);
      var g = d.gpus[readChoice(root, "gpu", d.gpus)];
      var batch = readNumber(root, "batch_size", { whole: true, positive: true, max: 1e6 });
      var ctx = readNumber(root, "context_tokens", { whole: true, max: 1e8 });
      var t = decodeStepTime(d, m, g, wd, batch, ctx);
      return {
        step_time_s: [t, seconds],
        tokens_per_s: [batch / t, function (x) { return plain(x) + " tokens/s"; }]
      };
    },
    "speculative": function (root, d) {
      var a = readNumber(root, "acceptance_rate", { max: 1, maxMessage: "A fraction: at most 1.", example: "0.8" });
      var k = readNumber(root, "draft_tokens", { whole: true, max: 64, example: "4" });
      var r = readNumber(root, "draft_cost_ratio", { max: 10, example: "0.05" });
      var m = d.models[readChoice(root, "model", d.models)];
      var wd = readChoice(root, "weight_dtype", d.dtype_bytes);
      var g = d.gpus[readChoice(root, "gpu", d.gpus)];
      var kv = readChoice(root, "kv_dtype", d.dtype_bytes);
      var batch = readNumber(root, "batch_size", { whole: true, positive: true, max: 1e6 });
      var ctx = readNumber(root, "context_tokens", { whole: true, max: 1e8 });
      var ratio = specVerifyStepTime(d, m, g, wd, batch, ctx, k, kv) / specVerifyStepTime(d, m, g, wd, batch, ctx, 0, kv);
      var cross = specCrossoverBatch(d, a, k, r, m, g, wd, ctx, kv);
      return {
        tokens_per_step: [specTokensPerStep(a, k), function (x) { return fmt(x, 3); }],
        speedup: [specSpeedup(a, k, r), function (x) { return fmt(x, 2) + "×"; }],
        verify_cost_ratio: [ratio, function (x) { return fmt(x, 2) + "× a plain step"; }],
        speedup_at_batch: [specSpeedupAtBatch(d, a, k, r, m, g, wd, batch, ctx, kv), function (x) {
          return fmt(x, 2) + "×" + (x < 1 ? " (speculation costs throughput here)" : ""); }],
        // 0 stands for "never" (Infinity in formulas.py): results must be finite numbers
        crossover_batch: [isFinite(cross) ? cross : 0, function (x) {
          if (x === 0) return "never: it pays at every batch in this bound";
          if (x === 1) return "1: it does not pay even at batch 1";
          return "batch " + plain(x);
        }]
      };
    },
    "cost": function (root) {
      var price = readNumber(root, "gpu_hourly_usd", { positive: true, max: 1e4, example: "2.5" });
      var count = readNumber(root, "gpu_count", { whole: true, positive: true, max: 1e6 });
      var tps = readNumber(root, "tokens_per_s", { positive: true, max: 1e9, example: "2000" });
      var util = readNumber(root, "utilization", FRACTION);
      return {
        usd_per_million_tokens: [costPerMillion(price, count, tps, util), usd, costWarning]
      };
    },
    "capacity": function (root) {
      var rps = readNumber(root, "requests_per_s", { max: 1e9, example: "20" });
      var capacity = readNumber(root, "capacity_per_gpu", { positive: true, max: 1e9, example: "1.5" });
      var headroom = readNumber(root, "headroom", { max: 10, example: "0.3" });
      return { gpus: [gpusForTraffic(rps, capacity, headroom), function (x) { return plain(x) + (x === 1 ? " GPU" : " GPUs"); }] };
    }
  };

  hb.register("calculator", "calc", CALCULATORS);
})();
