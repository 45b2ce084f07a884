// Small fixes that run on every page, including after instant navigation.
(function () {
  "use strict";
  function init() {
    // The search dialog has no accessible name in Material 9.x; give it one.
    var dialog = document.querySelector(".md-search__form");
    if (dialog && !dialog.getAttribute("aria-label")) dialog.setAttribute("aria-label", "Search the handbook");
  }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
