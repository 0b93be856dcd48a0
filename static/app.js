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
