// Counts one reading of this article for "Most read" (samizdat/popular): one same-origin
// POST with nothing in it; no cookie, no identifier, nothing stored in the browser.
(function () {
  var script = document.currentScript;
  if (script && navigator.sendBeacon) navigator.sendBeacon(script.getAttribute("data-url"));
})();
