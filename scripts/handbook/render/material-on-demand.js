// Material's JavaScript, started on the reader's first interaction (inlined by scripts/handbook/render/theme.py in place
// of the script element that loaded Material's bundle). The page itself is static HTML that reads, scrolls, links and
// switches colour scheme without it; the bundle adds search, instant navigation, copy buttons, tooltips and the
// table of contents that follows the reader. Starting it costs one long task (about 175 ms on the 2-core test
// machine, four times that on Lighthouse's phone), which now lands on the first touch, key, wheel, scroll or
// pointer movement instead of on every page load. A "?q=" search link starts it at once.
(function () {
  "use strict";
  var src = document.currentScript.getAttribute("data-material");
  var triggers = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel", "scroll", "focusin"];
  var waiting = [], started = false;

  // Stand-in for Material's document$ until the bundle runs: scripts that subscribe (handbook.js, the widgets,
  // the lightbox) run for this page now, and are handed to the real document$, which runs them once more for this
  // page when Material has mounted its components (they must be idempotent) and after each instant navigation.
  window.document$ = {
    subscribe: function (callback) {
      waiting.push(callback);
      if (document.readyState === "loading")
        document.addEventListener("DOMContentLoaded", function () { callback(document); }, {once: true});
      else
        callback(document);
      return {unsubscribe: function () {}};
    }
  };

  function start() {
    if (started) return;
    started = true;
    triggers.forEach(function (type) { window.removeEventListener(type, start, true); });
    window.removeEventListener("keydown", searchShortcut, true);
    // A reader who scrolls while a slow page is still arriving: start once the page is complete, as Material expects.
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load, {once: true});
    else load();
  }

  function load() {
    // The bundle waits for DOMContentLoaded, which has long passed. Catch the listeners it registers while it
    // evaluates and call them once it has run; other listeners on the page never see a second DOMContentLoaded.
    var caught = [];
    document.addEventListener = function (type, listener) {
      if (type === "DOMContentLoaded") { caught.push(listener); return; }
      return EventTarget.prototype.addEventListener.apply(this, arguments);
    };
    var script = document.createElement("script");
    script.src = src;
    script.onload = script.onerror = function (event) {
      delete document.addEventListener;
      if (event.type === "error") return;
      var real = window.document$, ready = new Event("DOMContentLoaded");
      waiting.forEach(function (callback) { real.subscribe(callback); });
      caught.forEach(function (listener) {
        if (typeof listener === "function") listener.call(document, ready); else listener.handleEvent(ready);
      });
    };
    document.body.appendChild(script);
  }

  // Material's search shortcuts (/, s, f) work before it has started: open search and focus the box at once, so
  // what the reader types next lands in it; Material picks up the query when it starts.
  function searchShortcut(event) {
    var target = event.target;
    if (started || event.ctrlKey || event.metaKey || event.altKey || !/^[/sf]$/.test(event.key)) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var toggle = document.getElementById("__search"), box = document.querySelector("input.md-search__input");
    if (!toggle || !box) return;
    event.preventDefault();
    toggle.checked = true;
    box.focus();
  }
  window.addEventListener("keydown", searchShortcut, true);
  triggers.forEach(function (type) { window.addEventListener(type, start, {capture: true, passive: true}); });
  if (/[?&]q=/.test(location.search)) start();
})();
