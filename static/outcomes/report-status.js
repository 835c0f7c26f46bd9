// Polls a pending report's status and reveals the download link once it is ready.
(function () {
  "use strict";
  var box = document.querySelector(".report-status[data-status-url]");
  if (!box || box.getAttribute("data-status") !== "pending") { return; }
  var url = box.getAttribute("data-status-url");
  var delay = 2000;
  function check() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var text = box.querySelector(".status-text");
        if (text && data.status_label) { text.textContent = data.status_label; }
        if (data.status === "ready") {
          var link = box.querySelector("[data-download]");
          if (link) { link.classList.remove("d-none"); link.classList.add("btn", "btn-success"); }
          box.setAttribute("data-status", "ready");
          return;
        }
        if (data.status === "pending") {
          delay = Math.min(delay * 1.5, 15000);
          window.setTimeout(check, delay);
        }
      })
      .catch(function () { window.setTimeout(check, 15000); });
  }
  window.setTimeout(check, delay);
})();
