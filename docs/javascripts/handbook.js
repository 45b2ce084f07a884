// Small fixes that run on every page, including after instant navigation.
(function () {
  "use strict";
  function init() {
    // Material 9.x leaves these without accessible names (axe: aria-dialog-name, aria-progressbar-name).
    var dialog = document.querySelector(".md-search[role=dialog]") || document.querySelector(".md-search");
    if (dialog && !dialog.getAttribute("aria-label")) dialog.setAttribute("aria-label", "Search the handbook");
    var form = document.querySelector(".md-search__form");
    if (form && !form.getAttribute("aria-label")) form.setAttribute("aria-label", "Search the handbook");
    var progress = document.querySelector(".md-progress");
    if (progress && !progress.getAttribute("aria-label")) progress.setAttribute("aria-label", "Loading the next page");
    // Regions that scroll sideways (wide formulas, tables, code) must be reachable with the keyboard.
    var boxes = document.querySelectorAll(".md-typeset .math-block, .md-typeset__scrollwrap, .md-typeset pre > code");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (!box.getAttribute("aria-label") && box.classList.contains("math-block")) box.setAttribute("aria-label", "Formula (scrolls sideways)");
      }
    }
  }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
