// CrisisDesk: a little progressive enhancement, no framework. Everything works without it.
"use strict";

document.addEventListener("submit", function (event) {
  // <fieldset data-require-all="…">: every checkbox must be ticked (the approval checklist). Checked here first,
  // all at once: the unticked items are listed in one message and marked; the server checks again.
  var sets = event.target.querySelectorAll("fieldset[data-require-all]");
  for (var i = 0; i < sets.length; i++) {
    var set = sets[i], boxes = set.querySelectorAll("input[type=checkbox]"), missing = [];
    for (var j = 0; j < boxes.length; j++) {
      boxes[j].removeAttribute("aria-invalid");
      if (!boxes[j].checked) {
        boxes[j].setAttribute("aria-invalid", "true");
        missing.push(boxes[j].closest("label").textContent.trim());
      }
    }
    var box = set.querySelector(".checklist-error");
    if (!missing.length) {
      if (box) box.remove();
      set.classList.remove("invalid");
      continue;
    }
    event.preventDefault();
    if (!box) {
      box = document.createElement("div");
      box.className = "field-error checklist-error";
      box.setAttribute("role", "alert");
      set.appendChild(box);
    }
    box.textContent = "";
    var head = document.createElement("p");
    head.textContent = set.getAttribute("data-require-all");
    var list = document.createElement("ul");
    missing.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    box.appendChild(head);
    box.appendChild(list);
    set.classList.add("invalid");
    set.querySelector("input[aria-invalid]").focus();
    return;
  }
  // <button data-confirm="…">: ask before an act that cannot be undone (publish, revoke, deactivate).
  var button = event.submitter;
  var message = button && button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

document.addEventListener("click", function (event) {
  // <button data-copy="element-id">: copy that element's text (an API token shown once).
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.classList.add("copied");
    });
  }
});

(function () {
  // Countdowns: <span class="countdown" data-due="ISO">…</span> (rendered by the server) kept current every 30
  // seconds, in the page's language (the words and the server's time are on #countdown-words).
  var words = document.getElementById("countdown-words");
  if (!words) return;
  var offset = Date.parse(words.getAttribute("data-now")) - Date.now();
  if (isNaN(offset)) offset = 0;
  function unit(template, n) { return template.replace("{n}", String(n)); }
  function say(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts;
    if (days) parts = [unit(words.dataset.days, days)].concat(hours ? [unit(words.dataset.hours, hours)] : []);
    else if (hours) parts = [unit(words.dataset.hours, hours)].concat(mins ? [unit(words.dataset.minutes, mins)] : []);
    else parts = [unit(words.dataset.minutes, mins)];
    return (seconds >= 0 ? words.dataset.left : words.dataset.over).replace("{t}", parts.join(" "));
  }
  function tick() {
    var now = Date.now() + offset;
    var nodes = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < nodes.length; i++) {
      var seconds = Math.round((Date.parse(nodes[i].getAttribute("data-due")) - now) / 1000);
      if (isNaN(seconds)) continue;
      nodes[i].textContent = say(seconds);
      nodes[i].classList.toggle("over", seconds < 0);
    }
  }
  tick();
  window.setInterval(tick, 30000);
})();

(function () {
  // A link to #approve (from the approval queue, the case page) opens that action's <details>.
  function openTarget() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();

(function () {
  // Keyboard shortcuts (listed on /staff/help): "/" the search box, "n" a new case, "g" then "h" / "c" / "n" home,
  // the case list, notifications, "?" the help page; on the case list "j" / "k" the next / previous case and "x" to
  // select it. Never while typing in a field, nor with Ctrl, Alt or Meta held.
  var pending = null;
  function go(path) { window.location.assign(path); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.cases tbody tr")); }
  function current(list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) if (list[i].contains(active)) return i;
    return -1;
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var i = Math.min(Math.max(current(list) + step, 0), list.length - 1);
    var link = list[i].querySelector("td.col-reference a");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var key = event.key;
    if (pending === "g") {
      pending = null;
      if (key === "h") { go("/staff/"); event.preventDefault(); }
      else if (key === "c") { go("/staff/cases"); event.preventDefault(); }
      else if (key === "n") { go("/staff/notifications"); event.preventDefault(); }
      return;
    }
    if (key === "/") {
      var search = document.getElementById("header-q");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    } else if (key === "?") {
      go("/staff/help"); event.preventDefault();
    } else if (key === "n" && document.querySelector("a[href='/staff/cases/new']")) {
      go("/staff/cases/new"); event.preventDefault();
    } else if (key === "g") {
      pending = "g";
      window.setTimeout(function () { pending = null; }, 1500);
    } else if (key === "j" || key === "k") {
      if (rows().length) { move(key === "j" ? 1 : -1); event.preventDefault(); }
    } else if (key === "x") {
      var list = rows(), i = current(list);
      var box = i >= 0 && list[i].querySelector("input[type=checkbox][name=selected]");
      if (box) { box.click(); event.preventDefault(); }
    }
  });
})();

(function () {
  // The case list's "select all" box; the bulk form says how many cases are selected.
  var all = document.getElementById("select-all");
  var count = document.getElementById("selected-count");
  function boxes() { return document.querySelectorAll("input[type=checkbox][name=selected]"); }
  function update() {
    var n = 0, list = boxes();
    for (var i = 0; i < list.length; i++) if (list[i].checked) n++;
    if (count) count.textContent = count.getAttribute("data-template").replace("{n}", String(n));
    if (all) { all.checked = n > 0 && n === list.length; all.indeterminate = n > 0 && n < list.length; }
  }
  if (all) {
    all.addEventListener("change", function () {
      var list = boxes();
      for (var i = 0; i < list.length; i++) list[i].checked = all.checked;
      update();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "selected") update();
  });
  if (count) update();
})();

(function () {
  // A live region: <div data-live-src="URL" data-live-seconds="N"> is refreshed from URL every N seconds (the
  // war room's timeline, clocks, pages and statements); the page keeps working without it (reload by hand).
  var live = document.querySelector("[data-live-src]");
  if (!live || !window.fetch) return;
  var src = live.getAttribute("data-live-src");
  var seconds = parseFloat(live.getAttribute("data-live-seconds")) || 5;
  var last = live.innerHTML;
  function refresh() {
    fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html && html !== last) {
          last = html;
          live.innerHTML = html;
          live.dispatchEvent(new CustomEvent("live:updated"));
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();

document.addEventListener("submit", function (event) {
  // <input type="file" data-max-bytes="…" data-too-large="…">: say at once that a file is too large, instead of
  // sending it all to be refused by the server.
  var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
  for (var i = 0; i < inputs.length; i++) {
    var input = inputs[i], max = Number(input.getAttribute("data-max-bytes"));
    for (var j = 0; j < input.files.length; j++) {
      if (input.files[j].size > max) {
        event.preventDefault();
        input.setCustomValidity(input.getAttribute("data-too-large"));
        input.reportValidity();
        input.addEventListener("change", function () { this.setCustomValidity(""); }, { once: true });
        return;
      }
    }
  }
});
