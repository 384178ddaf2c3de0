/* The embed demo page (/embed/demo): copy buttons, the custom colours switch, and the live
 * preview mounted again after each htmx update (widget.js only finds placeholders by itself
 * when the page loads). The snippets and the preview themselves are rendered by the server.
 */
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("copy-status");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50); // a repeat is read again
  }

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var code = document.getElementById(button.getAttribute("data-copy"));
    var copied = navigator.clipboard ? navigator.clipboard.writeText(code.textContent) : Promise.reject();
    copied.then(
      function () {
        button.textContent = "نُسخت ✓";
        window.setTimeout(function () { button.textContent = "انسخ"; }, 2000);
        announce("نُسخت الشيفرة.");
      },
      function () { selectContents(code); announce("حُدّدت الشيفرة: انسخها بـ Ctrl+C."); }
    );
  });

  // Custom colours start from the theme's own, which the server leaves out of the snippet
  // until one is changed. This runs before htmx sends the change (it waits for a pause).
  document.addEventListener("input", function (event) {
    if (event.target.id !== "colours") return;
    var fields = document.getElementById("colour-fields");
    var theme = document.getElementById("theme").value === "dark" ? "dark" : "light";
    fields.disabled = !event.target.checked;
    fields.querySelectorAll("input[type=color]").forEach(function (input) {
      input.value = input.getAttribute("data-" + theme);
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "demo-output" && window.FahrasSearch) window.FahrasSearch.mount();
  });
})();
