// Small fixes that run on every page: at load, again once Material has started (it adds elements), and after each
// instant navigation. Everything here must be safe to run twice.
(function () {
  "use strict";
  // Where this script was loaded from, to find widgets.js next to it.
  var here = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : null;
  var widgetsRequested = false;
  function loadWidgets() {
    // Calculators and explainers live in widgets.js, fetched once, on the first page that has one.
    if (widgetsRequested || !here || !document.querySelector("[data-calculator], [data-explainer]")) return;
    widgetsRequested = true;
    var script = document.createElement("script");
    script.src = here + "widgets.js";
    document.head.appendChild(script);
  }
  function markScrollable() {
    // Regions that scroll sideways (wide formulas, tables, code) must be reachable with the keyboard.
    var boxes = document.querySelectorAll(".md-typeset .math-block, .md-typeset__scrollwrap, .md-typeset table:not([class]), .md-typeset pre > code, .md-typeset p > math, .md-typeset li > math, .md-typeset td > math");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (box.tagName === "DIV" && !box.getAttribute("role")) {
          box.setAttribute("role", "group");  // a named group, not a landmark: many per page would repeat one landmark name
          box.setAttribute("aria-label", box.classList.contains("math-block") ? "Formula (scrolls sideways)" : "Table (scrolls sideways)");
        }
      }
    }
  }
  // Measure after the next frame, when layout is already up to date: measuring straight after the parser or a font
  // has changed the page forces a layout of the whole page in the middle of a task (20 ms on the calculators page).
  function markScrollableSoon() {
    requestAnimationFrame(function () { setTimeout(markScrollable, 0); });
  }
  // The math font arrives after first layout and widens formulas: check again whenever fonts finish loading.
  if (document.fonts && document.fonts.addEventListener) document.fonts.addEventListener("loadingdone", markScrollableSoon);
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollable, 150);
  });
  function init() {
    // Material 9.x leaves the search dialog without an accessible name (axe: aria-dialog-name).
    var dialog = document.querySelector(".md-search[role=dialog]") || document.querySelector(".md-search");
    if (dialog && !dialog.getAttribute("aria-label")) dialog.setAttribute("aria-label", "Search the handbook");
    var form = document.querySelector(".md-search__form");
    if (form && !form.getAttribute("aria-label")) form.setAttribute("aria-label", "Search the handbook");
    // Material's instant-navigation progress bar is drawn with CSS and never reports a value to assistive
    // technology; hidden from it, it no longer sits outside every landmark on each page (axe: region).
    var progress = document.querySelector(".md-progress");
    if (progress) progress.setAttribute("aria-hidden", "true");
    // Material wraps each code block's copy button in an unnamed <nav>; many identical landmarks on a page tell a
    // screen reader nothing (axe: landmark-unique). The button names itself; the wrapper needs no role.
    var codeNavs = document.querySelectorAll("nav.md-code__nav:not([role])");
    for (var i = 0; i < codeNavs.length; i++) codeNavs[i].setAttribute("role", "none");
    loadWidgets();
    markScrollableSoon();
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollableSoon);
  }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
