/* Fahras search widget loader, served at /widget.js for other sites (see docs/embed.md).
 *
 * Every element marked `data-fahras-search` becomes a search widget: a <script> tag gets it
 * right after itself, any other element (a <div> placeholder) gets it inside, in place of any
 * fallback it holds. The element's other `data-` attributes are the widget's options; they go
 * to the frame's URL as they are, and our server checks them (this file knows none by name).
 *
 * A widget is an iframe of our /embed page, so the host's CSS and scripts cannot reach into it,
 * nor it into them; our styles on the iframe element itself are set `!important` so hostile
 * host CSS cannot collapse it. It starts one box high and follows its content: on each load we
 * say hello to the frame (to our origin only), and then accept size messages from that frame
 * only, the very window we created at our own origin, ignoring every other message. Widgets
 * are independent: each has its own frame and options. `FahrasSearch.mount()` mounts
 * placeholders added to the page later.
 *
 * The host page's markup cannot shadow what we use (DOM clobbering): an element with
 * id="FahrasSearch" is a named property of window, and <img name="currentScript"> one of
 * document. So the registry is an own property of window, which named elements never are, and
 * the current script is read through the Document prototype's getter.
 */
(function () {
  "use strict";

  var REGISTRY = "FahrasSearch";
  var current = Object.getOwnPropertyDescriptor(Document.prototype, "currentScript").get;
  var script = current.call(document);
  if (!script || !script.src) return;
  var loaderUrl = script.src;
  var MAX_HEIGHT = 20000; // pixels: a bound on what a message can do to the host's layout
  var FRAME_STYLE = {
    display: "block", width: "100%", "max-width": "100%", "min-width": "0", height: "3.5rem",
    "min-height": "0", "max-height": "none", margin: "0", padding: "0", border: "0",
    "box-sizing": "border-box", position: "static", float: "none", transform: "none",
    opacity: "1", visibility: "visible", background: "transparent", "color-scheme": "normal"
  };

  var owned = Object.prototype.hasOwnProperty.call(window, REGISTRY);
  var shared = owned ? window[REGISTRY] : null;
  if (!shared || !Array.isArray(shared.widgets)) {
    shared = { widgets: [] };
    Object.defineProperty(window, REGISTRY, {
      value: shared, writable: true, configurable: true, enumerable: false
    });
    window.addEventListener("message", receive);
  }
  shared.mount = mountAll;

  function receive(event) {
    var widgets = shared.widgets;
    for (var i = 0; i < widgets.length; i++) {
      var widget = widgets[i];
      if (event.source === widget.frame.contentWindow && event.origin === widget.origin) {
        resize(widget.frame, event.data);
        return;
      }
    }
  }

  function resize(frame, data) {
    if (!data || data.fahras !== "size") return;
    var height = Number(data.height);
    if (!isFinite(height) || height < 0) return;
    setStyle(frame, "height", Math.min(Math.ceil(height), MAX_HEIGHT) + "px");
    if (typeof data.title === "string" && data.title) frame.title = data.title.slice(0, 200);
  }

  function setStyle(element, name, value) {
    element.style.setProperty(name, value, "important");
  }

  function frameUrl(element) {
    var base = element.tagName === "SCRIPT" && element.src ? element.src : loaderUrl;
    var url = new URL("embed", base);
    Array.prototype.forEach.call(element.attributes, function (attribute) {
      var name = attribute.name;
      if (name.indexOf("data-") === 0 && name !== "data-fahras-search") {
        url.searchParams.append(name.slice(5), attribute.value);
      }
    });
    return url;
  }

  function mount(element) {
    var url = frameUrl(element);
    var frame = document.createElement("iframe");
    var widget = { element: element, frame: frame, origin: url.origin };
    frame.title = "بحث";
    Object.keys(FRAME_STYLE).forEach(function (name) { setStyle(frame, name, FRAME_STYLE[name]); });
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ fahras: "hello" }, widget.origin);
    });
    frame.src = url.href;
    if (element.tagName === "SCRIPT") element.insertAdjacentElement("afterend", frame);
    else element.replaceChildren(frame);
    shared.widgets.push(widget);
  }

  function mountAll() {
    shared.widgets = shared.widgets.filter(function (widget) { return widget.frame.isConnected; });
    var elements = document.querySelectorAll("[data-fahras-search]");
    Array.prototype.forEach.call(elements, function (element) {
      var mounted = shared.widgets.some(function (widget) { return widget.element === element; });
      if (!mounted) mount(element);
    });
  }

  mountAll();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
})();
