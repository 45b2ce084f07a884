// The serving planner's code (planner.js, about 7 KB gzip) is fetched only on pages that have the planner, so the
// other pages with a calculator or explainer keep their widgets.js as small as before. This stub is part of
// widgets.js (mkdocs.yml, extra.javascript_widgets); planner.js sits next to it and registers itself when it arrives.
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : null;
  var requested = false;
  function load() {
    if (requested || !here || !document.querySelector('[data-calculator="planner"]')) return;
    requested = true;
    var script = document.createElement("script");
    script.src = here + "planner.js";
    document.head.appendChild(script);
  }
  if (typeof document$ !== "undefined" && document$ && typeof document$.subscribe === "function") document$.subscribe(load);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
