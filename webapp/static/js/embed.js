/* Fahras search widget, inside the frame: tell the host page our height.
 *
 * The host's widget.js says hello each time the frame has loaded. We answer only a hello from
 * our own parent window, sent from an origin that FAHRAS_EMBED_ORIGINS allows (the server puts
 * the list in <html data-embed-origins>), and from then on post our height to that origin alone,
 * whenever it changes. No other message is listened to. Without a hello (the page opened on its
 * own, or framed without widget.js) this is an ordinary page that scrolls.
 *
 * Also: the box follows a search it did not type ("did you mean"), never while typing.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var allowed = (root.getAttribute("data-embed-origins") || "").split(" ");
  var host = null; // the parent's origin, once it has said hello

  function permitted(origin) {
    return origin === window.location.origin || allowed.indexOf("*") >= 0 || allowed.indexOf(origin) >= 0;
  }

  function report() {
    if (!host) return;
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    window.parent.postMessage({ fahras: "size", height: height, title: document.title }, host);
  }

  window.addEventListener("message", function (event) {
    if (window.parent === window || event.source !== window.parent) return;
    if (!event.data || event.data.fahras !== "hello" || !permitted(event.origin)) return;
    // An opaque origin ("null": a page opened from a file, a sandboxed frame) cannot be named as
    // a target; only "*" in the setting lets it in, and a height is all it will learn.
    host = event.origin === "null" ? "*" : event.origin;
    root.classList.add("sized");
    report();
  });

  new ResizeObserver(report).observe(document.body);

  document.addEventListener("htmx:afterSettle", function () {
    var q = document.getElementById("q");
    var answer = document.querySelector("#results .results-body[data-query]");
    if (q && answer && document.activeElement !== q) q.value = answer.getAttribute("data-query");
  });
})();
