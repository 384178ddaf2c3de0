/* Fahras: small enhancements on top of htmx. Every page works without this file.
 *
 * - Clean URLs: htmx requests drop empty fields and defaults, so shared links stay short.
 * - The search box follows searches it did not type (did you mean, Back), never while typing.
 * - Focus goes to the results after paging or removing a filter (the clicked link is gone).
 * - The filters panel is open on wide screens.
 * - Autocomplete: an ARIA combobox over /api/suggest (arrows, Enter, Esc, mouse).
 *
 * Listeners are attached to `document`, because a history restore replaces the whole body.
 */
(function () {
  "use strict";

  var SUGGEST_DELAY_MS = 120;
  var wide = window.matchMedia("(min-width: 56em)");

  function box() { return document.getElementById("q"); }
  function listbox() { return document.getElementById("suggestions"); }

  /* Clean URLs ------------------------------------------------------------------------------ */

  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    var names = [];
    data.forEach(function (_value, name) {
      if (names.indexOf(name) < 0) names.push(name);
    });
    names.forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
    if (data.get("sort") === "relevance") data.delete("sort");
  });

  /* After each update ------------------------------------------------------------------------ */

  document.addEventListener("htmx:afterSettle", function (event) {
    var q = box();
    var answer = document.querySelector("#results .results-body[data-query]");
    if (q && answer && document.activeElement !== q) q.value = answer.getAttribute("data-query");
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.tagName === "A" && !document.body.contains(source)) {
      var heading = document.getElementById("results-heading");
      if (heading) heading.focus({ preventScroll: true });
    }
  });

  function openFiltersOnWideScreens() {
    var filters = document.getElementById("filters");
    if (filters && wide.matches) filters.open = true;
  }
  wide.addEventListener("change", openFiltersOnWideScreens);
  document.addEventListener("DOMContentLoaded", openFiltersOnWideScreens);
  document.addEventListener("htmx:historyRestore", openFiltersOnWideScreens);

  /* Autocomplete ------------------------------------------------------------------------------ */

  var timer = 0;
  var pending = null;
  var active = -1;

  function options() {
    var list = listbox();
    return list ? Array.prototype.slice.call(list.querySelectorAll('[role="option"]')) : [];
  }

  function close() {
    var q = box();
    var list = listbox();
    if (pending) pending.abort();
    pending = null;
    window.clearTimeout(timer);
    active = -1;
    if (list) { list.hidden = true; list.textContent = ""; }
    if (q) { q.setAttribute("aria-expanded", "false"); q.removeAttribute("aria-activedescendant"); }
  }

  // As webapp/bidi.py: right to left unless clearly not Arabic, whatever the first word.
  var ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/g;
  function textDirection(text) {
    var letters = (text.match(/\p{L}/gu) || []).length;
    var arabic = (text.match(ARABIC) || []).length;
    return letters && arabic < 0.25 * letters ? "ltr" : "rtl";
  }

  function show(words) {
    var q = box();
    var list = listbox();
    list.textContent = "";
    active = -1;
    q.removeAttribute("aria-activedescendant");
    words.forEach(function (word, index) {
      var option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dir = textDirection(word);
      option.textContent = word;
      list.appendChild(option);
    });
    list.hidden = words.length === 0;
    q.setAttribute("aria-expanded", words.length ? "true" : "false");
  }

  function highlight(index) {
    var all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === active)); });
    box().setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function choose(option) {
    var q = box();
    q.value = option.textContent;
    close();
    q.form.requestSubmit();
  }

  function fetchSuggestions() {
    var q = box();
    var typed = q.value;
    if (pending) pending.abort();
    if (!typed.trim()) { close(); return; }
    pending = new AbortController();
    var url = q.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(typed);
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (answer) {
        if (box() === q && q.value === typed && document.activeElement === q) show(answer.suggestions);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") close();
      });
  }

  document.addEventListener("input", function (event) {
    if (event.target !== box()) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
  });

  document.addEventListener("keydown", function (event) {
    var q = box();
    if (event.target !== q) return;
    var open = !listbox().hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) { fetchSuggestions(); return; }
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(options()[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault(); // keep the text: Esc in a search field would clear it
      close();
    }
  });

  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("#suggestions")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('#suggestions [role="option"]');
    if (option) choose(option);
  });
  document.addEventListener("focusout", function (event) {
    if (event.target === box()) close();
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id === "search-form") close();
  });
})();
