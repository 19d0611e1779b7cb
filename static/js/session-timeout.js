// Idle-timeout warning. The server enforces the limit (accounts.middleware);
// this only tells the person two minutes before, lets them stay, and shows the
// sign-in page (with the "you were signed out" message) when time is up.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var idle = parseInt(dialog.dataset.idleSeconds, 10) * 1000;
  var warn = parseInt(dialog.dataset.warningSeconds, 10) * 1000;
  var form = dialog.querySelector("form");
  var countdown = dialog.querySelector("[data-countdown]");
  var deadline, warnTimer, endTimer, tick;

  function format(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function showWarning() {
    dialog.showModal();
    tick = window.setInterval(function () {
      countdown.textContent = format(deadline - Date.now());
    }, 1000);
  }

  function expire() {
    // The server has ended the session by now; reloading shows why.
    window.location.reload();
  }

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(tick);
    deadline = Date.now() + idle;
    warnTimer = window.setTimeout(showWarning, Math.max(0, idle - warn));
    endTimer = window.setTimeout(expire, idle + 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        start();
      } else {
        expire();
      }
    }, expire);
  });

  dialog.addEventListener("cancel", function (event) {
    // Escape closes the warning without ending the countdown.
    event.preventDefault();
    dialog.close();
  });

  document.body.addEventListener("htmx:afterRequest", start);
  start();
})();
