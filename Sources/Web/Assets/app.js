// ktx pages: a little plain JavaScript where it helps; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A form that asks before it acts (delete).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A refused form: focus its message, so a screen reader reads it first.
  var error = document.getElementById("form-error");
  if (error) { error.focus(); }
  // The sync button: show progress while the sync runs (the page answers when it ends).
  var sync = document.getElementById("sync-form");
  if (sync) {
    sync.addEventListener("submit", function () {
      var button = document.getElementById("sync-button");
      var panel = document.getElementById("sync-progress");
      button.disabled = true;
      panel.hidden = false;
      var bar = panel.querySelector("progress");
      var text = panel.querySelector(".progress-text");
      var timer = window.setInterval(function () {
        fetch("/sync/progress", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
          if (!p.running) { return; }
          if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
          text.textContent = (p.phase === "push" ? "↑ " : "↓ ") + p.done + " / " + p.total;
        }).catch(function () { window.clearInterval(timer); });
      }, 500);
    });
  }
});
