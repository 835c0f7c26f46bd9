// While a history import is pending or running, ask how far it has got every two seconds, move its
// progress bar and, once it is finished, reload the page (which then shows the summary and errors).
(function () {
  "use strict";
  var region = document.getElementById("import-progress-region");
  if (!region || !region.dataset.progressUrl) {
    return;
  }
  var url = region.dataset.progressUrl;
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var status = document.getElementById("import-status");
  var template = region.dataset.progressText || "";
  var delay = 2000;

  function show(data) {
    if (status && data.status_label) {
      status.textContent = data.status_label;
    }
    if (bar && data.total) {
      bar.max = data.total;
      bar.value = data.done;
      bar.textContent = data.percent + " %";
    }
    if (text && data.total && template) {
      text.textContent = template
        .replace("__DONE__", data.done)
        .replace("__TOTAL__", data.total)
        .replace("__PERCENT__", data.percent);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.25, 10000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, delay);
})();
