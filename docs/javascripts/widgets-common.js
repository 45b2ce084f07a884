// Shared by the calculators and the explainers (the first file of javascripts/widgets.js): formatting, and the wiring
// of every widget over the markup of scripts/handbook/render/widgets.py. calculators.js and explainers.js keep their
// formulas and drawings and pass them to hbWidgets.register.

// hbFormat(x, digits): the same text as Intl.NumberFormat("en-US", {minimumFractionDigits: digits,
// maximumFractionDigits: digits}), without Intl. The first Intl.NumberFormat a page builds loads the browser's locale
// data: 38 ms on the 2-core test machine, 150 ms under Lighthouse's phone CPU, most of the widgets' start-up
// (measured 2026-11-27). tests/test_calculators_browser.py compares this function with Intl in Chromium.
window.hbFormat = function (x, digits) {
  "use strict";
  if (!isFinite(x)) return x !== x ? "NaN" : (x < 0 ? "-∞" : "∞");
  // Intl rounds the shortest decimal that round-trips to x (so 1.005 gives "1.01"); toExponential() gives it.
  var parts = Math.abs(x).toExponential().split("e");
  var mantissa = parts[0].replace(".", ""), keep = Number(parts[1]) + 1 + digits;  // digits before the cut
  var kept = keep > 0 ? mantissa.slice(0, keep) : "";
  while (kept.length < keep) kept += "0";
  var next = keep >= 0 && keep < mantissa.length ? mantissa.charAt(keep) : "0";
  var value = kept.split("").map(Number);
  if (next >= "5") {  // half away from zero, as Intl rounds
    var i = value.length - 1;
    while (i >= 0 && value[i] === 9) value[i--] = 0;
    if (i >= 0) value[i] += 1; else value.unshift(1);
  }
  var text = value.join("");
  while (text.length < digits + 1) text = "0" + text;
  var whole = text.slice(0, text.length - digits).replace(/^0+(?=\d)/, ""), fraction = text.slice(text.length - digits);
  var sign = x < 0 || (x === 0 && 1 / x < 0) ? "-" : "";
  return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (digits ? "." + fraction : "");
};

window.hbWidgets = (function () {
  "use strict";
  var fmt = window.hbFormat;

  // A reader's mistake: the control at fault (null: none in particular) and what to do.
  function WidgetError(field, message) { this.field = field; this.message = message; }
  function has(table, key) { return Object.prototype.hasOwnProperty.call(table, key); }
  function control(root, name) { return root.querySelector('[name="' + name + '"]'); }
  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }

  // rule: whole, positive, min (default 0), max (default 1e12: larger is a typo), maxMessage, example
  function readNumber(root, name, rule) {
    var el = control(root, name), raw = el ? String(el.value).trim().replace(/,/g, "") : "";
    var min = rule.min || 0, max = rule.max === undefined ? 1e12 : rule.max, x = Number(raw);
    function fail(message) { throw new WidgetError(name, message); }
    if (raw === "") fail("Enter a number.");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) fail("Not a number: use digits, e.g. " + (rule.example || "8192") + ".");
    if (!isFinite(x)) fail("Too large.");
    if (rule.whole && !Number.isInteger(x)) fail("Enter a whole number.");
    if (x < 0) fail("Must not be negative.");
    if (rule.positive && x <= 0) fail("Must be greater than zero.");
    if (x < min) fail("Must be at least " + min + ".");
    if (x > max) fail(rule.maxMessage || "Must be at most " + max.toLocaleString("en-US") + ".");
    return x;
  }
  function readChoice(root, name, table) {
    var el = control(root, name), v = el ? el.value : "";
    if (!has(table, v)) throw new WidgetError(name, "Pick a value from the list.");
    return v;
  }
  // Dense peak FLOP/s of GPU g at a precision (formulas.peak_flops); `field` is the menu to blame if it has none.
  function peakFlops(d, g, dtype, field) {
    var precision = has(d.compute_precision, dtype) ? d.compute_precision[dtype] : dtype;
    if (!has(g.dense, precision))
      throw new WidgetError(field, g.name + " has no dense " + precision.toUpperCase() + " figure; pick another precision.");
    return g.dense[precision];
  }
  function seconds(x, msDigits) {
    if (x >= 1) return fmt(x, 3) + " s";
    if (x >= 1e-3) return fmt(x * 1e3, msDigits) + " ms";
    return x === 0 ? "0 ms" : fmt(x * 1e6, 1) + " µs";
  }

  function clearErrors(root) {
    each(root, "[data-error-for]", function (el) { el.textContent = ""; });
    each(root, '[aria-invalid="true"]', function (el) { el.removeAttribute("aria-invalid"); });
  }
  // Into the control's error slot, else the widget's general one (data-error-for=""), else the first.
  function showError(root, field, message) {
    var target = field && root.querySelector('[data-error-for="' + field + '"]') ||
      root.querySelector('[data-error-for=""]') || root.querySelector("[data-error-for]");
    if (target) target.textContent = message;
    var input = field && control(root, field);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  function blank(root) {
    each(root, "[data-result]", function (el) { el.textContent = "—"; el.setAttribute("data-value", ""); });
    each(root, "[data-warning]", function (el) { el.textContent = ""; });
    each(root, "[data-figure]", function (el) { while (el.firstChild) el.removeChild(el.firstChild); });
  }
  // A plausibility note under a result, made on first use and emptied when the result is plausible again.
  function setWarning(out, text, css) {
    var box = out.parentNode, note = box.querySelector("[data-warning]");
    if (!note && !text) return;
    if (!note) {
      note = document.createElement("p");
      note.className = css + "-warning";
      note.setAttribute("data-warning", "");
      box.appendChild(note);
    }
    note.textContent = text;
  }

  // fn(root, d) reads the controls, may draw figures and fill tables, and returns {name: [value, format, warn]}:
  // value finite, or null for "not defined" (format says why); warn (optional) checks plausibility.
  function update(root, fn, d, css) {
    clearErrors(root);
    each(root, "[data-readout]", function (out) {
      var el = control(root, out.getAttribute("data-readout"));
      if (el) out.textContent = el.value;
    });
    var results;
    try {
      results = fn(root, d);
      for (var key in results) {
        var v = results[key][0];
        if (v !== null && !isFinite(v)) throw new WidgetError(null, "The inputs give no finite result; check them.");
      }
    } catch (e) {
      blank(root);
      if (e instanceof WidgetError) showError(root, e.field, e.message);
      else showError(root, null, "Cannot compute with these inputs.");
      return;
    }
    for (var name in results) {
      var out = root.querySelector('[data-result="' + name + '"]'), r = results[name];
      if (!out) continue;
      out.setAttribute("data-value", r[0] === null ? "" : String(r[0]));
      out.textContent = r[1](r[0]);
      if (r[2]) setWarning(out, r[2](r[0]), css);
    }
  }

  // Figures are drawn in CSS pixels at their box's width (280 to 720 px), so that an 11 px label stays 11 px on a
  // phone; bind() learns the width from a ResizeObserver (no forced layout at start) and redraws when it changes.
  function figureWidth(root) {
    var w = root.hbFigureWidth || Math.min(720, window.innerWidth - 74);  // a first guess: the phone layout
    return Math.max(280, Math.min(720, Math.floor(w)));
  }

  // A value several widgets of the page carry is written once (scripts/handbook/render/widgets.py,
  // share_repeated_data): {"$shared": KEY} stands for the JSON of <div data-hb-shared="KEY">.
  function shared(d) {
    Object.keys(d).forEach(function (key) {
      var ref = d[key] && d[key].$shared;
      if (!ref) return;
      var holder = document.querySelector('[data-hb-shared="' + ref + '"]');
      if (!holder) throw new Error("missing shared data " + ref);
      d[key] = JSON.parse(holder.getAttribute("data-hb-json"));
    });
    return d;
  }

  function bind(root, kind, css, widgets) {
    if (root.getAttribute("data-" + css + "-ready") === "1") return;
    var fn = widgets[root.getAttribute("data-" + kind)], d;
    if (!fn) return;
    try { d = shared(JSON.parse(root.getAttribute("data-" + css + "-data") || "{}")); }
    catch (e) { showError(root, null, "The data of this " + kind + " could not be read."); return; }
    root.setAttribute("data-" + css + "-ready", "1");
    var run = function () { update(root, fn, d, css); };
    root.addEventListener("input", run);
    root.addEventListener("change", run);
    var form = root.querySelector("form");
    if (form) form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    run();
    // The redraw waits a frame: drawing inside the callback would resize the observed box within the same frame.
    var figure = root.querySelector("[data-figure]");
    if (figure && typeof ResizeObserver === "function") {
      new ResizeObserver(function (entries) {
        var width = Math.floor(entries[entries.length - 1].contentRect.width);
        if (width > 0 && width !== root.hbFigureWidth) {
          root.hbFigureWidth = width;
          requestAnimationFrame(run);
        }
      }).observe(figure);
    }
  }

  // register("calculator", "calc", {name: fn}) sets up each [data-calculator] (data in data-calc-data, then marked
  // data-calc-ready), now and after each instant navigation, one per task: all ten of the calculators page at once
  // took 55 ms on the 2-core test machine, a 220 ms long task under Lighthouse's phone CPU.
  function register(kind, css, widgets) {
    function init() {
      var roots = Array.prototype.slice.call(document.querySelectorAll("[data-" + kind + "]"));
      function next() {
        if (roots.length) bind(roots.shift(), kind, css, widgets);
        if (roots.length) setTimeout(next, 0);
      }
      setTimeout(next, 0);
    }
    if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") document$.subscribe(init);
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
    else init();
  }

  return { Error: WidgetError, has: has, control: control, readNumber: readNumber, readChoice: readChoice,
    peakFlops: peakFlops, seconds: seconds, figureWidth: figureWidth, format: fmt, register: register };
})();
