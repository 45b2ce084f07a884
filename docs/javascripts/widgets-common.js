// Shared by the calculators and the explainers (the first file of javascripts/widgets.js).

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

// hbSetUpInTurn(selector, bind): bind(root) for each match, one per task, so that a page with many widgets (the
// calculators page has ten) never blocks input for long: all at once took 55 ms on the 2-core test machine, a
// 220 ms long task under Lighthouse's phone CPU. bind must ignore a root it has already set up.
window.hbSetUpInTurn = function (selector, bind) {
  "use strict";
  var roots = Array.prototype.slice.call(document.querySelectorAll(selector));
  function next() {
    if (!roots.length) return;
    bind(roots.shift());
    if (roots.length) setTimeout(next, 0);
  }
  setTimeout(next, 0);
};
