// CrisisDesk: a little progressive enhancement, no framework. Everything works without it.
"use strict";

document.addEventListener("submit", function (event) {
  // <button data-confirm="…">: ask before a destructive action (revoke, deactivate).
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
